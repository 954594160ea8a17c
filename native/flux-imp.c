/*
 * flux-imp: the privileged helper of a multi-user flux-ts instance (the IMP,
 * docs/man8/flux-imp.md, docs/adr/0017-imp-security-model.md). Installed
 * setuid root by `npm run install-imp` only; built here without any privilege.
 *
 *   flux-imp exec USERID J CWD ARG...  run the configured program as USERID in CWD
 *   flux-imp kill SIGNUM PID           signal a process (PID > 1) or a process
 *                                      group (PID < -1) of a non-root user
 *
 * The configuration is PREFIX/etc/flux-ts/imp.conf, found from where this
 * program is installed (PREFIX/libexec/flux-ts/flux-imp). It and every
 * directory above it must be owned by root and writable by nobody else (a
 * sticky directory such as /tmp excepted). Lines KEY = VALUE:
 *   allowed-users = NAME[,NAME...]   who may call this program (instance owners)
 *   allowed-shell = /ABS/PATH        the only program `exec` runs (flux-task)
 *   allow-root = true|false          may a job run as (or signal) uid 0
 *   allow-unsigned = true|false      may `exec` run with J "-" (no signature)
 *   munge-socket = /ABS/PATH         munged's socket (default: libmunge's)
 *
 * J is the job's signed jobspec, HEADER.PAYLOAD.CRED (lib/signed-jobspec.ts):
 * CRED, a MUNGE credential, must be USERID's and carry HEADER.PAYLOAD as its
 * payload, and HEADER (base64url JSON) must name the caller as the owner of
 * the instance it was signed for. Every refusal is one line on stderr,
 * "flux-imp: ...", and exit status 1; a bad command line exits 2.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <munge.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

struct config {
  char users[1024];
  char shell[PATH_MAX];
  char socket[PATH_MAX];
  int allow_root;
  int allow_unsigned;
};

__attribute__((noreturn, format(printf, 1, 2))) static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("flux-imp: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

/* path (symbolic links resolved) and each directory above it: root's, writable by root alone (or sticky, as /tmp) */
static void check_owned(const char *path) {
  char real[PATH_MAX];
  struct stat st;
  if (realpath(path, real) == NULL) die("%s: %s", path, strerror(errno));
  for (int first = 1;; first = 0) {
    const char *at = real[0] != '\0' ? real : "/";
    if (stat(at, &st) < 0) die("%s: %s", at, strerror(errno));
    if (st.st_uid != 0) die("%s: not owned by root", at);
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) && (first || !(st.st_mode & S_ISVTX))) die("%s: writable by others than root", at);
    char *slash = strrchr(real, '/');
    if (slash == NULL) break;
    *slash = '\0';
  }
}

/* PREFIX/etc/flux-ts/imp.conf for this program at PREFIX/libexec/flux-ts/flux-imp */
static void config_path(char *out, size_t size) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n < 0) die("/proc/self/exe: %s", strerror(errno));
  exe[n] = '\0';
  for (int i = 0; i < 3; i++) {
    char *slash = strrchr(exe, '/');
    if (slash == NULL) die("%s: not installed as PREFIX/libexec/flux-ts/flux-imp", exe);
    *slash = '\0';
  }
  if ((size_t)snprintf(out, size, "%s/etc/flux-ts/imp.conf", exe) >= size) die("config path too long");
}

static int parse_bool(const char *key, const char *v) {
  if (strcmp(v, "true") == 0) return 1;
  if (strcmp(v, "false") == 0) return 0;
  die("imp.conf: %s: expected true or false, got '%s'", key, v);
}

static void copy_value(char *dst, size_t size, const char *key, const char *v) {
  if (strlen(v) >= size) die("imp.conf: %s: too long", key);
  strcpy(dst, v);
}

