/*
 * flux-task: the parent of one job task, on the job's side of the broker
 * (docs/adr/0007-task-parent-outside-the-broker.md).
 *
 *   flux-task STATUS_FD FLAGS CPUS RLIMITS COMMAND [ARG...]
 *
 * The broker starts it (native/addon.c spawnTask) with the task's stdio,
 * environment and working directory, the PMI socket as fd 3 when the job has
 * PMI, and the write end of a status pipe as STATUS_FD. It forks the task and
 * waits for it: the task's parent is this process, never the broker, so a task
 * that signals or stops its parent ($PPID) reaches only its own job. The
 * broker watches this process (a pidfd): if it dies before it reported the
 * task's status, the job gets an exception naming the signal and the task's
 * process group is killed.
 *
 * FLAGS: "-", or letters: "p": the task runs on the terminal given as fds
 * 0-2 (it becomes the task's controlling terminal); "r": once the task ended,
 * remove the job's tmpdir ($FLUX_JOB_TMPDIR, the shell's only task: most
 * jobs leave it empty, and this is one hand-off less for the broker's loop).
 * CPUS: "-", or a comma-separated list of CPUs the task is bound to before it
 * runs (cpu-affinity), so that it never runs a moment unbound.
 * RLIMITS: "-", or a comma-separated list RESOURCE=VALUE (RESOURCE the
 * number of an RLIMIT_*, VALUE the soft limit, -1 = unlimited) set in the task
 * before it runs (shell option rlimit); a value above the hard limit is the
 * hard limit (the job shell warns about it).
 *
 * The task: a session of its own (its process group is its pid, which is how
 * the broker signals it), signals at their defaults (as this process got
 * them), COMMAND looked up in the PATH of its own environment (execvp).
 *
 * Records on STATUS_FD, each one struct task_record (8 bytes, so one write is
 * one record):
 *   'F' pid      the task's process exists (written by the task itself before
 *                exec: the broker knows the pid, and can kill its group, even
 *                when the task kills this process at once)
 *   'P' pid      the task runs (it has exec'd COMMAND)
 *   'E' errno    COMMAND could not be started (nothing runs)
 *   'R' errno    with FLAGS "r": rmdir of $FLUX_JOB_TMPDIR after the task
 *                ended (0, or ENOTEMPTY: the broker removes what is in it)
 *   'X' status   the task ended, with this wait status
 * then this process exits 0. Exit status 2: bad arguments, 3: fork failed.
 *
 * On x86_64 it is linked without the C library, against native/flux-task-rt.c
 * (no glibc start-up: ADR 0007's addendum), so it calls only what that file
 * provides.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "task-record.h"

static int status_fd = -1;

static void report(uint32_t type, int32_t value) {
  struct task_record r = {type, value};
  ssize_t n;
  do n = write(status_fd, &r, sizeof r);
  while (n < 0 && errno == EINTR);
}

static int parse_cpus(const char *s, cpu_set_t *set) {
  CPU_ZERO(set);
  while (*s != '\0') {
    char *end;
    long c = strtol(s, &end, 10);
    if (end == s || c < 0 || c >= CPU_SETSIZE) return -1;
    CPU_SET((int)c, set);
    s = *end == ',' ? end + 1 : end;
    if (*end != ',' && *end != '\0') return -1;
  }
  return 0;
}

#define MAX_RLIMITS 16

struct rl_rule {
  int resource;
  long long value;
};

static int parse_rlimits(const char *s, struct rl_rule *rules, int *n) {
  *n = 0;
  if (strcmp(s, "-") == 0) return 0;
  while (*s != '\0') {
    char *end;
    long r = strtol(s, &end, 10);
    if (end == s || *end != '=' || r < 0 || r >= RLIM_NLIMITS || *n >= MAX_RLIMITS) return -1;
    s = end + 1;
    long long v = strtoll(s, &end, 10);
    if (end == s || v < -1 || (*end != ',' && *end != '\0')) return -1;
    rules[*n].resource = (int)r;
    rules[*n].value = v;
    (*n)++;
    s = *end == ',' ? end + 1 : end;
  }
  return 0;
}

/* the soft limits, each at most the hard limit (which stays as it is) */
static void apply_rlimits(const struct rl_rule *rules, int n) {
  for (int i = 0; i < n; i++) {
    struct rlimit rl;
    if (getrlimit(rules[i].resource, &rl) < 0) continue;
    rlim_t want = rules[i].value < 0 ? RLIM_INFINITY : (rlim_t)rules[i].value;
    if (rl.rlim_max != RLIM_INFINITY && (want == RLIM_INFINITY || want > rl.rlim_max)) want = rl.rlim_max;
    rl.rlim_cur = want;
    (void)setrlimit(rules[i].resource, &rl);
  }
}

