/*
 * A C runtime of its own for flux-task (native/flux-task.c), linked with
 * -nostdlib -static on x86_64 (scripts/build-native.js, which runs the
 * result once before it keeps it; elsewhere flux-task links glibc).
 *
 * Why: glibc's start-up, static or dynamic, reads the CPU's features and
 * caches with CPUID (init_cpu_features, handle_amd), and on a virtual machine
 * each CPUID traps to the hypervisor. Spawning and reaping an empty static
 * glibc program cost 540 us of CPU on this project's VMs, an empty program
 * without libc 215 us; flux-task starts once per job task (perf: glibc's
 * start-up in flux-task was ~3 % of all the CPU a `true` job costs).
 *
 * It provides exactly the functions flux-task.c calls, with the prototypes of
 * the glibc headers it includes, as thin wrappers of the system calls (errno
 * set as libc does), plus execvp with libc's PATH search and its ENOEXEC
 * fallback to /bin/sh, and the process entry point. No TLS, no stdio, no
 * malloc, no stack protector (there is no TLS for its canary).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#if !defined(__x86_64__)
#error "flux-task-rt: x86_64 only (elsewhere the build links glibc)"
#endif

static int the_errno;
char **environ;

int *__errno_location(void) { return &the_errno; }

static long raw6(long n, long a, long b, long c, long d, long e, long f) {
  long ret;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
  return ret;
}

/* a system call's result as libc returns it: -1 and errno on failure */
static long sys(long n, long a, long b, long c, long d, long e, long f) {
  long r = raw6(n, a, b, c, d, e, f);
  if (r < 0 && r > -4096) {
    the_errno = (int)-r;
    return -1;
  }
  return r;
}

#define SYS0(n) sys(n, 0, 0, 0, 0, 0, 0)
#define SYS1(n, a) sys(n, (long)(a), 0, 0, 0, 0, 0)
#define SYS2(n, a, b) sys(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define SYS3(n, a, b, c) sys(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define SYS4(n, a, b, c, d) sys(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define SYS5(n, a, b, c, d, e) sys(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

ssize_t read(int fd, void *buf, size_t n) { return SYS3(SYS_read, fd, buf, n); }
ssize_t write(int fd, const void *buf, size_t n) { return SYS3(SYS_write, fd, buf, n); }
int close(int fd) { return (int)SYS1(SYS_close, fd); }
int pipe2(int fds[2], int flags) { return (int)SYS2(SYS_pipe2, fds, flags); }
pid_t getpid(void) { return (pid_t)SYS0(SYS_getpid); }
pid_t setsid(void) { return (pid_t)SYS0(SYS_setsid); }
int rmdir(const char *path) { return (int)SYS1(SYS_rmdir, path); }
pid_t waitpid(pid_t pid, int *status, int options) { return (pid_t)SYS4(SYS_wait4, pid, status, options, 0); }
int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set) { return (int)SYS3(SYS_sched_setaffinity, pid, size, set); }
int getrlimit(__rlimit_resource_t res, struct rlimit *rl) { return (int)SYS4(SYS_prlimit64, 0, res, 0, rl); }
int setrlimit(__rlimit_resource_t res, const struct rlimit *rl) { return (int)SYS4(SYS_prlimit64, 0, res, rl, 0); }
void _exit(int code) {
  for (;;) raw6(SYS_exit_group, code, 0, 0, 0, 0, 0);
}

pid_t fork(void) { return (pid_t)SYS0(SYS_fork); }

int fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  long arg = va_arg(ap, long);
  va_end(ap);
  return (int)SYS3(SYS_fcntl, fd, cmd, arg);
}

int ioctl(int fd, unsigned long req, ...) {
  va_list ap;
  va_start(ap, req);
  long arg = va_arg(ap, long);
  va_end(ap);
  return (int)SYS3(SYS_ioctl, fd, req, arg);
}

int prctl(int option, ...) {
  va_list ap;
  va_start(ap, option);
  long a = va_arg(ap, long);
  va_end(ap);
  /* flux-task passes one argument (PR_SET_PDEATHSIG); the rest are 0 */
  return (int)SYS5(SYS_prctl, option, a, 0, 0, 0);
}

void *memset(void *d, int c, size_t n) {
  unsigned char *p = d;
  while (n-- > 0) *p++ = (unsigned char)c;
  return d;
}

void *memcpy(void *restrict d, const void *restrict s, size_t n) {
  unsigned char *p = d;
  const unsigned char *q = s;
  while (n-- > 0) *p++ = *q++;
  return d;
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n] != '\0') n++;
  return n;
}

