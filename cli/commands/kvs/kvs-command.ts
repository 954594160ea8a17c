/**
 * What every flux-kvs sub-command shares: the namespace (-N, else
 * FLUX_KVS_NAMESPACE, else primary) its requests name, the connection, key
 * normalization, lookups that fail with Flux's one line, and the directory
 * listing the ls/dir/copy commands walk.
 */
import { CommandExit, FluxCommand } from '../../base-command';
import type { StreamCall } from '../../api/client';
import { FluxError } from '../../../lib/errors';
import { Errno, strerror } from '../../../lib/errno';
import { normalizeKey } from './format';
import { REFUSED } from './options';
import type { Entry } from './format';

/** the kvs methods that name a namespace (modules/kvs/protocol.avsc) */
const NS_TOPICS = new Set(['get', 'put', 'unlink', 'dir', 'link', 'readlink', 'mkdir', 'eventlog-append', 'eventlog-close', 'commit', 'watch', 'getroot', 'wait-version'].map((m) => `kvs.${m}`));

/** JSON bytes of kvs.commit ops per message: well below the 16 MiB a message may hold */
const PART_BYTES = 4 * 1024 * 1024;

/** The connection as the sub-commands use it: kvs requests in the command's namespace. */
export interface KvsClient {
  rpc<T = unknown>(topic: string, payload?: object): Promise<T>;
  rpcStream(topic: string, payload: object, onResponse: (payload: unknown) => void): StreamCall;
}

export abstract class KvsCommand extends FluxCommand {
  protected h!: KvsClient;
  /** the namespace the requests name (undefined: the primary one) */
  protected ns: string | undefined;

  async run(): Promise<number> {
    for (const [o, why] of Object.entries(REFUSED)) {
      if (this.spec.options.some((s) => s.name === o) && this.args.has(o)) this.fail(`${this.spec.path[this.spec.path.length - 1]}: ${why}`);
    }
    this.ns = this.namespaceOption('namespace');
    const c = await this.connect();
    const withNs = (topic: string, payload: object = {}): object =>
      this.ns === undefined || !NS_TOPICS.has(topic) || 'namespace' in payload ? payload : { ...payload, namespace: this.ns };
    this.h = {
      rpc: async <T>(topic: string, payload?: object): Promise<T> => {
        try {
          return await c.rpc<T>(topic, withNs(topic, payload));
        } catch (e) {
          if (NS_TOPICS.has(topic)) this.unsupported(e, payload !== undefined && 'key' in payload ? payload.key : undefined);
          throw e;
        }
      },
      rpcStream: (topic, payload, onResponse) => c.rpcStream(topic, withNs(topic, payload), onResponse),
    };
    return this.main();
  }

  /** a namespace option's value, else FLUX_KVS_NAMESPACE (as Flux's libkvs), else undefined (primary) */
  protected namespaceOption(name: string): string | undefined {
    const given = this.spec.options.some((o) => o.name === name) ? this.args.str(name) : undefined;
    if (given !== undefined) return given;
    const env = process.env['FLUX_KVS_NAMESPACE'];
    return env === undefined || env === '' ? undefined : env;
  }

  /**
   * A request failed with ENOTSUP (its namespace does not exist): the
   * command fails with Flux's line for it, `flux-kvs: WHAT: Operation not
   * supported` (whatFailed()). Anything else is left to the caller.
   */
  protected unsupported(e: unknown, key: unknown): void {
    if (!(e instanceof FluxError) || e.errno !== Errno.EOPNOTSUPP) return;
    throw new CommandExit(1, this.unsupportedLine(typeof key === 'string' ? key : ''));
  }

  /** the line for a namespace that does not exist */
  protected unsupportedLine(key: string): string {
    return this.errorLine(`${this.whatFailed(key)}: ${strerror(Errno.EOPNOTSUPP)}`);
  }

  /** what Flux's flux-kvs names when a request fails: the key by default (commands that commit or ask for a version name the call) */
  protected whatFailed(key: string): string {
    return key;
  }

  /** what put, link, mkdir and eventlog append name: Flux's commit (and with -s, the call that reads its sequence) */
  protected commitCall(): string {
    return this.args.has('sequence') ? 'flux_kvs_commit_get_sequence' : 'flux_kvs_commit';
  }

  protected abstract main(): Promise<number>;

