/*
 * The broker zygote's fork server (cli/broker-zygote.ts, ADR 0024): one Node
 * process loads the broker's code once, then forks a broker for each rank
 * that `flux start --test-size` asks for, so that a rank other than 0 pays
 * neither Node's start nor the bundle's evaluation (about half of a leaf's
 * CPU at start-up).
 *
 *   zygoteServe(ctl, pairLo, pairHi) -> [rank, pid]   (in a child only)
 *
 * The front end (cli/start/zygote.ts) writes "R\n" on `ctl` for each rank R
 * to start; the zygote answers "P R PID\n" once forked (or "E R ERRNO\n"),
 * and "X PID STATUS\n" (the raw wait status) when that broker ends. Rank R's
 * PMI socket and front-end guard are the zygote's descriptors
 * pairLo + 2(R-1) and the one after it; the child gets them as 3 and 4,
 * close-on-exec as a fresh Node has them, and none of the others'.
 *
 * In the zygote this call never returns: at end of file on `ctl` it exits.
 * In a child it returns [R, its pid] after uv_loop_fork() (the child's own epoll set,
 * async and signal descriptors), its own session (setsid, as the spawned
 * followers have) and the signal dispositions Node had.
 *
 * A forked Node has none of the parent's other threads: the zygote runs with
 * V8's collections and compiler on the main thread (--single-threaded-gc
 * --no-concurrent-recompilation, which keep the bundle's code cache valid),
 * and a child leaves through zygoteExit (_exit), never through Node's
 * teardown, which would wait forever to join threads it does not have.
 *
 * Included by addon.c only.
 */
#ifndef FLUX_ZYGOTE_H
#define FLUX_ZYGOTE_H
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#define ZYGOTE_MAX 4096

static int zygote_write_all(int fd, const char *buf, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, buf, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += w;
    n -= (size_t)w;
  }
  return 0;
}

/*
 * V8 marks its heap's mappings MADV_DONTFORK: a child would find them gone.
 * Every mapping so marked (VmFlags "dc" in /proc/self/smaps) is made
 * inheritable again; the zygote runs no JavaScript while it serves, so none
 * is added afterwards. -1 if smaps cannot be read.
 */
static int zygote_inherit_all(void) {
  FILE *f = fopen("/proc/self/smaps", "re");
  if (f == NULL) return -1;
  /* a mapping's line holds its path: PATH_MAX and its numbers fit */
  char line[4096 + 256];
  unsigned long lo = 0, hi = 0;
  while (fgets(line, sizeof line, f) != NULL) {
    unsigned long a, b;
    /* "START-END perms ...": no field line ("Size:", "FilePmdMapped:") has a '-' after hex digits */
    if (sscanf(line, "%lx-%lx ", &a, &b) == 2) {
      lo = a;
      hi = b;
      continue;
    }
    if (strncmp(line, "VmFlags:", 8) == 0 && strstr(line, " dc") != NULL && hi > lo) madvise((void *)lo, hi - lo, MADV_DOFORK);
  }
  fclose(f);
  return 0;
}

/*
 * The zygote's other threads (V8's platform workers, libuv's pool) are idle,
 * each blocked in a condition variable's futex. A child has none of them, but
 * the condition variables still count them as waiters, and glibc's
 * pthread_cond_signal can wait for such a waiter to leave its group: the
 * child's first worker task (V8 posts one at every full collection) then
 * hung it for good. So the child starts those condition variables afresh.
 * Their addresses: the futex word each thread waits on
 * (/proc/self/task/TID/syscall), one of __g_signals[0..1] at offset 40/44 of
 * glibc's pthread_cond_t, taken only where __wrefs (offset 36) counts waiters.
 */
#define ZYGOTE_MAX_WAITS 64
static uintptr_t zygote_waits[ZYGOTE_MAX_WAITS];
static int zygote_nwaits;

static void zygote_find_waits(void) {
  zygote_nwaits = 0;
  DIR *d = opendir("/proc/self/task");
  if (d == NULL) return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && zygote_nwaits < ZYGOTE_MAX_WAITS) {
    long tid = strtol(e->d_name, NULL, 10);
    if (tid <= 0 || tid == (long)getpid()) continue;
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/self/task/%ld/syscall", tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) continue;
    buf[n] = '\0';
    long nr = -1;
    unsigned long uaddr = 0;
    if (sscanf(buf, "%ld 0x%lx", &nr, &uaddr) == 2 && nr == SYS_futex && uaddr != 0) zygote_waits[zygote_nwaits++] = (uintptr_t)uaddr;
  }
  closedir(d);
}

