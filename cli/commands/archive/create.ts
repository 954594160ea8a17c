/**
 * flux archive create [-n NAME] [-C DIR] [--overwrite|--append] PATH...: an
 * RFC 37 archive of PATHs at `archive.NAME` (flux-archive(1)). Large files'
 * chunks are stored first, as blobs under `archive.NAME_blobs.BLOBREF`
 * (flux-ts has no content store), committed in parts as they are read; the
 * archive's own key last, so a reader that sees it finds every blob.
 */
import { CommandExit } from '../../base-command';
import type { CommandSpec } from '../../options';
import { FluxError } from '../../../lib/errors';
import { strerror } from '../../../lib/errno';
import type { Fileref } from '../../../lib/filemap/fileref';
import { collect } from '../../filemap/collect';
import { FilemapError } from '../../filemap/errors';
import { ArchiveCommand, NAME, NO_FORCE_PRIMARY, PART_BYTES, asJson } from './archive-command';

const INT_MAX = 2 ** 31 - 1;
/** file data one archive may hold: the kvs keeps every value in memory on rank 0 */
export const ARCHIVE_MAX_BYTES = 512 * 1024 * 1024;
/** a blob is one kvs value (base64 in one message): chunks are at most this */
export const CHUNK_MAX = 4 * 1024 * 1024;
/** the archive's own value (its file objects, small files inline) travels in one message */
export const INDEX_MAX = 12 * 1024 * 1024;

/** optparse's size: a number (fraction allowed) with an optional k/K, M or G suffix; undefined when malformed */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d*)?|\.\d+)([kKMG]?)$/.exec(text);
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2] as '' | 'k' | 'K' | 'M' | 'G'];
  return Math.floor(Number(m[1]) * mult);
}

export class ArchiveCreateCommand extends ArchiveCommand {
  static override spec: CommandSpec = {
    path: ['archive', 'create'],
    grammar: 'getopt',
    prog: 'flux-archive create',
    summary: 'Create a KVS file archive',
    docLine: true,
    usage: '[-n NAME] [-C DIR] [--preserve] PATH ...',
    options: [
      { ...NAME, description: 'Write to archive NAME (default main)' },
      NO_FORCE_PRIMARY,
      { name: 'directory', short: 'C', arg: 'DIR', description: 'Change to DIR before reading files' },
      { name: 'verbose', short: 'v', arg: '[LEVEL]', optionalArg: true, description: 'Increase output detail.' },
      { name: 'overwrite', description: 'Overwrite existing archive' },
      { name: 'append', description: 'Append to existing archive' },
      { name: 'preserve', description: 'Preserve data over Flux restart (always so here: blobs are KVS keys)' },
      { name: 'mmap', description: 'Use mmap(2) to map file content (refused: flux-ts has no content store)' },
      { name: 'chunksize', arg: 'N[KMG]', description: 'Limit blob size to N bytes (default 1M, at most 4M)' },
      { name: 'small-file-threshold', arg: 'N[KMG]', description: 'Adjust the maximum size of a "small file" in bytes (default 1K)' },
    ],
    operands: [{ name: 'PATH', nargs: '+' }],
    freeOperands: true,
  };

  private sizeOpt(name: string, dflt: number): number {
    const text = this.args.str(name);
    if (text === undefined) return dflt;
    const v = parseSize(text);
    if (v === undefined) this.fail(`invalid argument for option '${name}': ${text}: Invalid argument`);
    if (v > INT_MAX) this.fail(`${name}: value ${text} too large (must be < 2G)`);
    return v;
  }

  protected async main(): Promise<number> {
    const paths = this.args.operands;
    if (paths.length === 0) this.usage();
    const chunksize = this.sizeOpt('chunksize', 1024 * 1024);
    const smallFileThreshold = this.sizeOpt('small-file-threshold', 1024);
    if (this.args.has('mmap')) this.fail('--mmap: flux-ts has no content store to map files into (files are copied into the KVS)');
    if (chunksize === 0 || chunksize > CHUNK_MAX) this.fail(`--chunksize=${this.args.str('chunksize')}: a blob is one KVS value here, from 1 byte to 4M`);
    if (this.args.has('overwrite') && this.args.has('append')) this.fail('--overwrite and --append cannot be used together');
    await this.open();
    this.enterDirectory();
    const archive: Fileref[] = [];
    let fresh = true;
    if (this.args.has('overwrite')) await this.orFail('unlink', () => this.unlinkArchive());
    else {
      const existing = asJson(await this.orFail('KVS lookup', () => this.getOptional(this.key)));
      if (existing !== undefined) {
        if (!this.args.has('append')) this.fail(`${this.key}: key exists`);
        if (!Array.isArray(existing)) this.fail(`${this.key}: not an RFC 37 file archive`);
        archive.push(...(existing as Fileref[]));
        fresh = false;
      }
    }
    const level = this.args.has('verbose') ? Number(this.args.str('verbose') || '1') : 0;
    const pending: object[] = [];
    let pendingBytes = 0;
    const stored = new Set<string>();
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const ops = pending.splice(0);
      pendingBytes = 0;
      await this.kvs('commit', { ops });
    };
    try {
      await collect(
        paths,
        {
          smallFileThreshold,
          chunksize,
          maxBytes: ARCHIVE_MAX_BYTES,
          usedBytes: archive.reduce((n, f) => n + (typeof f.size === 'number' ? f.size : 0), 0),
          name: this.name,
          maxText: '512M',
          trace: level > 0 ? (p) => process.stdout.write(`${p}\n`) : undefined,
          storeBlob: async (blobref, bytes) => {
            if (stored.has(blobref)) return;
            stored.add(blobref);
            const value = bytes.toString('base64');
            pending.push({ op: 'put', key: `${this.blobsKey}.${blobref}`, value });
            pendingBytes += value.length;
            if (pendingBytes >= PART_BYTES) await flush();
          },
        },
        archive,
      );
      await flush();
      const size = Buffer.byteLength(JSON.stringify(archive));
      if (size > INDEX_MAX) {
        throw new FilemapError(`${this.key}: the archive's file list would be ${Math.ceil(size / 1024 / 1024)}M, over the 12M a KVS value may hold here (lower --small-file-threshold, or archive fewer files)`);
      }
      await this.kvs('commit', { ops: [{ op: 'put', key: this.key, value: archive }] });
    } catch (e) {
      // what a new archive stored before failing goes with it
      if (fresh) await this.kvs('commit', { ops: [{ op: 'unlink', key: this.blobsKey, recursive: true }] }).catch(() => undefined);
      if (e instanceof FilemapError) this.fail(e.message);
      if (e instanceof FluxError) this.fail(`kvs commit: ${strerror(e.errno)}`);
      throw e;
    }
    return 0;
  }

  /** a kvs call whose failure is `WHAT ARCHIVE-KEY: ERROR` */
  private async orFail<T>(what: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof FluxError) throw new CommandExit(1, this.errorLine(`${what} ${this.key}: ${strerror(e.errno)}`));
      throw e;
    }
  }
}