  /** a non-negative integer option, with Flux's message for anything else */
  protected intOpt(name: string, dflt: number): number {
    const v = this.args.str(name);
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v)) throw new CommandExit(1, `${this.spec.prog}: ${this.spec.path[this.spec.path.length - 1]}: Option '${name}' requires an integer argument`);
    return Number(v);
  }

  /** key for a request; '' is EINVAL as Flux says it */
  protected key(raw: string): string {
    const k = normalizeKey(raw);
    if (k === '') this.fail(`${raw}: Invalid argument`);
    return k;
  }

  protected async lookup(key: string): Promise<unknown> {
    try {
      return (await this.h.rpc<{ value: unknown }>('kvs.get', { key })).value;
    } catch (e) {
      if (e instanceof FluxError && e.errno === 2 && (await this.isDir(key))) this.fail(`${key}: Is a directory`);
      if (e instanceof FluxError) this.fail(`${key}: ${strerror(e.errno)}`);
      throw e;
    }
  }

  protected async listDir(key: string): Promise<string[]> {
    return (await this.h.rpc<{ keys: string[] }>('kvs.dir', { key })).keys;
  }

  /** what key is (links not followed): 'dir', 'link', 'value', 'log', or undefined */
  protected async kind(key: string): Promise<string | undefined> {
    return (await this.h.rpc<{ kind?: string }>('kvs.dir', { key, extras: true })).kind;
  }

  protected async isDir(key: string): Promise<boolean> {
    return (await this.kind(key)) === 'dir';
  }

  /** -s: the version that holds the change, when asked for */
  protected printSeq(r: unknown): void {
    if (this.args.has('sequence')) process.stdout.write(`${(r as { rootseq?: number }).rootseq ?? ''}\n`);
  }

  protected async rpcOrFail(topic: string, payload: object, what: string): Promise<unknown> {
    try {
      return await this.h.rpc(topic, payload);
    } catch (e) {
      if (e instanceof FluxError) this.fail(`${what}: ${strerror(e.errno)}`);
      throw e;
    }
  }

  /**
   * One command's changes as one kvs transaction (one version, all or
   * nothing), as Flux's flux-kvs commits a command's txn once. Sent in parts
   * of at most PART_BYTES of JSON (a message holds 16 MiB), the last
   * committing the whole. Resolves to the answer (its rootseq: -s).
   */
  protected async commitOps(ops: object[]): Promise<{ rootseq?: number }> {
    const txn = `kvs-${process.pid}-${Date.now()}`;
    let part: object[] = [];
    let bytes = 0;
    let answer: { rootseq?: number } = {};
    for (const [i, op] of ops.entries()) {
      part.push(op);
      bytes += JSON.stringify(op).length;
      const last = i === ops.length - 1;
      if (last || bytes >= PART_BYTES) {
        const whole = last && part.length === ops.length;
        answer = await this.h.rpc<{ rootseq?: number }>('kvs.commit', whole ? { ops: part } : { ops: part, txn, final: last });
        part = [];
        bytes = 0;
      }
    }
    return answer;
  }

  /** the names directly in dir ('' = root): [name, isDir]; the links among them in `links` (name -> target) */
  protected async children(dir: string, links?: Map<string, string>): Promise<Map<string, boolean>> {
    const out = new Map<string, boolean>();
    const prefix = dir === '' ? 0 : dir.length + 1;
    const r = await this.h.rpc<{ keys: string[]; links?: Record<string, string>; dirs?: string[] }>('kvs.dir', { key: dir, extras: true });
    for (const k of r.keys) {
      const rest = k.slice(prefix);
      const dot = rest.indexOf('.');
      const name = dot < 0 ? rest : rest.slice(0, dot);
      out.set(name, (out.get(name) ?? false) || dot >= 0);
      if (dot < 0 && r.links?.[k] !== undefined) links?.set(name, r.links[k]);
    }
    // empty directories (flux kvs mkdir): a directory entry with nothing below it
    for (const k of r.dirs ?? []) {
      const rest = k.slice(prefix);
      const dot = rest.indexOf('.');
      out.set(dot < 0 ? rest : rest.slice(0, dot), true);
    }
    return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /**
   * Stream an eventlog's entries to each(); resolves when each() returns
   * false (the watch is then cancelled: kvs frees it) or the log ends.
   */
  protected follow(key: string, waitcreate: boolean, each: (e: Entry) => boolean): Promise<void> {
    const stream = this.h.rpcStream('kvs.watch', { key, waitcreate }, (r) => {
      for (const e of (r as { entries?: Entry[] }).entries ?? []) {
        if (!each(e)) {
          void stream.cancel();
          return;
        }
      }
    });
    return stream.then(() => stream.cancel());
  }
}
