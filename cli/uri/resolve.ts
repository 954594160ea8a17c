/**
 * What `flux uri` and `flux proxy` take as TARGET: a URI (local://, ssh://), or
 * a job id (optionally `jobid:ID`) of a Flux instance running as a job in the
 * current instance, whose rank 0 posted `memo {uri}` on the job
 * (cli/start/uri-memo.ts). An ssh:// URI on this host is turned into the
 * local:// one that flux-ts clients use.
 */
import * as os from 'node:os';
import type { Client } from '../api/client';
import { FluxError } from '../../kernel/api/errors';
import { encodeKvs, tryParseJobId, type JobIdLike } from '../../kernel/api/formats';

export class UriError extends Error {}

interface Entry {
  name: string;
  context?: Record<string, unknown>;
}

/** ssh://HOST/PATH -> local://PATH (HOST dropped: --local) */
export function toLocal(uri: string): string {
  const m = /^ssh:\/\/[^/]+(\/.*)$/.exec(uri);
  return m ? `local://${m[1]}` : uri;
}

/** The URI a flux-ts client on this host can use, or the remote one elsewhere. */
export function usable(uri: string, host = os.hostname()): string {
  const m = /^ssh:\/\/([^/]+)(\/.*)$/.exec(uri);
  return m && (m[1] === host || m[1] === 'localhost') ? `local://${m[2]}` : uri;
}

/** The URI of TARGET; `connect` opens the current instance when a job id needs looking up. */
export async function resolveTarget(target: string, connect: () => Promise<Client>): Promise<string> {
  if (/^(local|ssh):\/\//.test(target)) return target;
  const word = target.startsWith('jobid:') ? target.slice('jobid:'.length) : target;
  if (/^[a-z]+:/.test(word) && !word.startsWith('jobid:')) throw new UriError(`${target}: unsupported URI scheme (local://, ssh:// or a job id)`);
  const id = tryParseJobId(word);
  if (id === undefined) throw new UriError(`${target}: not a URI or a job id`);
  const h = await connect();
  const r = await instanceUri(h, id);
  if ('uri' in r) return r.uri;
  throw new UriError(`job ${word} ${r.why}`);
}

/**
 * The URI a running job's Flux instance posted (`memo {uri}`), or why there is
 * none: the job is unknown, not running, or not an instance (yet).
 */
export async function instanceUri(h: Client, id: JobIdLike): Promise<{ uri: string } | { why: string }> {
  let text: unknown;
  try {
    text = (await h.rpc<{ value: unknown }>('kvs.get', { key: `${encodeKvs(id)}.eventlog` })).value;
  } catch (e) {
    if (e instanceof FluxError) return { why: 'not found' };
    throw e;
  }
  const entries = String(text)
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Entry);
  if (entries.some((e) => e.name === 'clean')) return { why: 'is not running' };
  const memo = entries.filter((e) => e.name === 'memo' && typeof e.context?.['uri'] === 'string').pop();
  if (!memo) return { why: 'has no URI (it is not a Flux instance, or it has not started yet)' };
  return { uri: String(memo.context!['uri']) };
}
