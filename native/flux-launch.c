/*
 * flux-launch: what bin/flux runs. Inside an instance whose broker keeps warm
 * clients (the cli-pool module), it hands the command to one of them: its
 * stdin/stdout/stderr, every other descriptor it inherited (at the same
 * numbers) and its working directory travel as descriptors, its command
 * line, environment and umask as strings, and it stays as the command's process
 * for the shell: it forwards the signals it gets and exits with the command's
 * status. Node's own start-up (~65 ms here) is then paid ahead of time, off the
 * user's path. Anywhere else (no instance, no pool, `flux start`, a pool that
 * does not answer) it runs Node as before. docs/guide/cli-pool.md
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "pool-wire.h"

extern char **environ;

/* Node runs these itself: they own the terminal (help: man and its pager), process groups or brokers. */
static const char *const direct_only[] = {"start", "broker", "alloc", "help", NULL};

static volatile sig_atomic_t client_pgid = 0;
/* the connection to the client, for the signal notice (-1: none) */
static volatile sig_atomic_t client_conn = -1;
static volatile sig_atomic_t fatal_sig = 0;

/*
 * Node parses the file NODE_EXTRA_CA_CERTS names before it runs any script
 * (~40 ms for a system CA bundle); flux-ts makes no TLS connection. Node runs
 * with it under another name, and the front end puts it back first thing
 * (lib/node-env.ts), so that what it starts gets the environment unchanged.
 */
static void park_env(void) {
  const char *v = getenv("NODE_EXTRA_CA_CERTS");
  if (v == NULL) return;
  if (setenv("FLUX_TS_PARKED_NODE_EXTRA_CA_CERTS", v, 1) == 0) unsetenv("NODE_EXTRA_CA_CERTS");
}

static void run_node(char **argv) {
  park_env();
  /* Node opens /dev/null on a closed fd 1 before any script runs, where output
   would vanish: the front end fails its first write instead (cli/exit.ts) */
  if (fcntl(1, F_GETFD) < 0) setenv("FLUX_TS_STDOUT_CLOSED", "1", 1);
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) {
    perror("flux: /proc/self/exe");
    exit(1);
  }
  self[n] = '\0';
  /* self is <dist>/native/flux-launch; the front end is <dist>/cli/entry.js */
  char *slash = strrchr(self, '/');
  if (slash != NULL) *slash = '\0';
  slash = strrchr(self, '/');
  if (slash != NULL) *slash = '\0';
  char entry[PATH_MAX + 32];
  snprintf(entry, sizeof entry, "%s/cli/entry.js", self);
  int argc = 0;
  while (argv[argc] != NULL) argc++;
  char **nargv = calloc((size_t)argc + 4, sizeof *nargv);
  if (nargv == NULL) exit(1);
  nargv[0] = "node";
  /* "--": Node 20 reads --env-file anywhere on its command line, even among a job's arguments */
  nargv[1] = "--";
  nargv[2] = entry;
  for (int i = 1; i < argc; i++) nargv[i + 2] = argv[i];
  execvp("node", nargv);
  fprintf(stderr, "flux: node: %s\n", strerror(errno));
  exit(127);
}

/* The command word after the front end's own options, or NULL. */
static const char *command_word(char **argv) {
  for (int i = 1; argv[i] != NULL; i++) {
    const char *a = argv[i];
    if (a[0] != '-') return a;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0 || strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) return a;
  }
  return NULL;
}

/*
 * The descriptors above 2 this process inherited (what a fresh Node would have
 * at the same numbers: PMI_FD in a job, `3<file`, bash's /dev/fd/63 of a
 * `<(...)`): those without close-on-exec, in out[], in order. Their count, or
 * -1 when there are more than POOL_MAX_EXTRA or they cannot be listed (the
 * command then runs in a fresh Node). Called before we open anything.
 */
static int inherited_fds(int *out) {
  int n = 0;
  DIR *d = opendir("/proc/self/fd");
  if (d != NULL) {
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      char *end;
      long fd = strtol(e->d_name, &end, 10);
      if (*end != '\0' || end == e->d_name || fd <= 2 || fd == dirfd(d)) continue;
      int fl = fcntl((int)fd, F_GETFD);
      if (fl < 0 || (fl & FD_CLOEXEC)) continue;
      if (n == POOL_MAX_EXTRA) {
        n = -1;
        break;
      }
      out[n++] = (int)fd;
    }
    closedir(d);
    if (n > 1) {
      /* readdir's order is the kernel's; keep ours ascending (insertion sort: few) */
      for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && out[j - 1] > out[j]; j--) {
          int t = out[j];
          out[j] = out[j - 1];
          out[j - 1] = t;
        }
    }
    return n;
  }
  /* no /proc: ask each number, as far as our limit allows (a huge limit: give up) */
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur > 65536) return -1;
  for (int fd = 3; fd < (int)rl.rlim_cur; fd++) {
    int fl = fcntl(fd, F_GETFD);
    if (fl < 0 || (fl & FD_CLOEXEC)) continue;
    if (n == POOL_MAX_EXTRA) return -1;
    out[n++] = fd;
  }
  return n;
}

