/**
 * What `flux uri` and `flux proxy` take as TARGET: a URI (local://, ssh://), or
 * a job id (optionally `jobid:ID`, or a path `ID/ID...` of nested instances)
 * of a Flux instance running as a job in the current instance, whose rank 0
 * posted `memo {uri}` on the job (cli/start/uri-memo.ts), or `pid:PID`
 * (cli/uri/pid.ts) or `slurm:JOBID` (cli/uri/slurm.ts). An ssh:// URI on this
 * host is turned into the local:// one that flux-ts clients use.
 */
import * as os from 'node:os';
import { Client } from '../api/client';
import { FluxError } from '../../lib/errors';
import { encodeKvs, tryParseJobId, type JobIdLike } from '../../lib/formats';
import { eventWatch } from '../api/job';
import { UriError } from './errors';
import { resolvePid } from './pid';
import { resolveSlurm } from './slurm';

export { UriError };

export interface ResolveOptions {
  /** a job id: wait until its instance posts its URI (or the job ends) */
  wait?: boolean;
}

interface Entry {
  name: string;
  context?: Record<string, unknown>;
}

/** ssh://HOST/PATH -> local://PATH (HOST dropped: --local) */
export function toLocal(uri: string): string {
  const m = /^ssh:\/\/[^/]+(\/.*)$/.exec(uri);
  return m ? `local://${m[1]}` : uri;
}

/** local://PATH -> ssh://HOST/PATH (this host: --remote) */
export function toRemote(uri: string, host = os.hostname()): string {
  const m = /^local:\/\/(\/.*)$/.exec(uri);
  return m ? `ssh://${host}${m[1]}` : uri;
}

/** The URI a flux-ts client on this host can use, or the remote one elsewhere. */
export function usable(uri: string, host = os.hostname()): string {
  const m = /^ssh:\/\/([^/]+)(\/.*)$/.exec(uri);
  return m && (m[1] === host || m[1] === 'localhost') ? `local://${m[2]}` : uri;
}

/** The URI of TARGET; `connect` opens the current instance when a job id needs looking up. */
export async function resolveTarget(target: string, connect: () => Promise<Client>, opts: ResolveOptions = {}): Promise<string> {
  if (/^(local|ssh):\/\//.test(target)) return target;
  if (target.startsWith('pid:')) return resolvePid(target.slice('pid:'.length));
  if (target.startsWith('slurm:')) return resolveSlurm(target.slice('slurm:'.length));
  const word = target.startsWith('jobid:') ? target.slice('jobid:'.length) : target;
  if (/^[a-z]+:/.test(word) && !word.startsWith('jobid:')) throw new UriError(`${target}: unsupported URI scheme (local://, ssh://, jobid:, pid: or slurm:)`);
  const path = word.split('/').filter((w) => w.length > 0);
  const ids = path.map((w) => tryParseJobId(w));
  if (path.length === 0 || ids.some((id) => id === undefined)) throw new UriError(`${target}: not a URI or a job id`);
  let h = await connect();
  const opened: Client[] = [];
  try {
    let uri = '';
    for (let i = 0; i < ids.length; i++) {
      if (i > 0) {
        const next = usable(uri);
        try {
          h = await Client.connect(next);
        } catch (e) {
          if (e instanceof FluxError) throw new UriError(`${path.slice(0, i).join('/')}: ${e.message}`);
          throw e;
        }
        opened.push(h);
      }
      const r = opts.wait ? await waitInstanceUri(h, ids[i]!) : await instanceUri(h, ids[i]!);
      // Flux's words: `jobid ID not found`, `jobid ID is not running`, `URI not found for job ID`
      if (!('uri' in r)) throw new UriError(r.why === 'has no URI' ? `URI not found for job ${path[i]}` : `jobid ${path[i]} ${r.why}`);
      uri = r.uri;
    }
    return uri;
  } finally {
    for (const c of opened) c.close();
  }
}

/**
 * flux uri --wait: the URI once the job's instance posts it (`memo {uri}`),
 * or why there will be none: the job is unknown, or it ended without one.
 */
export async function waitInstanceUri(h: Client, id: JobIdLike): Promise<{ uri: string } | { why: string }> {
  try {
    for await (const e of eventWatch(h, Number(id))) {
      if (e.name === 'memo' && typeof e.context?.['uri'] === 'string') return { uri: e.context['uri'] };
      if (e.name === 'clean') return { why: 'is not running' };
    }
  } catch (e) {
    if (e instanceof FluxError) return { why: 'not found' };
    throw e;
  }
  return { why: 'is not running' };
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
  // running as Flux's job state says it (RUN: from alloc until finish or a fatal exception), as `flux jobs` shows it
  const ended = entries.some((e) => e.name === 'finish' || e.name === 'clean' || (e.name === 'exception' && e.context?.['severity'] === 0));
  if (ended || !entries.some((e) => e.name === 'alloc')) return { why: 'is not running' };
  const memo = entries.filter((e) => e.name === 'memo' && typeof e.context?.['uri'] === 'string').pop();
  // running, but not (yet) a Flux instance
  if (!memo) return { why: 'has no URI' };
  return { uri: String(memo.context!['uri']) };
}
