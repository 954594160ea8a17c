/**
 * A broker's local-uri: `local://PATH`, PATH the unix socket of its local
 * connector. What else is given for it (a bare path, another scheme, nothing)
 * is refused in one line that says what is wrong.
 */
import { Errno } from '../errno';
import { FluxError } from '../errors';

const SCHEME = 'local://';

/** The socket path of a local:// URI; throws FluxError(EINVAL) naming the problem. */
export function localUriPath(uri: string): string {
  if (uri === '') throw new FluxError(Errno.EINVAL, 'local-uri: empty value');
  if (!uri.startsWith(SCHEME)) throw new FluxError(Errno.EINVAL, `local-uri '${uri}': not a local:// URI`);
  if (uri === SCHEME) throw new FluxError(Errno.EINVAL, `local-uri '${uri}': no socket path`);
  return uri.slice(SCHEME.length);
}
