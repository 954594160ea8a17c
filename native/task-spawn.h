/*
 * spawnTask for the job shell (included by addon.c): start a task through its
 * own parent, flux-task (native/flux-task.c), so that nothing a task does to
 * its parent reaches the broker.
 *
 *   spawnTask(helper, argv, envp, cwd, opts, onEvent)
 *     helper   absolute path of flux-task
 *     argv     the task's command line (argv[0] looked up in the PATH of envp)
 *     envp     an array of "NAME=value", or one string of them joined by NULs
 *     opts     {pmi: bool, pty?: {cols, rows}, cpus?: string, rlimits?: string, via?: string[]}
 *              via: helper is the IMP (flux-imp(8)), run as `helper VIA... STATUS_FD ...`;
 *              it runs flux-task as the job's user
 *     onEvent(kind, a, b), kind one of
 *       'S' a = flux-task's pid (it was spawned and is watched); first, once
 *       'F' a = the task's pid (its process exists; it may not have exec'd)
 *       'P' a = the task's pid (it runs)
 *       'E' a = errno (it could not be started; nothing runs): flux-task's
 *           own spawn failed (instead of 'S', then 'Z' -1), or its exec of the task
 *       'X' a = the task's wait status
 *       'Z' flux-task itself ended: a = exit code or -1, b = signal or 0;
 *           always last. Without an 'X' (or 'E') before it, the task's parent
 *           was killed and its task is an orphan: the caller kills its group.
 *   -> {stdin, stdout, stderr, pmi, pty} (descriptors the caller owns at
 *      once: pipes, or pty = the terminal's master for a task on a
 *      pseudo-terminal) or {errno} (they could not be made: no event follows)
 *
 * flux-task is spawned with posix_spawn (vfork: its cost does not grow with
 * the broker's memory), in a session of its own, signals at default, the
 * task's stdio on fds 0-2, the PMI socketpair's end as fd 3 with pmi, and the
 * status pipe after those. The spawn runs on a thread of Node's pool (napi
 * async work): posix_spawn returns only once flux-task has exec'd (1-2 ms),
 * and the loop goes on meanwhile. Every descriptor is made on the loop's
 * thread before, close-on-exec, so a spawn on another thread inherits none
 * but its own dup2s; the task's ends are closed when the spawn is over. Its
 * exit is then watched through a pidfd, its records through the status pipe,
 * both polled on Node's loop; no record is read before 'S'.
 *
 *   setWinsize(fd, cols, rows)   TIOCSWINSZ on a terminal's master
 *   jobDirs(tmpdir, cwd, cb)     mkdir of a job's tmpdir and the check of its
 *                                cwd, in one trip to Node's pool
 *   writeWhole(path, text, mode, cb)
 *                                a small file written whole (open, write, close)
 *                                in one trip to Node's pool
 */
#include <termios.h>

#include "task-record.h"

struct task_watch {
  uv_poll_t exit_poll;
  uv_poll_t status_poll;
  int pidfd;
  int status_fd;
  int status_open;
  int handles;
  unsigned char buf[sizeof(struct task_record)];
  size_t have;
  napi_env env;
  napi_ref cb;
  napi_async_context ctx;
};

static void task_event(struct task_watch *w, char kind, int a, int b) {
  napi_env env = w->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value fn, global, argv[3], result;
  char k[2] = {kind, '\0'};
  napi_get_reference_value(env, w->cb, &fn);
  napi_get_global(env, &global);
  napi_create_string_utf8(env, k, 1, &argv[0]);
  napi_create_int32(env, a, &argv[1]);
  napi_create_int32(env, b, &argv[2]);
  napi_make_callback(env, w->ctx, global, fn, 3, argv, &result);
  napi_close_handle_scope(env, scope);
}

