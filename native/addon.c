/*
 * flux-ts.node: the system calls flux-ts needs that Node does not offer.
 *
 * For the warm client pool (docs/guide/cli-pool.md):
 *
 *   listen(path) -> fd      a listening unix socket (mode 0600) that the broker
 *                           hands to its warm clients but never accepts on itself
 *   serve(fd, stateFd) -> request | undefined
 *                           waits until a `flux` launcher connects (accept), or
 *                           the pool writes "q" on stateFd (or closes it):
 *                           undefined, the client exits. Takes the launcher's
 *                           stdin/stdout/stderr, the other descriptors it
 *                           inherited and its working directory (SCM_RIGHTS),
 *                           makes them this process's own at the launcher's
 *                           numbers (pool-adopt.h: dup2, fchdir), writes "b"
 *                           on stateFd and returns its command line,
 *                           environment, umask and the extra numbers
 *   release(numbers)        the command is over: /dev/null onto 0-2, the
 *                           launcher's other numbers closed
 *   relocate(fd) -> fd      move a descriptor of ours high (from 1000),
 *                           close-on-exec, out of the numbers launchers pass
 *   pending(fd) -> bool     is a launcher waiting (poll, no wait)?
 *   parentDeath(sig)        prctl(PR_SET_PDEATHSIG): an idle client dies with
 *                           its broker; 0 clears it once it serves a command
 *
 * The wire protocol is shared with flux-launch.c (pool-wire.h).
 *
 * For the job shell:
 *
 *   setAffinity(pid, cpus)  sched_setaffinity(): bind a process to cores
 *   spawnTask(helper, argv, envp, cwd, opts, onEvent)
 *                           start a task through its own parent, flux-task,
 *                           on pipes or a pseudo-terminal (task-spawn.h)
 *   setWinsize(fd, cols, rows)
 *                           the size of a pty task's terminal
 *   readPipe(fd, buffer, onRead), pipeControl(handle, op)
 *                           a task's output pipe read on the loop without a
 *                           net.Socket (pipe-reader.h)
 *   fileOps(ops, cb)        a turn's small file operations (a job's tmpdir
 *                           made and removed, its cwd checked, a held output
 *                           log written whole) in one trip to Node's pool
 *                           (file-ops.h)
 *
 * For the local connector's client limits:
 *
 *   peerCred(fd) -> {pid, uid} | undefined
 *                           SO_PEERCRED of a connected unix socket, so a log
 *                           line can name the process behind a client
 *   trimMemory() -> bool    malloc_trim(0): hand freed heap pages back to the
 *                           system once a burst of large messages is over
 *
 * For the broker as it starts:
 *
 *   v8Flags(flags)          V8's flags set while it runs (low-memory.cc):
 *                           the broker's tier-up budget (lib/native.ts)
 *
 * For the broker when it goes idle (lib/idle-reduce.ts):
 *
 *   lowMemory(flushAll) -> bool
 *                           V8's LowMemoryNotification (native/low-memory.cc:
 *                           full collections that compact and shrink the young
 *                           generation; with flushAll the bytecode of every
 *                           function not running goes too), then
 *                           malloc_trim(0). Exported only
 *                           when the build compiled low-memory.cc (C++):
 *                           FLUX_LOW_MEMORY
 *
 * For the broker's log (log-syslog-enable):
 *
 *   syslogSend(pri, text) -> bool
 *                           one datagram to /dev/log as syslog(3) writes it
 *                           (`<PRI>Mmm dd hh:mm:ss flux[PID]: text`), never
 *                           blocking: a daemon that does not keep up loses the
 *                           message (false) instead of stalling the broker
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <node_api.h>
#include <poll.h>
#include <sched.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <uv.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "pool-wire.h"
#include "pool-adopt.h"

static napi_value throw_errno(napi_env env, const char *what) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(errno));
  napi_throw_error(env, NULL, msg);
  return NULL;
}

/* The one int argument of fn(fd); 0, or -1 with a TypeError thrown. */
static int int_arg(napi_env env, napi_callback_info info, const char *usage, int32_t *out) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], out) != napi_ok) {
    napi_throw_type_error(env, NULL, usage);
    return -1;
  }
  return 0;
}