static void zygote_reset_waits(void) {
  for (int i = 0; i < zygote_nwaits; i++) {
    uintptr_t a = zygote_waits[i];
    uintptr_t base = (a % 8 == 0) ? a - 40 : a - 44;
    if (base % 8 != 0 || sizeof(pthread_cond_t) != 48) continue;
    unsigned int wrefs = *(volatile unsigned int *)(base + 36);
    if ((wrefs >> 3) == 0) continue; /* no waiter counted: not a condition variable's wait, or none to forget */
    memset((void *)base, 0, sizeof(pthread_cond_t));
    /* bits 0-1: process-shared and the clock (uv_cond_init's CLOCK_MONOTONIC), as initialised */
    *(volatile unsigned int *)(base + 36) = wrefs & 3;
  }
}

struct zygote_child {
  pid_t pid;
  int pidfd;
};

/* the signals Node handles itself (SignalExit on SIGINT and SIGTERM), ignored by the zygote */
static const int zygote_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define ZYGOTE_NSIG (sizeof zygote_signals / sizeof zygote_signals[0])

static void zygote_child_setup(napi_env env, int ctl, int pmi, int guard, int lo, int hi, struct zygote_child *kids, int nkids,
                               struct sigaction *saved) {
  for (size_t i = 0; i < ZYGOTE_NSIG; i++) sigaction(zygote_signals[i], &saved[i], NULL);
  zygote_reset_waits();
  setsid();
  for (int i = 0; i < nkids; i++) close(kids[i].pidfd);
  if (dup2(pmi, 3) < 0 || dup2(guard, 4) < 0) _exit(126);
  fcntl(3, F_SETFD, FD_CLOEXEC);
  fcntl(4, F_SETFD, FD_CLOEXEC);
  for (int fd = 5; fd <= hi; fd++) close(fd);
  if (ctl > 4) close(ctl);
  (void)lo;
  uv_loop_t *loop = NULL;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == NULL || uv_loop_fork(loop) != 0) _exit(126);
}

