/**
 * What the flux-archive sub-commands share: the archive's name (-n, default
 * `main`) and its keys (`archive.NAME`, its blobs under `archive.NAME_blobs`),
 * the namespace (primary, or with --no-force-primary FLUX_KVS_NAMESPACE when
 * set), kvs requests naming it, and the archive's lookup with Flux's lines.
 */
import { sysText } from '../../filemap/errors';
import { CommandExit, FluxCommand } from '../../base-command';
import type { Client } from '../../api/client';
import type { OptionSpec } from '../../options';
import { FluxError } from '../../../lib/errors';
import { Errno, strerror } from '../../../lib/errno';
import { fnmatchRegex } from '../../../lib/formats/fnmatch';

export const NAME: OptionSpec = { name: 'name', short: 'n', arg: 'NAME', description: 'Archive NAME (default main)' };
export const NO_FORCE_PRIMARY: OptionSpec = { name: 'no-force-primary', description: 'Do not force archive to be in the primary KVS namespace' };

/** a name: letters, digits and `-_+=@:`; not ending in `_blobs` (that key holds an archive's blobs) */
const NAME_RE = /^[A-Za-z0-9_+=@:-]+$/;
/** well within a kvs key's 1024 bytes, blob keys included */
const NAME_MAX = 200;

/** JSON bytes of kvs.commit ops per message: well below the 16 MiB a message may hold */
export const PART_BYTES = 4 * 1024 * 1024;

export abstract class ArchiveCommand extends FluxCommand {
  protected h!: Client;
  /** the namespace the requests name (undefined: the primary one) */
  protected ns: string | undefined;
  protected name = 'main';

  protected get key(): string {
    return `archive.${this.name}`;
  }

  protected get blobsKey(): string {
    return `archive.${this.name}_blobs`;
  }

  async run(): Promise<number> {
    this.name = this.args.str('name', 'main');
    if (!NAME_RE.test(this.name)) this.fail(`invalid archive name '${this.name}': use letters, digits and -_+=@: only`);
    if (this.name.length > NAME_MAX) this.fail(`invalid archive name '${this.name.slice(0, 20)}...': at most ${NAME_MAX} characters`);
    if (this.name.endsWith('_blobs')) this.fail(`invalid archive name '${this.name}': a name may not end in _blobs`);
    if (this.args.has('no-force-primary')) {
      const env = process.env['FLUX_KVS_NAMESPACE'];
      this.ns = env === undefined || env === '' ? undefined : env;
    }
    return this.main();
  }

  protected abstract main(): Promise<number>;

  protected async open(): Promise<void> {
    this.h = await this.connect();
  }

  /** -C DIR: work from DIR (one line when it cannot be entered) */
  protected enterDirectory(): void {
    const dir = this.args.str('directory');
    if (dir === undefined) return;
    try {
      process.chdir(dir);
    } catch (e) {
      this.fail(`chdir ${dir}: ${sysText(e)}`);
    }
  }

  /** a kvs request in the archive's namespace */
  protected kvs<T = unknown>(method: string, payload: object): Promise<T> {
    return this.h.rpc<T>(`kvs.${method}`, this.ns === undefined ? payload : { ...payload, namespace: this.ns });
  }

  /** the value at key, or undefined when there is none (ENOENT, EISDIR); other errors thrown */
  protected async getOptional(key: string): Promise<unknown> {
    try {
      return (await this.kvs<{ value: unknown }>('get', { key })).value;
    } catch (e) {
      if (e instanceof FluxError && (e.errno === Errno.ENOENT || e.errno === Errno.EISDIR)) return undefined;
      throw e;
    }
  }

  /** the archive's entries; `KVS lookup archive.NAME: ERROR` when it cannot be read */
  protected async lookupArchive(waitcreate = false, timeoutS = -1): Promise<unknown[]> {
    let value: unknown;
    try {
      value = waitcreate ? await this.waitFor(timeoutS) : (await this.kvs<{ value: unknown }>('get', { key: this.key })).value;
    } catch (e) {
      if (e instanceof FluxError) this.fail(`KVS lookup ${this.key}: ${strerror(e.errno)}`);
      throw e;
    }
    value = asJson(value);
    if (!Array.isArray(value)) this.fail(`${this.key}: not an RFC 37 file archive`);
    return value as unknown[];
  }

  /** the archive's value once its key exists (a kvs watch of values: one that waits for a value), within timeoutS when >= 0 */
  private async waitFor(timeoutS: number): Promise<unknown> {
    let value: unknown;
    let got = false;
    const payload = this.ns === undefined ? { key: this.key, waitcreate: true, values: true } : { key: this.key, waitcreate: true, values: true, namespace: this.ns };
    const stream = this.h.rpcStream(
      'kvs.watch',
      payload,
      (r) => {
        if (got) return;
        got = true;
        value = (r as { value?: unknown }).value;
        void stream.cancel();
      },
      timeoutS >= 0 ? { timeoutMs: Math.max(1, Math.round(timeoutS * 1000)) } : {},
    );
    try {
      await stream;
    } catch (e) {
      if (e instanceof FluxError && e.errno === Errno.ETIMEDOUT) throw new CommandExit(1, this.errorLine(`${this.key}: key was not created within timeout window`));
      throw e;
    }
    if (!got) throw new FluxError(Errno.ENOENT, 'watch ended');
    return value;
  }

  /** the archive's keys unlinked in one commit */
  protected async unlinkArchive(): Promise<void> {
    await this.kvs('commit', {
      ops: [
        { op: 'unlink', key: this.key },
        { op: 'unlink', key: this.blobsKey, recursive: true },
      ],
    });
  }
}

/**
 * A value as Flux's lookup_get_unpack reads it: text (what `flux kvs put`
 * stores) is parsed as JSON when it is JSON.
 */
export function asJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

/** the entries whose path matches pattern (fnmatch(3)); `No files matched` on stderr when none do */
export function matching(entries: unknown[], pattern: string | undefined): unknown[] {
  if (pattern === undefined) return entries;
  const re = fnmatchRegex(pattern);
  const out = entries.filter((e) => typeof e === 'object' && e !== null && typeof (e as { path?: unknown }).path === 'string' && re.test((e as { path: string }).path));
  if (out.length === 0) process.stderr.write(`flux-archive: No files matched pattern '${pattern}'\n`);
  return out;
}