/* every whole record readable now; 0 at end of file, 1 while it is open */
static int task_read_records(struct task_watch *w) {
  for (;;) {
    ssize_t n = read(w->status_fd, w->buf + w->have, sizeof w->buf - w->have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EAGAIN ? 1 : 0;
    if (n == 0) return 0;
    w->have += (size_t)n;
    if (w->have == sizeof w->buf) {
      struct task_record r;
      memcpy(&r, w->buf, sizeof r);
      w->have = 0;
      if (r.type == 'F' || r.type == 'P' || r.type == 'E' || r.type == 'R' || r.type == 'X') task_event(w, (char)r.type, r.value, 0);
    }
  }
}

static void task_watch_closed(uv_handle_t *h) {
  struct task_watch *w = h->data;
  if (--w->handles == 0) free(w);
}

static void task_stop_status(struct task_watch *w) {
  if (!w->status_open) return;
  w->status_open = 0;
  uv_poll_stop(&w->status_poll);
}

static void on_task_status(uv_poll_t *p, int status, int events) {
  (void)status;
  (void)events;
  struct task_watch *w = p->data;
  if (!task_read_records(w)) task_stop_status(w);
}

static void on_task_exit(uv_poll_t *p, int status, int events) {
  (void)status;
  (void)events;
  struct task_watch *w = p->data;
  siginfo_t si;
  memset(&si, 0, sizeof si);
  if (waitid(P_PIDFD, (id_t)w->pidfd, &si, WEXITED | WNOHANG) < 0 || si.si_pid == 0) return;
  uv_poll_stop(&w->exit_poll);
  /* what it wrote before it ended comes first */
  if (w->status_open) task_read_records(w);
  task_stop_status(w);
  int code = si.si_code == CLD_EXITED ? si.si_status : -1;
  int sig = si.si_code == CLD_EXITED ? 0 : si.si_status;
  task_event(w, 'Z', code, sig);
  napi_delete_reference(w->env, w->cb);
  napi_async_destroy(w->env, w->ctx);
  close(w->pidfd);
  close(w->status_fd);
  uv_close((uv_handle_t *)&w->exit_poll, task_watch_closed);
  uv_close((uv_handle_t *)&w->status_poll, task_watch_closed);
}

/* A JS array of strings as a NULL-terminated vector after `skip` empty slots (one allocation). */
static char **string_vector_at(napi_env env, napi_value arr, uint32_t skip) {
  uint32_t n = 0;
  napi_get_array_length(env, arr, &n);
  size_t total = 0;
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    size_t len = 0;
    napi_get_element(env, arr, i, &v);
    if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
    total += len + 1;
  }
  char **vec = calloc(1, (skip + n + 1) * sizeof(char *) + total);
  if (vec == NULL) return NULL;
  char *p = (char *)(vec + skip + n + 1);
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    size_t len = 0;
    napi_get_element(env, arr, i, &v);
    napi_get_value_string_utf8(env, v, p, total, &len);
    vec[skip + i] = p;
    p += len + 1;
    total -= len + 1;
  }
  vec[skip + n] = NULL;
  return vec;
}

/* A JS string of NUL-separated strings ("A=1\0B=2") as a NULL-terminated vector (one allocation, one copy). */
static char **string_vector_joined(napi_env env, napi_value str) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, str, NULL, 0, &len) != napi_ok) return NULL;
  size_t n = len > 0 ? 1 : 0;
  /* count after the copy: the separators are the NULs in it */
  char *tmp = malloc(len + 1);
  if (tmp == NULL) return NULL;
  napi_get_value_string_utf8(env, str, tmp, len + 1, &len);
  for (size_t i = 0; i < len; i++)
    if (tmp[i] == '\0') n++;
  char **vec = malloc((n + 1) * sizeof(char *) + len + 1);
  if (vec == NULL) {
    free(tmp);
    return NULL;
  }
  char *p = (char *)(vec + n + 1);
  memcpy(p, tmp, len + 1);
  free(tmp);
  size_t k = 0;
  if (len > 0) {
    vec[k++] = p;
    for (size_t i = 0; i < len; i++)
      if (p[i] == '\0') vec[k++] = p + i + 1;
  }
  vec[k] = NULL;
  return vec;
}

