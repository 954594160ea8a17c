/*
 * spawnTask for the job shell (included by addon.c): start a task through its
 * own parent, flux-task (native/flux-task.c), so that nothing a task does to
 * its parent reaches the broker.
 *
 *   spawnTask(helper, argv, envp, cwd, opts, onEvent)
 *     helper   absolute path of flux-task
 *     argv     the task's command line (argv[0] looked up in the PATH of envp)
 *     opts     {pmi: bool, pty?: {cols, rows}, cpus?: string, rlimits?: string, via?: string[]}
 *              via: helper is the IMP (flux-imp(8)), run as `helper VIA... STATUS_FD ...`;
 *              it runs flux-task as the job's user
 *     onEvent(kind, a, b), kind one of
 *       'F' a = the task's pid (its process exists; it may not have exec'd)
 *       'P' a = the task's pid (it runs)
 *       'E' a = errno (it could not be started; nothing runs)
 *       'X' a = the task's wait status
 *       'Z' flux-task itself ended: a = exit code or -1, b = signal or 0;
 *           always last. Without an 'X' (or 'E') before it, the task's parent
 *           was killed and its task is an orphan: the caller kills its group.
 *   -> {pid, stdin, stdout, stderr, pmi, pty} (descriptors the caller owns:
 *      pipes, or pty = the terminal's master for a task on a pseudo-terminal)
 *      or {errno}
 *
 * flux-task is spawned with posix_spawn (vfork: its cost does not grow with
 * the broker's memory), in a session of its own, signals at default, the
 * task's stdio on fds 0-2, the PMI socketpair's end as fd 3 with pmi, and the
 * status pipe after those. Its exit is watched through a pidfd, its records
 * through the status pipe, both polled on Node's loop.
 *
 *   setWinsize(fd, cols, rows)   TIOCSWINSZ on a terminal's master
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
      if (r.type == 'F' || r.type == 'P' || r.type == 'E' || r.type == 'X') task_event(w, (char)r.type, r.value, 0);
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

static napi_value js_spawn_task(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value a[6];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  char helper[4096], cwd[4096], cpus[4096] = "-", rlimits[1024] = "-";
  size_t len;
  napi_valuetype t4, t5;
  if (argc < 6 || napi_get_value_string_utf8(env, a[0], helper, sizeof helper, &len) != napi_ok ||
      napi_get_value_string_utf8(env, a[3], cwd, sizeof cwd, &len) != napi_ok || napi_typeof(env, a[4], &t4) != napi_ok ||
      t4 != napi_object || napi_typeof(env, a[5], &t5) != napi_ok || t5 != napi_function) {
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
  if (napi_has_named_property(env, a[4], "cpus", &has) == napi_ok && has && napi_get_named_property(env, a[4], "cpus", &v) == napi_ok) {
    napi_valuetype ct;
    napi_typeof(env, v, &ct);
    if (ct == napi_string) napi_get_value_string_utf8(env, v, cpus, sizeof cpus, &len);
  }
  if (napi_has_named_property(env, a[4], "rlimits", &has) == napi_ok && has &&
      napi_get_named_property(env, a[4], "rlimits", &v) == napi_ok) {
    napi_valuetype rt;
    napi_typeof(env, v, &rt);
    if (rt == napi_string) napi_get_value_string_utf8(env, v, rlimits, sizeof rlimits, &len);
  }
  /* opts.via: helper is the IMP, these its arguments before flux-task's (flux-imp(8)) */
  char **via = NULL;
  uint32_t nvia = 0;
  bool via_array = false;
  if (napi_has_named_property(env, a[4], "via", &has) == napi_ok && has && napi_get_named_property(env, a[4], "via", &v) == napi_ok &&
      napi_is_array(env, v, &via_array) == napi_ok && via_array) {
    napi_get_array_length(env, v, &nvia);
    via = string_vector_at(env, v, 0);
  }
  /* [IMP VIA...] flux-task STATUS_FD FLAGS CPUS RLIMITS argv... */
  char **argv = string_vector_at(env, a[1], 5 + nvia);
  char **envp = string_vector_at(env, a[2], 0);
  int status_num = pmi ? 4 : 3;
  char fdarg[16];
  snprintf(fdarg, sizeof fdarg, "%d", status_num);
  if (argv != NULL) {
    argv[0] = helper;
    for (uint32_t i = 0; i < nvia && via != NULL; i++) argv[1 + i] = via[i];
    argv[1 + nvia] = fdarg;
    argv[2 + nvia] = use_pty ? "p" : "-";
    argv[3 + nvia] = cpus;
    argv[4 + nvia] = rlimits;
  }
  /* ours: in[1] out[0] err[0] sp[0] st[0] master; theirs: in[0] out[1] err[1] sp[1] st[1] slave */
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, sp[2] = {-1, -1}, st[2] = {-1, -1};
  int master = -1, slave = -1;
  int rc = 0;
  if (argv == NULL || envp == NULL || (nvia > 0 && via == NULL) || argv[5 + nvia] == NULL)
    rc = argv != NULL && envp != NULL && (nvia == 0 || via != NULL) ? EINVAL : ENOMEM;
  if (rc == 0 && use_pty) rc = open_pty(&master, &slave, cols, rows);
  if (rc == 0 && !use_pty && (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)) rc = errno;
  if (rc == 0 && pmi && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) rc = errno;
  if (rc == 0 && pipe2(st, O_CLOEXEC) < 0) rc = errno;
  pid_t pid = -1;
  if (rc == 0) {
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_adddup2(&fa, use_pty ? slave : in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, use_pty ? slave : out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, use_pty ? slave : err[1], 2);
    if (pmi) posix_spawn_file_actions_adddup2(&fa, sp[1], 3);
    posix_spawn_file_actions_adddup2(&fa, st[1], status_num);
    posix_spawn_file_actions_addchdir_np(&fa, cwd);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    rc = posix_spawn(&pid, helper, &fa, &at, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
  }
  free(argv);
  free(envp);
  free(via);
  int theirs[6] = {in[0], out[1], err[1], sp[1], st[1], slave};
  close_all(theirs, 6);
  int mine[6] = {in[1], out[0], err[0], sp[0], st[0], master};
  napi_value out_obj;
  napi_create_object(env, &out_obj);
  int pidfd = rc == 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
  struct task_watch *w = rc == 0 && pidfd >= 0 ? calloc(1, sizeof *w) : NULL;
  uv_loop_t *loop = NULL;
  napi_get_uv_event_loop(env, &loop);
  if (rc == 0 && (w == NULL || loop == NULL || fcntl(st[0], F_SETFL, O_NONBLOCK) < 0)) {
    /* cannot watch it: it must not run unwatched */
    rc = pidfd < 0 ? errno : ENOMEM;
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    free(w);
    if (pidfd >= 0) close(pidfd);
  }
  if (rc != 0) {
    close_all(mine, 6);
    set_fd(env, out_obj, "errno", rc);
    return out_obj;
  }
  w->pidfd = pidfd;
  w->status_fd = st[0];
  w->status_open = 1;
  w->handles = 2;
  w->env = env;
  napi_create_reference(env, a[5], 1, &w->cb);
  napi_value name;
  napi_create_string_utf8(env, "flux-ts:task", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &w->ctx);
  uv_poll_init(loop, &w->exit_poll, pidfd);
  uv_poll_init(loop, &w->status_poll, st[0]);
  w->exit_poll.data = w;
  w->status_poll.data = w;
  uv_poll_start(&w->status_poll, UV_READABLE, on_task_status);
  uv_poll_start(&w->exit_poll, UV_READABLE, on_task_exit);
  set_fd(env, out_obj, "pid", pid);
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
