/**
 * Linux errno numbers used on the wire (errnum field of a response). Values are
 * the kernel's and never change; the text is strerror()'s, so clients print what
 * Flux users already know ("No such file or directory").
 */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 9,
  ECHILD: 10,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EBUSY: 16,
  EEXIST: 17,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  EFBIG: 27,
  ENOSPC: 28,
  EROFS: 30,
  EPIPE: 32,
  ERANGE: 34,
  ENAMETOOLONG: 36,
  ENOSYS: 38,
  ELOOP: 40,
  ENODATA: 61,
  EPROTO: 71,
  EOVERFLOW: 75,
  EMSGSIZE: 90,
  EOPNOTSUPP: 95,
  EADDRINUSE: 98,
  EDQUOT: 122,
  ECONNRESET: 104,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTUNREACH: 113,
  EALREADY: 114,
  ECANCELED: 125,
} as const;
export type ErrnoName = keyof typeof Errno;

const text: Record<number, string> = {
  1: 'Operation not permitted',
  2: 'No such file or directory',
  3: 'No such process',
  4: 'Interrupted system call',
  5: 'Input/output error',
  6: 'No such device or address',
  7: 'Argument list too long',
  8: 'Exec format error',
  9: 'Bad file descriptor',
  10: 'No child processes',
  11: 'Resource temporarily unavailable',
  12: 'Cannot allocate memory',
  13: 'Permission denied',
  16: 'Device or resource busy',
  17: 'File exists',
  20: 'Not a directory',
  21: 'Is a directory',
  22: 'Invalid argument',
  27: 'File too large',
  28: 'No space left on device',
  30: 'Read-only file system',
  32: 'Broken pipe',
  34: 'Numerical result out of range',
  36: 'File name too long',
  38: 'Function not implemented',
  40: 'Too many levels of symbolic links',
  61: 'No data available',
  71: 'Protocol error',
  75: 'Value too large for defined data type',
  90: 'Message too long',
  95: 'Operation not supported',
  98: 'Address already in use',
  122: 'Disk quota exceeded',
  104: 'Connection reset by peer',
  110: 'Connection timed out',
  111: 'Connection refused',
  113: 'No route to host',
  114: 'Operation already in progress',
  125: 'Operation canceled',
};

/** strerror(3) text for an errno number. */
export function strerror(errnum: number): string {
  return text[errnum] ?? `Unknown error ${errnum}`;
}

/** errno number for a Node system error code such as 'ENOENT' (EIO if unknown). */
export function errnoFromCode(code: string | undefined): number {
  if (code && code in Errno) return Errno[code as ErrnoName];
  return Errno.EIO;
}