static void set_fd(napi_env env, napi_value obj, const char *name, int fd) {
  napi_value v;
  napi_create_int32(env, fd, &v);
  napi_set_named_property(env, obj, name, v);
}

/* opts.name as an int (0 when absent) */
static int32_t opt_int(napi_env env, napi_value obj, const char *name) {
  napi_value v;
  int32_t out = 0;
  bool has = false;
  if (napi_has_named_property(env, obj, name, &has) == napi_ok && has && napi_get_named_property(env, obj, name, &v) == napi_ok)
    napi_get_value_int32(env, v, &out);
  return out;
}

static void close_all(int *fds, int n) {
  for (int i = 0; i < n; i++)
    if (fds[i] >= 0) close(fds[i]);
}

/* a new pseudo-terminal: its master (ours) and slave (the task's), at this size */
static int open_pty(int *master, int *slave, int cols, int rows) {
  *master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (*master < 0) return errno;
  char name[128];
  if (grantpt(*master) < 0 || unlockpt(*master) < 0 || ptsname_r(*master, name, sizeof name) != 0 ||
      (*slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
    int e = errno;
    close(*master);
    *master = -1;
    return e;
  }
  struct winsize ws = {(unsigned short)(rows > 0 ? rows : 25), (unsigned short)(cols > 0 ? cols : 80), 0, 0};
  ioctl(*master, TIOCSWINSZ, &ws);
  return 0;
}

/*
 * One spawn in flight: what the worker thread needs (all of it copied out of
 * JS on the loop thread: no napi call off it) and what it found.
 */
struct spawn_job {
  napi_async_work work;
  struct task_watch *w;
  uv_loop_t *loop;
  char **argv;
  char **envp;
  char **via;
  char helper[4096];
  char cwd[4096];
  char cpus[4096];
  char rlimits[1024];
  /* opts.tmpdir: made (0700) before the spawn, on this trip; EEXIST is no error */
  char tmpdir[4096];
  /* opts.cwdFallback: where the task runs when cwd is not a directory */
  char fallback[4096];
  int tmpdir_errno;
  int cwd_errno;
  char fdarg[16];
  /* flux-task's FLAGS: "-", or p (pty) and r (remove the tmpdir after the task) */
  char flags[4];
  int use_pty;
  int pmi;
  int status_num;
  /* theirs: in[0] out[1] err[1] sp[1] st[1] slave (closed once the spawn is over) */
  int theirs[6];
  /* the status pipe's read end (ours: the caller owns the other ones at once) */
  int status_fd;
  pid_t pid;
  int pidfd;
  int rc;
};

/* remove the variable that starts with `prefix` ("NAME=") from a NULL-ended environment */
static void drop_env(char **envp, const char *prefix) {
  size_t n = strlen(prefix), i = 0;
  while (envp[i] != NULL && strncmp(envp[i], prefix, n) != 0) i++;
  for (; envp[i] != NULL; i++) envp[i] = envp[i + 1];
}

/* on a threadpool thread: posix_spawn (it returns once flux-task has exec'd) and its pidfd */
/*
 * A pool thread that runs our work is made SCHED_BATCH, once: when the loop
 * queues work while the machine is busy, the woken thread no longer preempts
 * the loop thread that woke it (CFS wake-up preemption). Measured on the
 * 2-core VM at load 5-8, 1000 jobs: the loop's time in napi_queue_async_work
 * went from ~120 to ~55 us a call. What such a thread spawns (flux-task, and
 * so every job task) is set back to SCHED_OTHER (spawn_execute).
 */
static void pool_thread_batch(void) {
  static __thread int done;
  if (done) return;
  done = 1;
  struct sched_param sp = {0};
  (void)sched_setscheduler(0, SCHED_BATCH, &sp);
}

static void spawn_execute(napi_env env, void *data) {
  pool_thread_batch();
  (void)env;
  struct spawn_job *j = data;
  int *th = j->theirs;
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&at);
  posix_spawn_file_actions_adddup2(&fa, j->use_pty ? th[5] : th[0], 0);
  posix_spawn_file_actions_adddup2(&fa, j->use_pty ? th[5] : th[1], 1);
  posix_spawn_file_actions_adddup2(&fa, j->use_pty ? th[5] : th[2], 2);
  if (j->pmi) posix_spawn_file_actions_adddup2(&fa, th[3], 3);
  posix_spawn_file_actions_adddup2(&fa, th[4], j->status_num);
  /*
   * The job's tmpdir and its cwd check ride on this trip (one hand-off to the
   * pool a task, not two): a tmpdir that cannot be made leaves the task
   * without FLUX_JOB_TMPDIR, a cwd that is not a directory sends it to the
   * fallback; both are told to the loop ('D') before the spawn's outcome.
   */
  if (j->tmpdir[0] != '\0' && mkdir(j->tmpdir, 0700) < 0 && errno != EEXIST) {
    j->tmpdir_errno = errno;
    drop_env(j->envp, "FLUX_JOB_TMPDIR=");
  }
  const char *cwd = j->cwd;
  if (j->fallback[0] != '\0') {
    struct stat st;
    if (stat(j->cwd, &st) < 0) j->cwd_errno = errno;
    else if (!S_ISDIR(st.st_mode)) j->cwd_errno = ENOTDIR;
    if (j->cwd_errno != 0) cwd = j->fallback;
  }
  posix_spawn_file_actions_addchdir_np(&fa, cwd);
  /* SCHED_OTHER: this pool thread is SCHED_BATCH (pool_thread_batch), which a child would inherit */
  struct sched_param other = {0};
  posix_spawnattr_setschedpolicy(&at, SCHED_OTHER);
  posix_spawnattr_setschedparam(&at, &other);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSCHEDULER);
  posix_spawnattr_setsigmask(&at, &none);
  posix_spawnattr_setsigdefault(&at, &all);
  j->rc = posix_spawn(&j->pid, j->helper, &fa, &at, j->argv, j->envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  if (j->rc != 0) return;
  j->pidfd = (int)syscall(SYS_pidfd_open, j->pid, 0);
  if (j->pidfd < 0) {
    /* cannot watch it: it must not run unwatched */
    j->rc = errno;
    kill(j->pid, SIGKILL);
    waitpid(j->pid, NULL, 0);
  }
}