static void read_config(struct config *c) {
  char path[PATH_MAX], line[2048];
  memset(c, 0, sizeof *c);
  config_path(path, sizeof path);
  check_owned(path);
  FILE *f = fopen(path, "r");
  if (f == NULL) die("%s: %s", path, strerror(errno));
  int lineno = 0;
  while (fgets(line, sizeof line, f) != NULL) {
    lineno++;
    line[strcspn(line, "\r\n")] = '\0';
    char *key = line + strspn(line, " \t");
    if (*key == '#' || *key == '\0') continue;
    char *eq = strchr(key, '=');
    if (eq == NULL) die("imp.conf:%d: expected KEY = VALUE", lineno);
    char *v = eq + 1 + strspn(eq + 1, " \t");
    *eq = '\0';
    key[strcspn(key, " \t")] = '\0';
    v[strcspn(v, " \t")] = '\0';
    if (strcmp(key, "allowed-users") == 0) copy_value(c->users, sizeof c->users, key, v);
    else if (strcmp(key, "allowed-shell") == 0) copy_value(c->shell, sizeof c->shell, key, v);
    else if (strcmp(key, "munge-socket") == 0) copy_value(c->socket, sizeof c->socket, key, v);
    else if (strcmp(key, "allow-root") == 0) c->allow_root = parse_bool(key, v);
    else if (strcmp(key, "allow-unsigned") == 0) c->allow_unsigned = parse_bool(key, v);
    else die("imp.conf:%d: unknown key '%s'", lineno, key);
  }
  fclose(f);
  if (c->shell[0] != '/') die("imp.conf: allowed-shell: an absolute path is required");
}

/* the caller (our real uid) is one of allowed-users, by name or number */
static void check_caller(const struct config *c) {
  uid_t uid = getuid();
  struct passwd *pw = getpwuid(uid);
  char list[sizeof c->users], num[32];
  snprintf(num, sizeof num, "%u", (unsigned)uid);
  strcpy(list, c->users);
  for (char *save = NULL, *u = strtok_r(list, ",", &save); u != NULL; u = strtok_r(NULL, ",", &save)) {
    if (strcmp(u, num) == 0 || (pw != NULL && strcmp(u, pw->pw_name) == 0)) return;
  }
  die("uid %u may not use the IMP (not in allowed-users)", (unsigned)uid);
}

static long parse_long(const char *what, const char *s) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0') die("%s: not a number: '%s'", what, s);
  return v;
}

static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url s[0..n) into out, NUL-terminated; -1 if malformed or too long */
static int b64url_decode(const char *s, size_t n, char *out, size_t size) {
  size_t o = 0;
  unsigned bits = 0;
  int have = 0;
  for (size_t i = 0; i < n; i++) {
    const char *v = s[i] != '\0' ? strchr(B64URL, s[i]) : NULL;
    if (v == NULL) return -1;
    bits = (bits << 6) | (unsigned)(v - B64URL);
    have += 6;
    if (have >= 8) {
      have -= 8;
      if (o + 1 >= size) return -1;
      out[o++] = (char)((bits >> have) & 0xff);
    }
  }
  out[o] = '\0';
  return 0;
}

/* J = HEADER.PAYLOAD.CRED: CRED made by USERID, its payload HEADER.PAYLOAD, HEADER naming the caller as owner */
static void verify_j(const struct config *c, uid_t userid, const char *j) {
  if (strcmp(j, "-") == 0) {
    if (!c->allow_unsigned) die("the job is not signed (allow-unsigned is false)");
    return;
  }
  const char *cred = strstr(j, ".MUNGE:");
  const char *dot = strchr(j, '.');
  if (cred == NULL || dot == cred) die("the job's signature does not verify: malformed signed jobspec");
  munge_ctx_t ctx = munge_ctx_create();
  if (ctx == NULL) die("munge: out of memory");
  if (c->socket[0] != '\0' && munge_ctx_set(ctx, MUNGE_OPT_SOCKET, c->socket) != EMUNGE_SUCCESS) die("munge: %s", munge_ctx_strerror(ctx));
  void *payload = NULL;
  int len = 0;
  uid_t signer;
  gid_t gid;
  munge_err_t e = munge_decode(cred + 1, ctx, &payload, &len, &signer, &gid);
  /* a signature, not a one-time token: every task verifies it, a job may wait long to run */
  if (e != EMUNGE_SUCCESS && e != EMUNGE_CRED_REPLAYED && e != EMUNGE_CRED_EXPIRED)
    die("the job's signature does not verify: %s", munge_ctx_strerror(ctx) ? munge_ctx_strerror(ctx) : munge_strerror(e));
  munge_ctx_destroy(ctx);
  if (payload == NULL || len != cred - j || memcmp(payload, j, (size_t)len) != 0)
    die("the job's signature does not verify: the jobspec was altered after it was signed");
  free(payload);
  if (signer != userid) die("the job was signed by uid %u, not by its submitter uid %u", (unsigned)signer, (unsigned)userid);
  char header[1024], owner[64];
  if (b64url_decode(j, (size_t)(dot - j), header, sizeof header) < 0) die("the job's signature does not verify: malformed header");
  snprintf(owner, sizeof owner, "\"owner\":%u,", (unsigned)getuid());
  if (strstr(header, owner) == NULL) die("the job was signed for another instance (not one owned by uid %u)", (unsigned)getuid());
}