static napi_value js_zygote_serve(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t ctl = -1, lo = -1, hi = -1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3 || napi_get_value_int32(env, argv[0], &ctl) != napi_ok || napi_get_value_int32(env, argv[1], &lo) != napi_ok ||
      napi_get_value_int32(env, argv[2], &hi) != napi_ok || ctl < 0 || lo < 4 || hi < lo) {
    napi_throw_type_error(env, NULL, "zygoteServe(ctl, pairLo, pairHi): descriptors expected");
    return NULL;
  }
  struct sigaction saved[ZYGOTE_NSIG];
  struct sigaction ign;
  memset(&ign, 0, sizeof ign);
  ign.sa_handler = SIG_IGN;
  for (size_t i = 0; i < ZYGOTE_NSIG; i++) sigaction(zygote_signals[i], &ign, &saved[i]);

  zygote_find_waits();
  if (zygote_inherit_all() < 0) {
    napi_throw_error(env, NULL, "zygoteServe: /proc/self/smaps cannot be read");
    return NULL;
  }
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull < 0) {
    napi_throw_error(env, NULL, "zygoteServe: /dev/null cannot be opened");
    return NULL;
  }
  static struct zygote_child kids[ZYGOTE_MAX];
  static struct pollfd pfds[ZYGOTE_MAX + 1];
  int nkids = 0;
  char in[4096];
  size_t inlen = 0;
  for (;;) {
    pfds[0].fd = ctl;
    pfds[0].events = POLLIN;
    for (int i = 0; i < nkids; i++) {
      pfds[i + 1].fd = kids[i].pidfd;
      pfds[i + 1].events = POLLIN;
    }
    int n = poll(pfds, (nfds_t)nkids + 1, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      _exit(1);
    }
    /* ended brokers first: their slots are reused below */
    for (int i = nkids - 1; i >= 0; i--) {
      if (!(pfds[i + 1].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      int st = 0;
      pid_t r = waitpid(kids[i].pid, &st, WNOHANG);
      if (r == 0) continue;
      char line[64];
      int len = snprintf(line, sizeof line, "X %d %d\n", (int)kids[i].pid, r < 0 ? 0 : st);
      zygote_write_all(ctl, line, (size_t)len);
      close(kids[i].pidfd);
      kids[i] = kids[--nkids];
    }
    if (!(pfds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    ssize_t got = read(ctl, in + inlen, sizeof in - inlen);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) _exit(0); /* the front end is done (or gone) */
    inlen += (size_t)got;
    char *start = in;
    char *nl;
    while ((nl = memchr(start, '\n', inlen - (size_t)(start - in))) != NULL) {
      *nl = '\0';
      int rank = atoi(start);
      start = nl + 1;
      int pmi = lo + 2 * (rank - 1);
      int guard = pmi + 1;
      char line[64];
      if (rank < 1 || guard > hi || nkids >= ZYGOTE_MAX) {
        int len = snprintf(line, sizeof line, "E %d %d\n", rank, EINVAL);
        zygote_write_all(ctl, line, (size_t)len);
        continue;
      }
      pid_t pid = fork();
      if (pid == 0) {
        close(devnull);
        zygote_child_setup(env, ctl, pmi, guard, lo, hi, kids, nkids, saved);
        napi_value out, v;
        napi_create_array_with_length(env, 2, &out);
        napi_create_int32(env, rank, &v);
        napi_set_element(env, out, 0, v);
        napi_create_int32(env, (int32_t)getpid(), &v);
        napi_set_element(env, out, 1, v);
        return out;
      }
      /* The child has them now: a rank's PMI socket ends when its broker does, as for a
       * spawned one. /dev/null takes their numbers rather than leaving them free: the
       * next child's fork handlers (libuv's) would open descriptors there, which its
       * close of the range would then take from it. */
      dup2(devnull, pmi);
      dup2(devnull, guard);
      int len;
      if (pid < 0) {
        len = snprintf(line, sizeof line, "E %d %d\n", rank, errno);
      } else {
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0) {
          /* no pidfd: this broker's end cannot be seen; stop it rather than lose it */
          kill(pid, SIGKILL);
          waitpid(pid, NULL, 0);
          len = snprintf(line, sizeof line, "E %d %d\n", rank, errno);
        } else {
          fcntl(pidfd, F_SETFD, FD_CLOEXEC);
          kids[nkids].pid = pid;
          kids[nkids].pidfd = pidfd;
          nkids++;
          len = snprintf(line, sizeof line, "P %d %d\n", rank, (int)pid);
        }
      }
      zygote_write_all(ctl, line, (size_t)len);
    }
    inlen -= (size_t)(start - in);
    memmove(in, start, inlen);
    if (inlen == sizeof in) inlen = 0; /* a line longer than any request: not ours */
  }
}

/*
 * What /proc/PID/cmdline and /proc/PID/environ show of a forked broker
 * (ps, pgrep, `flux uri pid:`): the memory they read is the zygote's command
 * line and first environment, copied by fork. The broker's own command line
 * is written over the first (the zygote's is longer: its V8 flags and
 * descriptor numbers), and its rank over the placeholder value of PMI_RANK
 * in the second; unused bytes become NULs.
 */
static int zygote_proc_areas(unsigned long *a) {
  char buf[2048];
  int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  char *p = strrchr(buf, ')');
  if (p == NULL) return -1;
  /* p + 2 is field 3; arg_start..env_end are fields 48-51 */
  p += 2;
  for (int field = 3; field < 48; field++) {
    p = strchr(p, ' ');
    if (p == NULL) return -1;
    p++;
  }
  return sscanf(p, "%lu %lu %lu %lu", &a[0], &a[1], &a[2], &a[3]) == 4 ? 0 : -1;
}

static napi_value js_zygote_retitle(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  uint32_t nwords = 0;
  int32_t rank = 0;
  bool is_array = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_is_array(env, argv[0], &is_array) != napi_ok || !is_array || napi_get_value_int32(env, argv[1], &rank) != napi_ok) {
    napi_throw_type_error(env, NULL, "zygoteRetitle(words, rank): an array of strings and a number");
    return NULL;
  }
  unsigned long a[4];
  if (zygote_proc_areas(a) < 0 || a[1] <= a[0] || a[3] <= a[2]) return NULL;
  char *area = (char *)a[0];
  size_t size = a[1] - a[0], at = 0;
  napi_get_array_length(env, argv[0], &nwords);
  for (uint32_t i = 0; i < nwords; i++) {
    napi_value w;
    size_t len = 0;
    napi_get_element(env, argv[0], i, &w);
    if (napi_get_value_string_utf8(env, w, NULL, 0, &len) != napi_ok) break;
    if (at + len + 1 >= size) break;
    napi_get_value_string_utf8(env, w, area + at, len + 1, &len);
    at += len + 1;
  }
  memset(area + at, 0, size - at);
  /* the environment: PMI_RANK=<placeholder> as a whole string */
  char *e = (char *)a[2], *end = (char *)a[3];
  while (e < end) {
    size_t len = strnlen(e, (size_t)(end - e));
    if (len > 9 && strncmp(e, "PMI_RANK=", 9) == 0) {
      char digits[16];
      int dl = snprintf(digits, sizeof digits, "%d", (int)rank);
      if ((size_t)dl <= len - 9) {
        memset(e + 9, 0, len - 9);
        memcpy(e + 9, digits, (size_t)dl);
      }
      break;
    }
    e += len + 1;
  }
  return NULL;
}

#endif
