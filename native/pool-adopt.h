/*
 * The warm client's side of the descriptor hand-over (docs/guide/cli-pool.md):
 * a launcher sends its stdin, stdout, stderr, its cwd and every other
 * descriptor it inherited, with the number each has there; the client makes
 * them its own at those same numbers, as a fresh process would have them
 * (PMI_FD=3 in a job, `3<file`, bash's /dev/fd/63 of a `<(...)`).
 *
 * The client is a Node process that already has descriptors of its own
 * (epoll, eventfds, pipes: all close-on-exec, as libuv opens them). If one of
 * the launcher's numbers is one of those, the client cannot take the command
 * and says so before it changes anything that matters (adopt_prepare); the
 * launcher then starts a fresh Node. Descriptors it merely inherited (not
 * close-on-exec: anything its broker inherited, anything a previous command
 * left without the flag) are not the command's: they are closed
 * (adopt_commit), so that the command has exactly the launcher's set, as in a
 * fresh process. The client's listening socket and state socket stay open,
 * close-on-exec, for the next command (a client serves several in turn).
 *
 * Included by addon.c only (the build compiles one file per target).
 */
#ifndef FLUX_POOL_ADOPT_H
#define FLUX_POOL_ADOPT_H
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "pool-wire.h"

/*
 * A fresh Node 20 marks its descriptors 0-16 close-on-exec as it starts (an
 * strace of `node -e 0 3<f` shows F_SETFD on each); those of the launcher's
 * that land there get the flag too, so that a program the command starts
 * inherits what it would from a fresh process.
 */
#define NODE_CLOEXEC_MAX 16

struct adopt {
  /* descriptors received: stdin, stdout, stderr, cwd, then the extras */
  int fds[POOL_NFDS + POOL_MAX_EXTRA];
  int nfds;
  /* the number each extra has in the launcher (ascending, all > 2) */
  int32_t numbers[POOL_MAX_EXTRA];
  int nextra;
  /* ours that the command must not have, closed on commit */
  int *junk;
  int njunk, junkcap;
};

static int adopt_has(const int *a, int n, int fd) {
  for (int i = 0; i < n; i++)
    if (a[i] == fd) return 1;
  return 0;
}

static int adopt_is_number(const struct adopt *a, int fd) {
  for (int i = 0; i < a->nextra; i++)
    if (a->numbers[i] == fd) return 1;
  return 0;
}

static int adopt_add_junk(struct adopt *a, int fd) {
  if (a->njunk == a->junkcap) {
    int cap = a->junkcap > 0 ? a->junkcap * 2 : 16;
    int *p = realloc(a->junk, sizeof(int) * (size_t)cap);
    if (p == NULL) return -1;
    a->junk = p;
    a->junkcap = cap;
  }
  a->junk[a->njunk++] = fd;
  return 0;
}

/* Move fd above `floor` (close-on-exec); the new number, or -1. */
static int adopt_move_above(int fd, int floor) {
  if (fd > floor) return fd;
  int m = fcntl(fd, F_DUPFD_CLOEXEC, floor + 1);
  if (m < 0) return -1;
  close(fd);
  return m;
}

/*
 * Can this process give the command the launcher's numbers? Lists what to
 * close on commit and moves the connection *conn and the received descriptors
 * above the highest number, out of the way. 0, or -1: refuse (nothing of ours
 * was closed; the caller closes what it received and the connection).
 */
static int adopt_prepare(struct adopt *a, int *conn, int lfd, int state_fd) {
  int top = 2;
  for (int i = 0; i < a->nextra; i++)
    if (a->numbers[i] > top) top = a->numbers[i];
  if (a->nextra > 0) {
    struct rlimit rl;
    /* the numbers, then our connection and the received ones above them */
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || (rlim_t)top + (rlim_t)a->nfds + 2 >= rl.rlim_cur) return -1;
  }
  a->njunk = 0;
  DIR *d = opendir("/proc/self/fd");
  if (d == NULL) {
    /* cannot tell ours from the launcher's numbers: only a command without extras */
    if (a->nextra > 0) return -1;
  } else {
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
      char *end;
      long n = strtol(e->d_name, &end, 10);
      int fd = (int)n;
      if (*end != '\0' || end == e->d_name || fd <= 2 || fd == dirfd(d) || fd == *conn || adopt_has(a->fds, a->nfds, fd)) continue;
      int fl = fcntl(fd, F_GETFD);
      if (fl < 0) continue;
      if (fd == lfd || fd == state_fd) {
        /* kept for the next command (close-on-exec, moved high: cli/pool/worker.ts) */
        if (adopt_is_number(a, fd)) rc = -1;
      } else if (!(fl & FD_CLOEXEC)) {
        rc = adopt_add_junk(a, fd);
      } else if (adopt_is_number(a, fd)) {
        rc = -1; /* Node's own */
      }
    }
    closedir(d);
    if (rc < 0) return -1;
  }
  if ((*conn = adopt_move_above(*conn, top)) < 0) return -1;
  for (int i = 0; i < a->nfds; i++)
    if ((a->fds[i] = adopt_move_above(a->fds[i], top)) < 0) return -1;
  return 0;
}

/*
 * Close what is not the command's, put the launcher's descriptors at their
 * numbers and 0-2, and go to its cwd. 0, or -1 with errno (dup2 failed).
 * *cwd_ok says whether fchdir() worked. The received descriptors are closed.
 */
static int adopt_commit(struct adopt *a, int *cwd_ok) {
  for (int i = 0; i < a->njunk; i++) close(a->junk[i]);
  int rc = 0;
  for (int i = 0; rc == 0 && i < a->nextra; i++) {
    int fd = a->numbers[i];
    if (dup2(a->fds[POOL_NFDS + i], fd) < 0) rc = -1;
    else if (fd <= NODE_CLOEXEC_MAX) fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  for (int i = 0; rc == 0 && i < 3; i++)
    if (dup2(a->fds[i], i) < 0) rc = -1;
  int e = errno;
  *cwd_ok = rc == 0 && fchdir(a->fds[3]) == 0;
  for (int i = 0; i < a->nfds; i++) close(a->fds[i]);
  a->nfds = 0;
  errno = e;
  return rc;
}

static void adopt_release(struct adopt *a) {
  for (int i = 0; i < a->nfds; i++)
    if (a->fds[i] >= 0) close(a->fds[i]);
  a->nfds = 0;
  free(a->junk);
  a->junk = NULL;
  a->njunk = a->junkcap = 0;
}

#endif