static napi_value js_listen(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
  size_t len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "listen(path): path must be a string");
    return NULL;
  }
  if (len >= sizeof path - 1) {
    napi_throw_error(env, NULL, "listen(path): path too long for a unix socket");
    return NULL;
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket");
  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  memcpy(sa.sun_path, path, len + 1);
  unlink(path);
  mode_t old = umask(0177);
  int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
  umask(old);
  if (rc < 0 || listen(fd, 64) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return throw_errno(env, path);
  }
  napi_value out;
  napi_create_int32(env, fd, &out);
  return out;
}

/*
 * One connection: hello, then the header with the launcher's descriptors, the
 * extras' numbers, then the body. Returns the body (malloc'd), with the
 * descriptors in a->fds, or NULL when the launcher went away or spoke another
 * protocol: the caller then accepts the next one.
 */
static char *take_client(int c, struct adopt *a, uint32_t *body_len, pid_t *peer) {
  struct ucred cred;
  socklen_t cl = sizeof cred;
  if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 || cred.uid != geteuid()) return NULL;
  *peer = cred.pid;
  struct pool_hello hello = {POOL_HELLO_MAGIC, (uint32_t)getpid()};
  if (write(c, &hello, sizeof hello) != (ssize_t)sizeof hello) return NULL;
  /* a launcher that connected and then gave up must not hold this client */
  struct timeval tv = {5, 0};
  setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

  struct pool_header hdr;
  char cbuf[CMSG_SPACE(sizeof(int) * (POOL_NFDS + POOL_MAX_EXTRA))];
  struct iovec iov = {&hdr, sizeof hdr};
  struct msghdr mh;
  memset(&mh, 0, sizeof mh);
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = cbuf;
  mh.msg_controllen = sizeof cbuf;
  ssize_t r;
  do r = recvmsg(c, &mh, MSG_CMSG_CLOEXEC | MSG_WAITALL);
  while (r < 0 && errno == EINTR);
  const int cap = POOL_NFDS + POOL_MAX_EXTRA;
  for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
      int n = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      if (n > cap - a->nfds) n = cap - a->nfds;
      memcpy(a->fds + a->nfds, CMSG_DATA(cm), sizeof(int) * (size_t)n);
      a->nfds += n;
    }
  }
  if (r != (ssize_t)sizeof hdr || hdr.magic != POOL_MAGIC || hdr.version != POOL_VERSION || hdr.body_len > POOL_MAX_BODY ||
      hdr.nextra > POOL_MAX_EXTRA || (mh.msg_flags & MSG_CTRUNC) || a->nfds != POOL_NFDS + (int)hdr.nextra)
    return NULL;
  a->nextra = (int)hdr.nextra;
  if (a->nextra > 0 && pool_full_io(c, a->numbers, sizeof(int32_t) * (size_t)a->nextra, 0) < 0) return NULL;
  for (int i = 0; i < a->nextra; i++)
    if (a->numbers[i] <= 2 || (i > 0 && a->numbers[i] <= a->numbers[i - 1])) return NULL;
  char *body = malloc(hdr.body_len + 1);
  if (body == NULL) return NULL;
  if (pool_full_io(c, body, hdr.body_len, 0) < 0) {
    free(body);
    return NULL;
  }
  body[hdr.body_len] = '\0';
  tv.tv_sec = 0;
  setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  *body_len = hdr.body_len;
  return body;
}

/* The two descriptors of serve(listenFd, stateFd). */
static int two_int_args(napi_env env, napi_callback_info info, int32_t *a, int32_t *b) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_int32(env, argv[0], a) != napi_ok || napi_get_value_int32(env, argv[1], b) != napi_ok) {
    napi_throw_type_error(env, NULL, "serve(listenFd, stateFd): both must be numbers");
    return -1;
  }
  return 0;
}