/* FLAGS "r": the job's tmpdir once its only task is over ('R': 0 or the errno) */
static void remove_tmpdir(const char *dir) {
  if (dir == NULL || *dir == '\0') return;
  report('R', rmdir(dir) < 0 ? errno : 0);
}

int main(int argc, char **argv) {
  if (argc < 6) return 2;
  char *end;
  long fd = strtol(argv[1], &end, 10);
  if (*end != '\0' || fd < 3 || fd > 1024) return 2;
  status_fd = (int)fd;
  int pty = strchr(argv[2], 'p') != NULL;
  const char *tmpdir = strchr(argv[2], 'r') != NULL ? getenv("FLUX_JOB_TMPDIR") : NULL;
  int bind = strcmp(argv[3], "-") != 0;
  cpu_set_t cpus;
  if (bind && parse_cpus(argv[3], &cpus) < 0) return 2;
  struct rl_rule rules[MAX_RLIMITS];
  int nrules = 0;
  if (parse_rlimits(argv[4], rules, &nrules) < 0) return 2;
  if (fcntl(status_fd, F_SETFD, FD_CLOEXEC) < 0) return 2;
  /* the broker's end: we do not outlive it (the task's fate is the reaper's) */
  prctl(PR_SET_PDEATHSIG, SIGKILL);

  /* the child tells us why exec failed through this pipe; exec closes it */
  int ep[2];
  /* and waits on this one until we hold none of its descriptors (see below) */
  int gp[2];
  if (pipe2(ep, O_CLOEXEC) < 0 || pipe2(gp, O_CLOEXEC) < 0) {
    report('E', errno);
    return 0;
  }
  pid_t pid = fork();
  if (pid < 0) {
    report('E', errno);
    return 3;
  }
  if (pid == 0) {
    close(ep[0]);
    close(gp[1]);
    prctl(PR_SET_PDEATHSIG, 0);
    setsid();
    report('F', (int32_t)getpid());
    char go = 0;
    ssize_t g;
    do g = read(gp[0], &go, 1);
    while (g < 0 && errno == EINTR);
    /* no go: our parent died before it let go of our descriptors; nothing runs */
    if (g != 1) _exit(127);
    if (pty) ioctl(0, TIOCSCTTY, 0);
    apply_rlimits(rules, nrules);
    if (bind) sched_setaffinity(0, sizeof cpus, &cpus);
    execvp(argv[5], argv + 5);
    int e = errno;
    (void)!write(ep[1], &e, sizeof e);
    _exit(127);
  }
  close(ep[1]);
  close(gp[0]);
  /*
   * The task's stdio and PMI socket are the task's alone: we close our copies
   * before it runs, so its output ends when it (and what it started) ends, even
   * if it stops us at once (kill -STOP $PPID): the broker sees the end of its
   * output, and then finds us stopped (native-spawn.ts watchStoppedParent).
   */
  for (int i = 0; i <= 3; i++)
    if (i != status_fd) close(i);
  {
    ssize_t g;
    do g = write(gp[1], "g", 1);
    while (g < 0 && errno == EINTR);
    close(gp[1]);
  }
  int e = 0;
  ssize_t n;
  do n = read(ep[0], &e, sizeof e);
  while (n < 0 && errno == EINTR);
  close(ep[0]);
  if (n == (ssize_t)sizeof e) {
    waitpid(pid, NULL, 0);
    remove_tmpdir(tmpdir);
    report('E', e);
    return 0;
  }
  report('P', (int32_t)pid);
  int st;
  pid_t w;
  do w = waitpid(pid, &st, 0);
  while (w < 0 && errno == EINTR);
  remove_tmpdir(tmpdir);
  report('X', w == pid ? st : (int32_t)(128 + SIGKILL) << 8);
  return 0;
}