static void spawn_job_free(struct spawn_job *j) {
  free(j->argv);
  free(j->envp);
  free(j->via);
  free(j);
}

/* back on the loop: watch flux-task ('S' its pid), or report why it did not start ('E', then 'Z') */
static void spawn_complete(napi_env env, napi_status status, void *data) {
  struct spawn_job *j = data;
  struct task_watch *w = j->w;
  close_all(j->theirs, 6);
  if (status != napi_ok && j->rc == 0) {
    /* never ran (cancelled): nothing to watch */
    j->rc = ECANCELED;
    if (j->pidfd >= 0) {
      kill(j->pid, SIGKILL);
      waitpid(j->pid, NULL, 0);
      close(j->pidfd);
    }
  }
  napi_delete_async_work(env, j->work);
  if (j->tmpdir_errno != 0 || j->cwd_errno != 0) task_event(w, 'D', j->tmpdir_errno, j->cwd_errno);
  if (j->rc != 0) {
    close(j->status_fd);
    task_event(w, 'E', j->rc, 0);
    task_event(w, 'Z', -1, 0);
    napi_delete_reference(env, w->cb);
    napi_async_destroy(env, w->ctx);
    free(w);
    spawn_job_free(j);
    return;
  }
  w->pidfd = j->pidfd;
  w->status_fd = j->status_fd;
  w->status_open = 1;
  w->handles = 2;
  uv_poll_init(j->loop, &w->exit_poll, j->pidfd);
  uv_poll_init(j->loop, &w->status_poll, j->status_fd);
  w->exit_poll.data = w;
  w->status_poll.data = w;
  uv_poll_start(&w->status_poll, UV_READABLE, on_task_status);
  uv_poll_start(&w->exit_poll, UV_READABLE, on_task_exit);
  pid_t pid = j->pid;
  spawn_job_free(j);
  task_event(w, 'S', pid, 0);
}