static napi_value js_serve(napi_env env, napi_callback_info info) {
  int32_t lfd = -1, state_fd = -1;
  if (two_int_args(env, info, &lfd, &state_fd) < 0) return NULL;
  /* several idle clients wait on one socket: poll, then accept without blocking (another may win) */
  int fl = fcntl(lfd, F_GETFL);
  if (fl >= 0 && !(fl & O_NONBLOCK)) fcntl(lfd, F_SETFL, fl | O_NONBLOCK);
  for (;;) {
    struct pollfd p[2] = {{lfd, POLLIN, 0}, {state_fd, POLLIN, 0}};
    int pr = poll(p, 2, -1);
    if (pr < 0) {
      if (errno == EINTR) continue;
      return throw_errno(env, "poll");
    }
    if (p[1].revents != 0) {
      /* the pool's word ("q": one client too many) or the broker gone: stop */
      napi_value undef;
      napi_get_undefined(env, &undef);
      return undef;
    }
    if (!(p[0].revents & POLLIN)) continue;
    int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return throw_errno(env, "accept");
    }
    struct adopt a;
    memset(&a, 0, sizeof a);
    uint32_t len = 0;
    pid_t peer = 0;
    char *body = take_client(c, &a, &len, &peer);
    if (body != NULL && adopt_prepare(&a, &c, lfd, state_fd) < 0) {
      /* one of its numbers is ours: it starts Node itself; we wait for the next */
      (void)!write(c, "n\n", 2);
      free(body);
      body = NULL;
    }
    if (body == NULL) {
      adopt_release(&a);
      close(c);
      continue;
    }
    /* taken: the broker starts our replacement; the launcher's descriptors become ours */
    (void)!write(state_fd, "b", 1);
    int cwd_ok = 0;
    int rc = adopt_commit(&a, &cwd_ok);
    adopt_release(&a);
    if (rc < 0) {
      free(body);
      close(c);
      return throw_errno(env, "dup2");
    }

    napi_value out, list, v;
    napi_create_object(env, &out);
    napi_create_int32(env, c, &v);
    napi_set_named_property(env, out, "conn", v);
    napi_create_int32(env, peer, &v);
    napi_set_named_property(env, out, "pid", v);
    napi_get_boolean(env, cwd_ok, &v);
    napi_set_named_property(env, out, "cwdOk", v);
    napi_value nums;
    napi_create_array(env, &nums);
    for (int i = 0; i < a.nextra; i++) {
      napi_create_int32(env, a.numbers[i], &v);
      napi_set_element(env, nums, (uint32_t)i, v);
    }
    napi_set_named_property(env, out, "extras", nums);
    /* the body: NUL-terminated strings */
    napi_create_array(env, &list);
    uint32_t n = 0;
    for (uint32_t off = 0; off < len;) {
      size_t sl = strnlen(body + off, len - off);
      napi_create_string_utf8(env, body + off, sl, &v);
      napi_set_element(env, list, n++, v);
      off += (uint32_t)sl + 1;
    }
    napi_set_named_property(env, out, "strings", list);
    free(body);
    return out;
  }
}

/* Is a launcher waiting on the listening socket? (poll, no wait) */
static napi_value js_pending(napi_env env, napi_callback_info info) {
  int32_t lfd = -1;
  if (int_arg(env, info, "pending(fd): fd must be a number", &lfd) < 0) return NULL;
  struct pollfd p = {lfd, POLLIN, 0};
  int r;
  do r = poll(&p, 1, 0);
  while (r < 0 && errno == EINTR);
  napi_value out;
  napi_get_boolean(env, r > 0 && (p.revents & POLLIN), &out);
  return out;
}

/*
 * The command is over: the launcher's descriptors are no longer ours (a reader
 * of its stdout sees end-of-file once the launcher exits too). /dev/null goes
 * onto 0-2, as the client started; the numbers it passed are closed.
 */