static int pool_wanted(char **argv) {
  const char *off = getenv("FLUX_CLI_POOL");
  if (off != NULL && strcmp(off, "0") == 0) return 0;
  const char *word = command_word(argv);
  if (word == NULL) return 0;
  for (int i = 0; direct_only[i] != NULL; i++)
    if (strcmp(word, direct_only[i]) == 0) return 0;
  /* the descriptors we pass must exist */
  for (int fd = 0; fd < 3; fd++)
    if (fcntl(fd, F_GETFD) < 0) return 0;
  return 1;
}

/* local:///dir/local-N -> /dir/local-N.pool */
static int pool_path(char *out, size_t size) {
  const char *uri = getenv("FLUX_URI");
  if (uri == NULL || strncmp(uri, "local://", 8) != 0) return -1;
  int n = snprintf(out, size, "%s.pool", uri + 8);
  return n > 0 && (size_t)n < size ? 0 : -1;
}

static int read_timeout(int fd, void *buf, size_t len, int ms) {
  size_t got = 0;
  while (got < len) {
    struct pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, ms);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    ssize_t k = read(fd, (char *)buf + got, len - got);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return -1;
    got += (size_t)k;
  }
  return 0;
}

/* Connect and wait for a warm client to say hello; -1 if there is none. */
static int connect_pool(pid_t *client) {
  char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
  if (pool_path(path, sizeof path) < 0) return -1;
  int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c < 0) return -1;
  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  memcpy(sa.sun_path, path, strlen(path) + 1);
  if (connect(c, (struct sockaddr *)&sa, sizeof sa) < 0) {
    close(c);
    return -1;
  }
  /* Only a server of our own uid may have our descriptors, command line and
   environment: whoever can write the socket's directory could listen there. */
  struct ucred cred;
  socklen_t clen = sizeof cred;
  if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 || cred.uid != geteuid()) {
    fprintf(stderr, "flux: warning: not using the warm client pool %s: its server runs as uid %ld, not %ld\n", path,
            clen == sizeof cred ? (long)cred.uid : -1L, (long)geteuid());
    close(c);
    return -1;
  }
  /* every client may be busy while a fresh one starts: wait for it, a while
   (a burst of commands queues here; those that wait too long start Node) */
  struct pool_hello hello;
  if (read_timeout(c, &hello, sizeof hello, 2000) < 0 || hello.magic != POOL_HELLO_MAGIC || hello.pid <= 1) {
    close(c);
    return -1;
  }
  *client = (pid_t)hello.pid;
  return c;
}

struct buf {
  char *p;
  size_t len, cap;
};

