/*
 * flux-reaper: nothing a broker started outlives it (docs/guide/architecture.md,
 * "Honest ends").
 *
 *   flux-reaper BROKER_PID LINEAGE_ID
 *
 * Every broker starts one, in a session of its own (so a signal to the broker's
 * process group does not reach it), with a pipe from the broker on stdin. It
 * waits. When the pipe reaches end of file — the broker exited, or was killed
 * with SIGKILL, which nothing in the broker can catch — it kills, with SIGKILL:
 *
 *   - every process whose environment names LINEAGE_ID in FLUX_TS_LINEAGE (a
 *     colon-separated list of broker ids that the broker puts in the
 *     environment of the initial program, job tasks and remote-exec processes,
 *     and that their descendants inherit: this catches a process that moved to
 *     a session or process group of its own with setsid, and one whose parent
 *     is gone);
 *   - every process in a session or process group the broker registered with a
 *     line "s PID" on the pipe (what stays in the initial program's session
 *     even with its environment cleared);
 *
 * and repeats until a pass finds no process it has not signalled yet (a
 * process that forked while the pass ran is caught by the next). Then, if the
 * broker is dead (killed: a clean exit keeps it alive until this ends), it
 * removes the directory the broker named with a line "r PATH" (the rundir it
 * made and would have removed at its exit: its sockets and job directories),
 * without following symbolic links or crossing into another file system. It spares the
 * broker (still alive at a clean exit, when it waits for this) and itself; a
 * warm client serving a command (`flux shutdown`) is the user's and never
 * carries the broker's own id. Each process is signalled through a pidfd
 * opened before it is examined, so a pid reused meanwhile is never hit.
 *
 * Exit status 0; 2 for bad arguments.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_SESSIONS 4096
#define MAX_KILLED 65536
#define MAX_PASSES 200
#define VAR "FLUX_TS_LINEAGE="

static pid_t broker;
static const char *lineage_id;
static size_t id_len;
static pid_t sessions[MAX_SESSIONS];
/* the start time of each registered leader: a session whose id was reused later is not ours */
static unsigned long long session_start[MAX_SESSIONS];
static int session_valid[MAX_SESSIONS];
static int nsessions;
/* "r PATH": the broker's own rundir, removed if it dies without removing it */
static char rundir[PATH_MAX];
static pid_t killed[MAX_KILLED];
static int nkilled;

static int pidfd_open_(pid_t pid) {
#ifdef SYS_pidfd_open
  return (int)syscall(SYS_pidfd_open, pid, 0);
#else
  (void)pid;
  errno = ENOSYS;
  return -1;
#endif
}

static int pidfd_kill(int pidfd, pid_t pid) {
#ifdef SYS_pidfd_send_signal
  if (pidfd >= 0) return (int)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
#endif
  (void)pidfd;
  return kill(pid, SIGKILL);
}

/* Read a whole /proc file (at most cap bytes) into buf; its length or -1. */
static ssize_t slurp(const char *path, char *buf, size_t cap) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t n = 0;
  while (n < cap) {
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += (size_t)r;
  }
  close(fd);
  return (ssize_t)n;
}

/* ppid, pgrp, session and start time from /proc/PID/stat (after the last ')': the name may hold anything). */
static int stat_ids(pid_t pid, pid_t *ppid, pid_t *pgrp, pid_t *sid, char *state, unsigned long long *start) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  ssize_t n = slurp(path, buf, sizeof buf - 1);
  if (n <= 0) return -1;
  buf[n] = '\0';
  char *p = strrchr(buf, ')');
  if (p == NULL) return -1;
  int a, b, c;
  unsigned long long st = 0;
  /* fields 3..8 then 9..21 skipped, 22 = starttime */
  if (sscanf(p + 1, " %c %d %d %d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", state, &a, &b, &c, &st) != 5) return -1;
  *ppid = a;
  *pgrp = b;
  *sid = c;
  if (start) *start = st;
  return 0;
}

/*
 * A pid stays allocated while any process has it as its session or group id,
 * so a registered id with members left is still the leader's; but one with none
 * left may be handed to a new process that makes it a session of its own: when
 * a live process has the id as its pid and another start time, it is not ours.
 */
static void check_sessions(void) {
  for (int i = 0; i < nsessions; i++) {
    pid_t pp, pg, sd;
    char st;
    unsigned long long start;
    session_valid[i] = !(stat_ids(sessions[i], &pp, &pg, &sd, &st, &start) == 0 && start != session_start[i]);
  }
}