static napi_value js_release(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  bool is_array = false;
  uint32_t n = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_is_array(env, argv[0], &is_array) != napi_ok || !is_array) {
    napi_throw_type_error(env, NULL, "release(numbers): numbers must be an array");
    return NULL;
  }
  int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (nul < 0) return throw_errno(env, "/dev/null");
  for (int fd = 0; fd < 3; fd++)
    if (dup2(nul, fd) < 0) {
      int e = errno;
      close(nul);
      errno = e;
      return throw_errno(env, "dup2");
    }
  close(nul);
  napi_get_array_length(env, argv[0], &n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    int32_t fd = -1;
    napi_get_element(env, argv[0], i, &v);
    if (napi_get_value_int32(env, v, &fd) == napi_ok && fd > 2) close(fd);
  }
  return NULL;
}

/* Move fd to a high number, close-on-exec (from 1000, or just below the limit):
 far from the numbers shells hand out (3-9, {var}< from 10, <(...) at 63). */
static napi_value js_relocate(napi_env env, napi_callback_info info) {
  int32_t fd = -1;
  if (int_arg(env, info, "relocate(fd): fd must be a number", &fd) < 0) return NULL;
  struct rlimit rl;
  long floor = 1000;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur - 16 < floor) floor = (long)rl.rlim_cur - 16;
  if (floor < 3) floor = 3;
  int m = fcntl(fd, F_DUPFD_CLOEXEC, (int)floor);
  if (m < 0) return throw_errno(env, "relocate");
  close(fd);
  napi_value out;
  napi_create_int32(env, m, &out);
  return out;
}

static napi_value js_parent_death(napi_env env, napi_callback_info info) {
  int32_t sig = 0;
  if (int_arg(env, info, "parentDeath(sig): sig must be a number", &sig) < 0) return NULL;
  if (prctl(PR_SET_PDEATHSIG, sig) < 0) return throw_errno(env, "prctl");
  return NULL;
}

static napi_value js_set_affinity(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t pid = 0;
  uint32_t n = 0;
  bool is_array = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_int32(env, argv[0], &pid) != napi_ok || napi_is_array(env, argv[1], &is_array) != napi_ok || !is_array) {
    napi_throw_type_error(env, NULL, "setAffinity(pid, cpus): pid must be a number and cpus an array");
    return NULL;
  }
  napi_get_array_length(env, argv[1], &n);
  cpu_set_t set;
  CPU_ZERO(&set);
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    int32_t cpu = -1;
    napi_get_element(env, argv[1], i, &v);
    if (napi_get_value_int32(env, v, &cpu) != napi_ok || cpu < 0 || cpu >= CPU_SETSIZE) {
      napi_throw_range_error(env, NULL, "setAffinity: bad cpu number");
      return NULL;
    }
    CPU_SET(cpu, &set);
  }
  if (sched_setaffinity(pid, sizeof set, &set) < 0) return throw_errno(env, "sched_setaffinity");
  return NULL;
}

/* ------------------------------------------------------------ spawnTask */

#include "task-spawn.h"
#include "pipe-reader.h"
#include "file-ops.h"
#include "zygote.h"

static napi_value js_peer_cred(napi_env env, napi_callback_info info) {
  int32_t fd = -1;
  if (int_arg(env, info, "peerCred(fd): fd must be a number", &fd) < 0) return NULL;
  struct ucred cred;
  socklen_t cl = sizeof cred;
  napi_value out;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0) {
    napi_get_undefined(env, &out);
    return out;
  }
  napi_create_object(env, &out);
  set_fd(env, out, "pid", cred.pid);
  set_fd(env, out, "uid", (int)cred.uid);
  return out;
}

static napi_value js_trim_memory(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  napi_get_boolean(env, malloc_trim(0) != 0, &out);
  return out;
}

#ifdef FLUX_LOW_MEMORY
int flux_low_memory(int flush_all); /* native/low-memory.cc */

static napi_value js_low_memory(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  bool flush_all = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc >= 1) napi_get_value_bool(env, argv[0], &flush_all);
  int done = flux_low_memory(flush_all ? 1 : 0);
  malloc_trim(0);
  napi_get_boolean(env, done != 0, &out);
  return out;
}

void flux_v8_flags(const char *flags); /* native/low-memory.cc */

