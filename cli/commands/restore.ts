/**
 * flux restore [-q] [-v] [--size-limit=SIZE] (--key=NAME | --checkpoint) INFILE
 * (flux-restore(1)): load a flux-dump(1) archive. With --key into the running
 * kvs under NAME (which becomes the archive's root directory); with
 * --checkpoint, while the kvs module is not loaded, into the statedir's store,
 * replacing what it held, for the kvs's next start (the kvs module loaded
 * once with `restore=FILE`, which does the writing, then removed again).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import type { Client } from '../api/client';
import { FluxError } from '../../lib/errors';
import { archiveValue, parseSizeLimit, readArchive, type Member } from '../archive/read';

/** JSON bytes of kvs.commit ops per message (--key): well below the 16 MiB a message may hold */
const PART_BYTES = 4 * 1024 * 1024;

export class RestoreCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['restore'],
    grammar: 'getopt',
    prog: 'flux-restore',
    summary: 'Restore KVS snapshot from a portable archive format',
    docLine: true,
    usage: '[OPTIONS] INFILE',
    options: [
      { name: 'verbose', short: 'v', description: 'List keys on stderr' },
      { name: 'quiet', short: 'q', description: "Don't show periodic progress updates" },
      { name: 'checkpoint', description: 'Restore to the checkpoint for the next KVS start (kvs module not loaded)' },
      { name: 'key', arg: 'NAME', description: 'Restore to KVS key NAME' },
      { name: 'size-limit', arg: 'SIZE', description: 'Skip restoring keys that exceed SIZE bytes (default: no limit)' },
      { name: 'no-cache', description: 'Bypass the broker content cache (flux-ts has none: the same restore)' },
    ],
    operands: [{ name: 'INFILE', nargs: '1' }],
  };

  private verbose = false;
  private quiet = false;

  async run(): Promise<number> {
    const infile = this.args.operands[0]!;
    this.verbose = this.args.has('verbose');
    this.quiet = this.args.has('quiet');
    const key = this.args.str('key');
    const checkpoint = this.args.has('checkpoint');
    if (key === undefined && !checkpoint) this.fail('Please specify a restore target with --checkpoint or --key');
    if (key !== undefined && checkpoint) this.fail('--checkpoint and --key are mutually exclusive');
    const limitText = this.args.str('size-limit');
    const sizeLimit = limitText === undefined ? undefined : parseSizeLimit(limitText);
    if (sizeLimit === null) this.fail(`invalid size limit '${limitText}'`);
    const h = await this.connect();
    if (checkpoint && (await kvsLoaded(h))) this.fail('please unload kvs module before using --checkpoint');

    // the archive on a file the broker can read: stdin is copied to a private temporary file
    let tmp: string | undefined;
    let file = path.resolve(infile);
    if (infile === '-') {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-restore-'));
      file = path.join(tmp, 'stdin.tar');
      fs.writeFileSync(file, fs.readFileSync(0), { mode: 0o600 });
    }
    try {
      let members: Member[];
      let skipped: Member[];
      try {
        ({ members, skipped } = await readArchive(file, sizeLimit ?? undefined));
      } catch (e) {
        this.fail(`${infile}: ${(e as Error).message}`);
      }
      if (!this.quiet) for (const m of skipped) process.stderr.write(`flux-restore: skipping ${m.path} (${m.size} bytes is over the size limit)\n`);
      if (key !== undefined) await this.toKey(h, key, members);
      else await this.toCheckpoint(h, file, members, sizeLimit ?? undefined);
    } finally {
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    }
    return 0;
  }

  private progress(n: number, total: number): void {
    if (this.verbose || this.quiet) return;
    if (n % 100 === 0 || n === total) process.stderr.write(`\rflux-restore: restored ${n} keys`);
    if (n === total) process.stderr.write('\n');
  }

  private listKey(m: Member): void {
    if (this.verbose) process.stderr.write(`${m.path}\n`);
  }

  /**
   * under NAME in the running kvs: what NAME held goes, each member becomes
   * NAME.KEY; one kvs transaction (kvs.commit), so a member the kvs refuses
   * leaves NAME as it was
   */
  private async toKey(h: Client, name: string, members: Member[]): Promise<void> {
    const root = name.split('.').filter(Boolean).join('.');
    if (root === '') this.fail(`${name}: Invalid argument`);
    const ops: object[] = [{ op: 'unlink', key: root, recursive: true }];
    for (const [i, m] of members.entries()) {
      const key = `${root}.${m.key}`;
      const v = archiveValue(m.text);
      if (m.link !== undefined) ops.push({ op: 'link', key, target: m.link });
      else if (m.dir) ops.push({ op: 'mkdir', key });
      else if (v.eventlog) ops.push({ op: 'append', key, entries: v.entries });
      else ops.push({ op: 'put', key, value: v.value });
      this.listKey(m);
      this.progress(i + 1, members.length);
    }
    try {
      // in parts of at most PART_BYTES of JSON (a message holds 16 MiB), committed as one by the last
      const txn = `restore-${process.pid}-${Date.now()}`;
      let part: object[] = [];
      let bytes = 0;
      for (const [i, op] of ops.entries()) {
        part.push(op);
        bytes += JSON.stringify(op).length;
        const last = i === ops.length - 1;
        if (last || bytes >= PART_BYTES) {
          await h.rpc('kvs.commit', { ops: part, txn, final: last });
          part = [];
          bytes = 0;
        }
      }
    } catch (e) {
      if (e instanceof FluxError) this.fail(e.message);
      throw e;
    }
    if (!this.quiet) process.stderr.write(`flux-restore: writing ${members.length} keys to KVS key '${root}'\n`);
  }

  /** the kvs module, loaded once with restore=FILE, replaces the statedir store's content; then it is removed */
  private async toCheckpoint(h: Client, file: string, members: Member[], sizeLimit: number | undefined): Promise<void> {
    for (const [i, m] of members.entries()) {
      this.listKey(m);
      this.progress(i + 1, members.length);
    }
    if (!this.quiet) process.stderr.write(`flux-restore: writing ${members.length} keys to checkpoint for next KVS start\n`);
    const args = [`restore=${file}`, ...(sizeLimit !== undefined ? [`size-limit=${sizeLimit}`] : [])];
    try {
      await h.rpc('module.load', { path: 'kvs', args });
    } catch (e) {
      if (e instanceof FluxError) this.fail(e.message);
      throw e;
    }
    try {
      await h.rpc('module.remove', { name: 'kvs' });
    } catch (e) {
      if (e instanceof FluxError) this.fail(`kvs: ${e.message}`);
      throw e;
    }
  }
}

/** the kvs service answers on this broker */
async function kvsLoaded(h: Client): Promise<boolean> {
  try {
    await h.rpc('kvs.stats-get', {});
    return true;
  } catch (e) {
    if (e instanceof FluxError && e.errno === 38) return false; // ENOSYS
    throw e;
  }
}
