/*
 * The warm client pool's wire protocol, between the `flux` launcher
 * (flux-launch.c) and a warm client (addon.c), over a unix socket beside
 * the broker's local socket (docs/guide/cli-pool.md):
 *
 *   client -> launcher   struct pool_hello              "I am pid P, ready",
 *                        its magic naming the protocol version
 *   launcher -> client   struct pool_header, with SCM_RIGHTS: stdin, stdout,
 *                        stderr, an O_PATH descriptor of the cwd, then the
 *                        nextra other descriptors the launcher inherited
 *   launcher -> client   int32_t numbers[nextra]: the number each of those
 *                        has in the launcher (the client dup2()s them there)
 *   launcher -> client   body: NUL-terminated strings
 *                        umask (octal), argc, argv[1..argc], then environ
 *   client -> launcher   "n\n" if it cannot give the command those numbers
 *                        (one is its own): it took nothing, the launcher
 *                        starts Node itself; else, when the command is over
 *                        (and the client has let go of the launcher's
 *                        descriptors), "x<status>\n"
 *   launcher -> client   "s" each time it passes a signal on (not SIGWINCH or
 *                        SIGCONT), before it does: a client that serves
 *                        commands in turn does not serve again after one that
 *                        was signalled (cli/pool/recycle.ts)
 *
 * The launcher forwards the signals it gets to the client's process group.
 */
#ifndef FLUX_POOL_WIRE_H
#define FLUX_POOL_WIRE_H
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#define POOL_MAGIC 0x50584c46u /* "FLXP" */
#define POOL_VERSION 3u
/* The hello of version 3 ("FLX3"; version 2 said "FLX2", version 1 "FLXP"): a
 launcher and a client of different builds (an instance that runs across an
 upgrade) know each other at once, and the launcher starts Node instead. */
#define POOL_HELLO_MAGIC 0x33584c46u
/* stdin, stdout, stderr, cwd */
#define POOL_NFDS 4
/* the kernel takes at most 253 descriptors in one message (SCM_MAX_FD) */
#define POOL_MAX_EXTRA 240
#define POOL_MAX_BODY (8u << 20)

struct pool_hello {
  uint32_t magic;
  uint32_t pid;
};

struct pool_header {
  uint32_t magic;
  uint32_t version;
  uint32_t body_len;
  uint32_t nextra;
};

/* the client's answer when it cannot take the command (it took nothing) */
#define POOL_REFUSED 'n'
/* the launcher's notice that it passes a signal on to the command */
#define POOL_SIGNALLED 's'

/* read or write exactly n bytes (retrying EINTR); 0 on success, -1 otherwise */
static inline int pool_full_io(int fd, void *buf, size_t n, int writing) {
  char *p = buf;
  while (n > 0) {
    ssize_t k = writing ? write(fd, p, n) : read(fd, p, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return -1;
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

#endif