static napi_value js_v8_flags(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char flags[256];
  size_t len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], flags, sizeof flags, &len) != napi_ok || len >= sizeof flags - 1) {
    napi_throw_type_error(env, NULL, "v8Flags(flags): a string of V8 flags, under 255 bytes");
    return NULL;
  }
  flux_v8_flags(flags);
  return NULL;
}

int flux_exit_without_teardown(void); /* native/low-memory.cc */

static napi_value js_exit_without_teardown(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  napi_get_boolean(env, flux_exit_without_teardown() != 0, &out);
  return out;
}
#endif

/* ------------------------------------------------------------ syslog */

static int syslog_fd = -1;

static int syslog_connect(void) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  strncpy(sa.sun_path, "/dev/log", sizeof sa.sun_path - 1);
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static napi_value js_syslog_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  int32_t pri = 0;
  char text[2048];
  size_t tlen = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_int32(env, argv[0], &pri) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], text, sizeof text, &tlen) != napi_ok) {
    napi_throw_type_error(env, NULL, "syslogSend(pri, text): a number and a string");
    return NULL;
  }
  char stamp[32];
  time_t now = time(NULL);
  struct tm tm;
  localtime_r(&now, &tm);
  strftime(stamp, sizeof stamp, "%b %e %T", &tm);
  char buf[2200];
  int n = snprintf(buf, sizeof buf, "<%d>%s flux[%d]: %s", (int)pri, stamp, (int)getpid(), text);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof buf) n = sizeof buf - 1;
  int sent = 0;
  /* a second try reconnects: the daemon may have restarted since */
  for (int attempt = 0; attempt < 2 && !sent; attempt++) {
    if (syslog_fd < 0) syslog_fd = syslog_connect();
    if (syslog_fd < 0) break;
    if (send(syslog_fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) == n) sent = 1;
    else if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    else {
      close(syslog_fd);
      syslog_fd = -1;
    }
  }
  napi_get_boolean(env, sent, &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"listen", NULL, js_listen, NULL, NULL, NULL, napi_default, NULL},
      {"serve", NULL, js_serve, NULL, NULL, NULL, napi_default, NULL},
      {"pending", NULL, js_pending, NULL, NULL, NULL, napi_default, NULL},
      {"release", NULL, js_release, NULL, NULL, NULL, napi_default, NULL},
      {"relocate", NULL, js_relocate, NULL, NULL, NULL, napi_default, NULL},
      {"parentDeath", NULL, js_parent_death, NULL, NULL, NULL, napi_default, NULL},
      {"setAffinity", NULL, js_set_affinity, NULL, NULL, NULL, napi_default, NULL},
      {"spawnTask", NULL, js_spawn_task, NULL, NULL, NULL, napi_default, NULL},
      {"setWinsize", NULL, js_set_winsize, NULL, NULL, NULL, napi_default, NULL},
      {"readPipe", NULL, js_read_pipe, NULL, NULL, NULL, napi_default, NULL},
      {"pipeControl", NULL, js_pipe_control, NULL, NULL, NULL, napi_default, NULL},
      {"fileOps", NULL, js_file_ops, NULL, NULL, NULL, napi_default, NULL},
      {"peerCred", NULL, js_peer_cred, NULL, NULL, NULL, napi_default, NULL},
      {"trimMemory", NULL, js_trim_memory, NULL, NULL, NULL, napi_default, NULL},
      {"syslogSend", NULL, js_syslog_send, NULL, NULL, NULL, napi_default, NULL},
#ifdef FLUX_LOW_MEMORY
      {"lowMemory", NULL, js_low_memory, NULL, NULL, NULL, napi_default, NULL},
      {"v8Flags", NULL, js_v8_flags, NULL, NULL, NULL, napi_default, NULL},
      /* the zygote needs a forked broker's exit handled (native/zygote.h) */
      {"exitWithoutTeardown", NULL, js_exit_without_teardown, NULL, NULL, NULL, napi_default, NULL},
      {"zygoteServe", NULL, js_zygote_serve, NULL, NULL, NULL, napi_default, NULL},
      {"zygoteRetitle", NULL, js_zygote_retitle, NULL, NULL, NULL, napi_default, NULL},
#endif
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
