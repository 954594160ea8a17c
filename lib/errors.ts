/**
 * FluxError: an error that survives the wire. A handler that throws one is answered
 * with its errno and text; a client's rpc() rejects with one rebuilt from the
 * response, so `throw einval('...')` in a module becomes the message on the user's
 * terminal.
 */
import { Errno, strerror } from './errno';

export class FluxError extends Error {
  /** errno number (Linux value) */
  readonly errno: number;
  /** true when the message is only strerror() text (no explanation from the sender) */
  readonly bare: boolean;
  constructor(errno: number, message?: string) {
    super(message && message.length > 0 ? message : strerror(errno));
    this.errno = errno;
    this.bare = !(message && message.length > 0);
    this.name = 'FluxError';
  }
}

const make = (errno: number) => (msg?: string) => new FluxError(errno, msg);
export const einval = make(Errno.EINVAL);
export const enoent = make(Errno.ENOENT);
export const eexist = make(Errno.EEXIST);
export const eperm = make(Errno.EPERM);
export const enosys = make(Errno.ENOSYS);
export const eproto = make(Errno.EPROTO);
export const ehostunreach = make(Errno.EHOSTUNREACH);
export const etimedout = make(Errno.ETIMEDOUT);
export const eio = make(Errno.EIO);

/** What refuses one item of a batch request, as its answer carries it (job-manager.validate-batch, sched.feasibility-batch). */
export function errorFields(err: unknown): { errnum: number; errstr: string } {
  const fe = toFluxError(err);
  return { errnum: fe.errno, errstr: fe.message };
}

/** Normalise anything thrown into a FluxError (Node system errors keep their errno). */
export function toFluxError(err: unknown): FluxError {
  if (err instanceof FluxError) return err;
  const e = err as { code?: string; message?: string; errno?: number };
  if (e && typeof e.code === 'string' && e.code in Errno) {
    return new FluxError(Errno[e.code as keyof typeof Errno], e.message);
  }
  return new FluxError(Errno.EIO, e?.message ?? String(err));
}