/* opts[name], when it is a string, copied into buf (left as it is otherwise) */
static void opt_string_into(napi_env env, napi_value opts, const char *name, char *buf, size_t size) {
  bool has = false;
  napi_value v;
  napi_valuetype t;
  size_t len;
  if (napi_has_named_property(env, opts, name, &has) != napi_ok || !has || napi_get_named_property(env, opts, name, &v) != napi_ok) return;
  if (napi_typeof(env, v, &t) == napi_ok && t == napi_string) napi_get_value_string_utf8(env, v, buf, size, &len);
}

static napi_value js_spawn_task(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value a[6];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  struct spawn_job *j = calloc(1, sizeof *j);
  if (j == NULL) {
    napi_throw_error(env, NULL, "spawnTask: out of memory");
    return NULL;
  }
  strcpy(j->cpus, "-");
  strcpy(j->rlimits, "-");
  size_t len;
  napi_valuetype t4, t5;
  if (argc < 6 || napi_get_value_string_utf8(env, a[0], j->helper, sizeof j->helper, &len) != napi_ok ||
      napi_get_value_string_utf8(env, a[3], j->cwd, sizeof j->cwd, &len) != napi_ok || napi_typeof(env, a[4], &t4) != napi_ok ||
      t4 != napi_object || napi_typeof(env, a[5], &t5) != napi_ok || t5 != napi_function) {
    free(j);
    napi_throw_type_error(env, NULL, "spawnTask(helper, argv, envp, cwd, opts, onEvent): bad arguments");
    return NULL;
  }
  napi_value v;
  bool pmi = false, has = false, use_pty = false;
  if (napi_has_named_property(env, a[4], "pmi", &has) == napi_ok && has && napi_get_named_property(env, a[4], "pmi", &v) == napi_ok)
    napi_get_value_bool(env, v, &pmi);
  int cols = 0, rows = 0;
  if (napi_has_named_property(env, a[4], "pty", &has) == napi_ok && has && napi_get_named_property(env, a[4], "pty", &v) == napi_ok) {
    napi_valuetype pt;
    napi_typeof(env, v, &pt);
    if (pt == napi_object) {
      use_pty = true;
      cols = opt_int(env, v, "cols");
      rows = opt_int(env, v, "rows");
    }
  }
  opt_string_into(env, a[4], "cpus", j->cpus, sizeof j->cpus);
  opt_string_into(env, a[4], "rlimits", j->rlimits, sizeof j->rlimits);
  opt_string_into(env, a[4], "tmpdir", j->tmpdir, sizeof j->tmpdir);
  opt_string_into(env, a[4], "cwdFallback", j->fallback, sizeof j->fallback);
  bool remove_tmp = false;
  if (napi_has_named_property(env, a[4], "removeTmpdir", &has) == napi_ok && has &&
      napi_get_named_property(env, a[4], "removeTmpdir", &v) == napi_ok)
    napi_get_value_bool(env, v, &remove_tmp);
  snprintf(j->flags, sizeof j->flags, "%s%s", use_pty ? "p" : "", remove_tmp ? "r" : "");
  if (j->flags[0] == '\0') strcpy(j->flags, "-");
  /* opts.via: helper is the IMP, these its arguments before flux-task's (flux-imp(8)) */
  uint32_t nvia = 0;
  bool via_array = false;
  if (napi_has_named_property(env, a[4], "via", &has) == napi_ok && has && napi_get_named_property(env, a[4], "via", &v) == napi_ok &&
      napi_is_array(env, v, &via_array) == napi_ok && via_array) {
    napi_get_array_length(env, v, &nvia);
    j->via = string_vector_at(env, v, 0);
  }
  /* [IMP VIA...] flux-task STATUS_FD FLAGS CPUS RLIMITS argv... */
  j->argv = string_vector_at(env, a[1], 5 + nvia);
  /* envp: an array of strings, or one string of them joined by NULs (one conversion instead of one per variable) */
  napi_valuetype et;
  napi_typeof(env, a[2], &et);
  j->envp = et == napi_string ? string_vector_joined(env, a[2]) : string_vector_at(env, a[2], 0);
  j->pmi = pmi;
  j->use_pty = use_pty;
  j->status_num = pmi ? 4 : 3;
  snprintf(j->fdarg, sizeof j->fdarg, "%d", j->status_num);
  if (j->argv != NULL) {
    j->argv[0] = j->helper;
    for (uint32_t i = 0; i < nvia && j->via != NULL; i++) j->argv[1 + i] = j->via[i];
    j->argv[1 + nvia] = j->fdarg;
    j->argv[2 + nvia] = j->flags;
    j->argv[3 + nvia] = j->cpus;
    j->argv[4 + nvia] = j->rlimits;
  }
  /*
   * Every descriptor is made here, close-on-exec (so no other spawn, ours on
   * another thread or Node's, inherits one), and only the spawn's dup2s put
   * theirs on flux-task's 0-4.
   * ours: in[1] out[0] err[0] sp[0] st[0] master; theirs: in[0] out[1] err[1] sp[1] st[1] slave
   */
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, sp[2] = {-1, -1}, st[2] = {-1, -1};
  int master = -1, slave = -1;
  int rc = 0;
  if (j->argv == NULL || j->envp == NULL || (nvia > 0 && j->via == NULL) || j->argv[5 + nvia] == NULL)
    rc = j->argv != NULL && j->envp != NULL && (nvia == 0 || j->via != NULL) ? EINVAL : ENOMEM;
  if (rc == 0 && use_pty) rc = open_pty(&master, &slave, cols, rows);
  if (rc == 0 && !use_pty && (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)) rc = errno;
  if (rc == 0 && pmi && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) rc = errno;
  if (rc == 0 && pipe2(st, O_CLOEXEC | O_NONBLOCK) < 0) rc = errno;
  /* the write end blocks as a pipe's writer expects */
  if (rc == 0 && fcntl(st[1], F_SETFL, 0) < 0) rc = errno;
  uv_loop_t *loop = NULL;
  if (rc == 0 && (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == NULL)) rc = EINVAL;
  struct task_watch *w = rc == 0 ? calloc(1, sizeof *w) : NULL;
  if (rc == 0 && w == NULL) rc = ENOMEM;
  napi_value name;
  if (rc == 0 && (napi_create_string_utf8(env, "flux-ts:task-spawn", NAPI_AUTO_LENGTH, &name) != napi_ok ||
                  napi_create_async_work(env, NULL, name, spawn_execute, spawn_complete, j, &j->work) != napi_ok))
    rc = EINVAL;
  int theirs[6] = {in[0], out[1], err[1], sp[1], st[1], slave};
  int mine[6] = {in[1], out[0], err[0], sp[0], st[0], master};
  napi_value out_obj;
  napi_create_object(env, &out_obj);
  if (rc != 0) {
    close_all(theirs, 6);
    close_all(mine, 6);
    free(w);
    spawn_job_free(j);
    set_fd(env, out_obj, "errno", rc);
    return out_obj;
  }
  memcpy(j->theirs, theirs, sizeof theirs);
  j->status_fd = st[0];
  j->pidfd = -1;
  j->loop = loop;
  j->w = w;
  w->env = env;
  w->pidfd = -1;
  w->status_fd = -1;
  napi_create_reference(env, a[5], 1, &w->cb);
  napi_value wname;
  napi_create_string_utf8(env, "flux-ts:task", NAPI_AUTO_LENGTH, &wname);
  napi_async_init(env, NULL, wname, &w->ctx);
  if (napi_queue_async_work(env, j->work) != napi_ok) {
    napi_delete_async_work(env, j->work);
    napi_delete_reference(env, w->cb);
    napi_async_destroy(env, w->ctx);
    close_all(theirs, 6);
    close_all(mine, 6);
    free(w);
    spawn_job_free(j);
    set_fd(env, out_obj, "errno", EAGAIN);
    return out_obj;
  }
  if (use_pty) {
    set_fd(env, out_obj, "pty", master);
  } else {
    set_fd(env, out_obj, "stdin", in[1]);
    set_fd(env, out_obj, "stdout", out[0]);
    set_fd(env, out_obj, "stderr", err[0]);
  }
  set_fd(env, out_obj, "pmi", sp[0]);
  return out_obj;
}