char *strchr(const char *s, int c) {
  for (;; s++) {
    if (*s == (char)c) return (char *)s;
    if (*s == '\0') return NULL;
  }
}

int strcmp(const char *a, const char *b) {
  while (*a != '\0' && *a == *b) a++, b++;
  return (unsigned char)*a - (unsigned char)*b;
}

/* base 10 only (all flux-task asks for): optional sign, digits; no digits: 0 and end = s */
static long long to_ll(const char *s, char **end) {
  const char *p = s;
  while (*p == ' ' || (*p >= '\t' && *p <= '\r')) p++;
  int neg = 0;
  if (*p == '+' || *p == '-') neg = *p++ == '-';
  if (*p < '0' || *p > '9') {
    if (end) *end = (char *)s;
    return 0;
  }
  unsigned long long v = 0;
  int over = 0;
  for (; *p >= '0' && *p <= '9'; p++) {
    unsigned d = (unsigned)(*p - '0');
    if (v > (0x7fffffffffffffffULL - d) / 10) over = 1;
    else v = v * 10 + d;
  }
  if (end) *end = (char *)p;
  if (over) {
    the_errno = ERANGE;
    return neg ? (-0x7fffffffffffffffLL - 1) : 0x7fffffffffffffffLL;
  }
  return neg ? -(long long)v : (long long)v;
}

long strtol(const char *restrict s, char **restrict end, int base) {
  (void)base;
  return (long)to_ll(s, end);
}

long long strtoll(const char *restrict s, char **restrict end, int base) {
  (void)base;
  return to_ll(s, end);
}

char *getenv(const char *name) {
  size_t n = strlen(name);
  for (char **e = environ; e != NULL && *e != NULL; e++) {
    const char *v = *e;
    size_t i = 0;
    while (i < n && v[i] == name[i]) i++;
    if (i == n && v[n] == '=') return (char *)v + n + 1;
  }
  return NULL;
}

static int execve_(const char *path, char *const argv[]) { return (int)SYS3(SYS_execve, path, argv, environ); }

/* a file that is no program (ENOEXEC) runs as a shell script, as glibc's execvp does */
static void exec_script(const char *path, char *const argv[]) {
  int n = 0;
  while (argv[n] != NULL) n++;
  if (n > 4096) return;
  char *sh[n + 2];
  sh[0] = (char *)"/bin/sh";
  sh[1] = (char *)path;
  for (int i = 1; i <= n; i++) sh[i + 1] = argv[i];
  execve_("/bin/sh", sh);
}

int execvp(const char *file, char *const argv[]) {
  if (file[0] == '\0') {
    the_errno = ENOENT;
    return -1;
  }
  if (strchr(file, '/') != NULL) {
    execve_(file, argv);
    if (the_errno == ENOEXEC) exec_script(file, argv);
    return -1;
  }
  const char *path = getenv("PATH");
  if (path == NULL) path = "/bin:/usr/bin";
  size_t flen = strlen(file);
  if (flen > 255) {
    the_errno = ENAMETOOLONG;
    return -1;
  }
  int seen_eacces = 0;
  for (const char *p = path;; p++) {
    const char *z = p;
    while (*z != '\0' && *z != ':') z++;
    size_t dlen = (size_t)(z - p);
    char buf[4096];
    if (dlen + flen + 2 <= sizeof buf) {
      size_t k = 0;
      if (dlen == 0) buf[k++] = '.'; /* an empty entry is the current directory */
      else
        for (size_t i = 0; i < dlen; i++) buf[k++] = p[i];
      buf[k++] = '/';
      for (size_t i = 0; i <= flen; i++) buf[k++] = file[i];
      execve_(buf, argv);
      switch (the_errno) {
        case EACCES:
          seen_eacces = 1;
          break;
        case ENOENT:
        case ENOTDIR:
        case ESTALE:
        case ENODEV:
        case ETIMEDOUT:
          break;
        case ENOEXEC:
          exec_script(buf, argv);
          return -1;
        default:
          return -1;
      }
    }
    if (*z == '\0') break;
    p = z;
  }
  if (seen_eacces) the_errno = EACCES;
  return -1;
}

int main(int argc, char **argv);

__attribute__((used)) void flux_task_start_c(long *sp) {
  int argc = (int)sp[0];
  char **argv = (char **)(sp + 1);
  environ = argv + argc + 1;
  _exit(main(argc, argv));
}

/* the kernel's stack at entry: argc, argv..., NULL, envp..., NULL */
__asm__(".text\n.global _start\n_start:\n xor %rbp, %rbp\n mov %rsp, %rdi\n and $-16, %rsp\n call flux_task_start_c\n hlt\n");