static void put(struct buf *b, const char *s) {
  size_t n = strlen(s) + 1;
  if (b->len + n > b->cap) {
    b->cap = (b->len + n) * 2;
    b->p = realloc(b->p, b->cap);
    if (b->p == NULL) exit(1);
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
}

/* Hand the command over: header and descriptors, the extras' numbers, then the strings. */
static int send_command(int c, char **argv, const int *extra, int nextra) {
  struct buf b = {NULL, 0, 0};
  char num[32];
  mode_t mask = umask(0);
  umask(mask);
  snprintf(num, sizeof num, "%o", (unsigned)mask);
  put(&b, num);
  int argc = 0;
  while (argv[argc] != NULL) argc++;
  snprintf(num, sizeof num, "%d", argc - 1);
  put(&b, num);
  for (int i = 1; i < argc; i++) put(&b, argv[i]);
  for (char **e = environ; *e != NULL; e++) put(&b, *e);
  if (b.len > POOL_MAX_BODY) return -1;

  int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cwd < 0) cwd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int fds[POOL_NFDS + POOL_MAX_EXTRA] = {0, 1, 2, cwd};
  int32_t numbers[POOL_MAX_EXTRA];
  for (int i = 0; i < nextra; i++) {
    fds[POOL_NFDS + i] = extra[i];
    numbers[i] = extra[i];
  }
  size_t fdbytes = sizeof(int) * (size_t)(POOL_NFDS + nextra);
  struct pool_header hdr = {POOL_MAGIC, POOL_VERSION, (uint32_t)b.len, (uint32_t)nextra};
  char cbuf[CMSG_SPACE(sizeof fds)];
  memset(cbuf, 0, sizeof cbuf);
  struct iovec iov = {&hdr, sizeof hdr};
  struct msghdr mh;
  memset(&mh, 0, sizeof mh);
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = cbuf;
  mh.msg_controllen = CMSG_SPACE(fdbytes);
  struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(fdbytes);
  memcpy(CMSG_DATA(cm), fds, fdbytes);
  ssize_t r;
  do r = sendmsg(c, &mh, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  close(cwd);
  int rc = r == (ssize_t)sizeof hdr ? 0 : -1;
  if (rc == 0 && nextra > 0) rc = pool_full_io(c, numbers, sizeof(int32_t) * (size_t)nextra, 1);
  if (rc == 0) rc = pool_full_io(c, b.p, b.len, 1);
  free(b.p);
  return rc;
}

/* Node makes the descriptors it writes to non-blocking (O_NONBLOCK lives in the
 open file description, which the shell and the other commands of a pipeline
 share). A fresh Node puts the flags back when it exits; the client cannot
 (its Node started on other descriptors), so we do once the command is over. */
static int saved_flags[3];

static void save_flags(void) {
  for (int fd = 0; fd < 3; fd++) saved_flags[fd] = fcntl(fd, F_GETFL);
}

static void restore_flags(void) {
  for (int fd = 0; fd < 3; fd++)
    if (saved_flags[fd] >= 0) fcntl(fd, F_SETFL, saved_flags[fd]);
}

static void forward(int sig) {
  int e = errno;
  if (sig != SIGWINCH && sig != SIGCONT) {
    fatal_sig = sig;
    /* first the notice, then the signal: the client sees it before the command can end */
    if (client_conn >= 0) (void)!send(client_conn, "s", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  if (client_pgid > 0) kill(-client_pgid, sig);
  errno = e;
}

static void forward_signals(void) {
  static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH, SIGCONT};
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = forward;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
}

#define STATUS_LOST (-1)
#define STATUS_REFUSED (-2)

/* Wait for "x<status>\n": the command's status; STATUS_REFUSED if the client
 declined it ("n\n", it took nothing); STATUS_LOST if it vanished. */
static int wait_status(int c) {
  char line[32];
  size_t n = 0;
  while (n < sizeof line - 1) {
    ssize_t k = read(c, line + n, sizeof line - 1 - n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) break;
    n += (size_t)k;
    if (memchr(line, '\n', n) != NULL) break;
  }
  line[n] = '\0';
  if (n >= 1 && line[0] == POOL_REFUSED) return STATUS_REFUSED;
  if (n < 3 || line[0] != 'x') return STATUS_LOST;
  return atoi(line + 1) & 0xff;
}

/* The client ran nothing: start the command in Node ourselves, as if the pool
 had not answered (unless a signal we passed on asked us to stop). */
static void run_node_instead(int c, char **argv) {
  client_conn = -1;
  close(c);
  client_pgid = 0;
  if (fatal_sig != 0) {
    signal(fatal_sig, SIG_DFL);
    raise(fatal_sig);
  }
  signal(SIGPIPE, SIG_DFL);
  run_node(argv);
}

int main(int argc, char **argv) {
  (void)argc;
  /* first, before we open anything of our own */
  int extra[POOL_MAX_EXTRA];
  int nextra = inherited_fds(extra);
  pid_t client = 0;
  int c = nextra >= 0 && pool_wanted(argv) ? connect_pool(&client) : -1;
  if (c < 0) run_node(argv);
  /* signals that arrive from here on go to the command */
  client_pgid = client;
  forward_signals();
  save_flags();
  /* the client took nothing it can run: start the command ourselves */
  if (send_command(c, argv, extra, nextra) < 0) run_node_instead(c, argv);
  /* from here on the stream to the client carries nothing else: signal notices may go on it */
  client_conn = c;
  if (fatal_sig != 0) (void)!send(c, "s", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
  int status = wait_status(c);
  /* the command is over: a signal from now on is not passed on (the client
   may serve another command next; it waits until we are gone, cli/pool/recycle.ts) */
  client_pgid = 0;
  client_conn = -1;
  restore_flags();
  if (status == STATUS_REFUSED) run_node_instead(c, argv);
  if (status >= 0) return status;
  if (fatal_sig != 0) {
    /* it died of the signal we passed on: so do we, as the shell expects */
    signal(fatal_sig, SIG_DFL);
    raise(fatal_sig);
  }
  fprintf(stderr, "flux: the command's process (pid %d) ended without an exit status\n", (int)client);
  return 1;
}