/*
 * A trip to Node's pool that ends in a JS callback (fileOps, file-ops.h): the
 * job struct starts with one. trip_queue() holds the callback and queues the
 * work (false, holding nothing, when it cannot); trip_end() at completion
 * releases both and returns the callback, which the caller calls once it has
 * freed its job.
 */
struct pool_trip {
  napi_async_work work;
  napi_ref cb;
};

static bool trip_queue(napi_env env, struct pool_trip *t, napi_value cb, const char *name, napi_async_execute_callback execute,
                       napi_async_complete_callback complete) {
  napi_value n;
  if (napi_create_reference(env, cb, 1, &t->cb) != napi_ok) return false;
  if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &n) == napi_ok &&
      napi_create_async_work(env, NULL, n, execute, complete, t, &t->work) == napi_ok) {
    if (napi_queue_async_work(env, t->work) == napi_ok) return true;
    napi_delete_async_work(env, t->work);
  }
  napi_delete_reference(env, t->cb);
  return false;
}

static napi_value trip_end(napi_env env, struct pool_trip *t) {
  napi_value fn;
  napi_get_reference_value(env, t->cb, &fn);
  napi_delete_reference(env, t->cb);
  napi_delete_async_work(env, t->work);
  return fn;
}

static void call_back(napi_env env, napi_value fn, size_t argc, const napi_value *argv) {
  napi_value global, result;
  napi_get_global(env, &global);
  napi_call_function(env, global, fn, argc, argv, &result);
}