static void set_env(const char *k, const char *v) {
  if (setenv(k, v, 1) < 0) die("setenv %s: %s", k, strerror(errno));
}

static int do_exec(struct config *c, char **argv) {
  long id = parse_long("USERID", argv[2]);
  if (id < 0 || id > (long)UINT_MAX - 1) die("USERID: out of range: %ld", id);
  uid_t uid = (uid_t)id;
  if (uid == 0 && !c->allow_root) die("running a job as uid 0 is not allowed (allow-root is false)");
  struct passwd *pw = getpwuid(uid);
  if (pw == NULL) die("uid %u: no such user", (unsigned)uid);
  verify_j(c, uid, argv[3]);
  check_owned(c->shell);
  if (initgroups(pw->pw_name, pw->pw_gid) < 0) die("initgroups %s: %s", pw->pw_name, strerror(errno));
  if (setgid(pw->pw_gid) < 0) die("setgid %u: %s", (unsigned)pw->pw_gid, strerror(errno));
  if (setuid(uid) < 0) die("setuid %u: %s", (unsigned)uid, strerror(errno));
  /* no way back: saved ids are the user's too */
  if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) die("could not drop root");
  set_env("HOME", pw->pw_dir);
  set_env("USER", pw->pw_name);
  set_env("LOGNAME", pw->pw_name);
  /* as the user: a directory only the user may enter is fine */
  if (chdir(argv[4]) < 0) die("cannot change to the job's working directory %s: %s", argv[4], strerror(errno));
  argv[4] = c->shell;
  execv(c->shell, argv + 4);
  die("%s: %s", c->shell, strerror(errno));
}

/* the real uid of process pid, or -1 when it is gone */
static long uid_of(long pid) {
  char path[64];
  struct stat st;
  snprintf(path, sizeof path, "/proc/%ld", pid);
  return stat(path, &st) < 0 ? -1 : (long)st.st_uid;
}

/* the process group of pid, or -1 when it is gone */
static long pgrp_of(long pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  FILE *f = fopen(path, "r");
  if (f == NULL) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  char *p = strrchr(buf, ')');
  long ppid, pgrp;
  char state;
  if (p == NULL || sscanf(p + 1, " %c %ld %ld", &state, &ppid, &pgrp) != 3) return -1;
  return pgrp;
}

static void check_target(const struct config *c, long pid, long uid) {
  if (uid == 0 && !c->allow_root) die("process %ld belongs to root: not signalled (allow-root is false)", pid);
}

static int do_kill(const struct config *c, char **argv) {
  long sig = parse_long("SIGNUM", argv[2]);
  long pid = parse_long("PID", argv[3]);
  if (sig < 0 || sig > 64) die("SIGNUM: out of range: %ld", sig);
  if ((pid >= -1 && pid <= 1) || pid < -(long)INT_MAX || pid > (long)INT_MAX) die("PID: %ld is not a process or a process group", pid);
  if (pid > 0) {
    long uid = uid_of(pid);
    if (uid < 0) die("process %ld: %s", pid, strerror(ESRCH));
    check_target(c, pid, uid);
    if (kill((pid_t)pid, (int)sig) < 0) die("kill %ld: %s", pid, strerror(errno));
    return 0;
  }
  /* a group: every member is checked first */
  DIR *d = opendir("/proc");
  if (d == NULL) die("/proc: %s", strerror(errno));
  int members = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    char *end;
    long p = strtol(e->d_name, &end, 10);
    if (*end != '\0' || p <= 0 || pgrp_of(p) != -pid) continue;
    long uid = uid_of(p);
    if (uid < 0) continue;
    check_target(c, p, uid);
    members++;
  }
  closedir(d);
  if (members == 0) die("process group %ld: %s", -pid, strerror(ESRCH));
  if (kill((pid_t)pid, (int)sig) < 0) die("kill %ld: %s", pid, strerror(errno));
  return 0;
}

int main(int argc, char **argv) {
  int exec = argc >= 6 && strcmp(argv[1], "exec") == 0;
  if (!exec && !(argc == 4 && strcmp(argv[1], "kill") == 0)) {
    fputs("Usage: flux-imp exec USERID J CWD ARG... | flux-imp kill SIGNUM PID\n", stderr);
    return 2;
  }
  if (geteuid() != 0) die("not installed setuid root (npm run install-imp)");
  struct config c;
  read_config(&c);
  check_caller(&c);
  return exec ? do_exec(&c, argv) : do_kill(&c, argv);
}