/* Does FLUX_TS_LINEAGE in this NUL-separated environment name our id? */
static int env_names_us(const char *env, size_t len) {
  size_t vl = strlen(VAR);
  for (size_t off = 0; off < len;) {
    const char *e = env + off;
    size_t el = strnlen(e, len - off);
    if (el > vl && memcmp(e, VAR, vl) == 0) {
      const char *v = e + vl, *end = e + el;
      while (v < end) {
        const char *colon = memchr(v, ':', (size_t)(end - v));
        size_t l = colon ? (size_t)(colon - v) : (size_t)(end - v);
        if (l == id_len && memcmp(v, lineage_id, l) == 0) return 1;
        if (colon == NULL) break;
        v = colon + 1;
      }
    }
    off += el + 1;
  }
  return 0;
}

/* /proc/PID/environ can be large: read it in a buffer grown as needed (bounded). */
static int environ_names_us(pid_t pid) {
  static char *buf;
  static size_t cap;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
  if (cap == 0) {
    cap = 1 << 16;
    buf = malloc(cap);
    if (buf == NULL) return 0;
  }
  for (;;) {
    ssize_t n = slurp(path, buf, cap);
    if (n < 0) return 0;
    if ((size_t)n < cap || cap >= (32u << 20)) return env_names_us(buf, (size_t)n);
    char *bigger = realloc(buf, cap * 2);
    if (bigger == NULL) return env_names_us(buf, (size_t)n);
    buf = bigger;
    cap *= 2;
  }
}

static int registered(pid_t id) {
  for (int i = 0; i < nsessions; i++)
    if (sessions[i] == id && session_valid[i]) return 1;
  return 0;
}

static int already(pid_t pid) {
  for (int i = 0; i < nkilled; i++)
    if (killed[i] == pid) return 1;
  return 0;
}

/* One pass over /proc: the number of processes signalled for the first time. */
static int sweep(void) {
  DIR *d = opendir("/proc");
  if (d == NULL) return 0;
  pid_t self = getpid();
  int fresh = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    char *end;
    long v = strtol(de->d_name, &end, 10);
    if (*end != '\0' || v <= 1) continue;
    pid_t pid = (pid_t)v;
    if (pid == self || pid == broker) continue;
    int pidfd = pidfd_open_(pid);
    if (pidfd < 0 && errno != ENOSYS) continue; /* gone */
    pid_t ppid, pgrp, sid;
    char state;
    int hit = 0;
    if (stat_ids(pid, &ppid, &pgrp, &sid, &state, NULL) == 0 && state != 'Z')
      hit = registered(sid) || registered(pgrp) || environ_names_us(pid);
    if (hit && pidfd_kill(pidfd, pid) == 0 && !already(pid)) {
      fresh++;
      if (nkilled < MAX_KILLED) killed[nkilled++] = pid;
    }
    if (pidfd >= 0) close(pidfd);
  }
  closedir(d);
  return fresh;
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  remove(path); /* best effort: what cannot go stays */
  return 0;
}

/* The broker is gone (or a zombie): it was killed, and will not clean up. */
static int broker_dead(void) {
  pid_t pp, pg, sd;
  char st;
  return stat_ids(broker, &pp, &pg, &sd, &st, NULL) != 0 || st == 'Z' || st == 'X';
}

int main(int argc, char **argv) {
  if (argc != 3 || atoi(argv[1]) <= 1 || argv[2][0] == '\0') {
    fprintf(stderr, "usage: flux-reaper BROKER_PID LINEAGE_ID\n");
    return 2;
  }
  broker = (pid_t)atoi(argv[1]);
  lineage_id = argv[2];
  id_len = strlen(lineage_id);
  /* only SIGKILL, sent to this process by pid, stops it early */
  signal(SIGHUP, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  setsid();
  if (chdir("/") < 0) {
    /* nothing holds a mount busy either way */
  }

  /* wait for end of file, taking registrations */
  char line[PATH_MAX];
  size_t have = 0;
  for (;;) {
    char c;
    ssize_t r = read(0, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    if (c != '\n') {
      if (have < sizeof line - 1) line[have++] = c;
      continue;
    }
    line[have] = '\0';
    have = 0;
    if (line[0] == 's' && line[1] == ' ' && nsessions < MAX_SESSIONS) {
      long v = strtol(line + 2, NULL, 10);
      pid_t pp, pg, sd;
      char st;
      unsigned long long start;
      /* the leader's start time, read while it certainly is the leader */
      if (v > 1 && stat_ids((pid_t)v, &pp, &pg, &sd, &st, &start) == 0) {
        sessions[nsessions] = (pid_t)v;
        session_start[nsessions++] = start;
      }
    } else if (line[0] == 'r' && line[1] == ' ' && line[2] == '/') {
      snprintf(rundir, sizeof rundir, "%s", line + 2);
    }
  }

  struct timespec pause = {0, 2 * 1000 * 1000};
  check_sessions();
  for (int pass = 0; pass < MAX_PASSES; pass++) {
    if (sweep() == 0) break;
    nanosleep(&pause, NULL);
  }
  if (rundir[0] != '\0' && broker_dead()) nftw(rundir, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
  return 0;
}