/* a string argument copied (NULL for null/undefined); -1 when it is neither */
static int opt_string(napi_env env, napi_value v, char **out) {
  napi_valuetype t;
  *out = NULL;
  if (napi_typeof(env, v, &t) != napi_ok) return -1;
  if (t == napi_null || t == napi_undefined) return 0;
  size_t len = 0;
  if (t != napi_string || napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return -1;
  *out = malloc(len + 1);
  if (*out == NULL) return -1;
  napi_get_value_string_utf8(env, v, *out, len + 1, &len);
  return 0;
}

static napi_value js_set_winsize(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value a[3];
  int32_t fd = -1, cols = 0, rows = 0;
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  if (argc < 3 || napi_get_value_int32(env, a[0], &fd) != napi_ok || napi_get_value_int32(env, a[1], &cols) != napi_ok ||
      napi_get_value_int32(env, a[2], &rows) != napi_ok || cols <= 0 || rows <= 0 || cols > 65535 || rows > 65535) {
    napi_throw_type_error(env, NULL, "setWinsize(fd, cols, rows): three positive numbers");
    return NULL;
  }
  struct winsize ws = {(unsigned short)rows, (unsigned short)cols, 0, 0};
  if (ioctl(fd, TIOCSWINSZ, &ws) < 0) return throw_errno(env, "TIOCSWINSZ");
  return NULL;
}
