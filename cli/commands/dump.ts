/**
 * flux dump [-q] [-v] FILE: the kvs's content as a tar archive (flux-dump(1)):
 * one member per key, its path the key with `.` as `/`, its content the value
 * as `flux kvs get -r` gives it (eventlogs as their RFC 18 lines). `.tar`,
 * `.tgz` or `.tar.gz`, or `-` for a tar archive on stdout. flux restore loads it (cli/commands/restore.ts), and so
 * does a new instance started with `-Scontent.restore=FILE`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { once } from 'node:events';
import { CommandExit, FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import { archiveFormat, writeKvsArchive, type ArchiveFormat } from '../../lib/kvs-archive/write';


export class DumpCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['dump'],
    grammar: 'getopt',
    prog: 'flux-dump',
    summary: 'Dump KVS content to a tar archive',
    docLine: true,
    usage: '[OPTIONS] OUTFILE',
    options: [
      { name: 'quiet', short: 'q', description: "Don't show periodic progress updates" },
      { name: 'verbose', short: 'v', description: 'List keys on stderr' },
      { name: 'checkpoint', description: 'Dump from the last checkpoint (the same content here)' },
      { name: 'no-cache', description: 'Bypass the broker content cache (flux-ts has none: the same dump)' },
    ],
    operands: [{ name: 'OUTFILE', nargs: '1' }],
  };

  async run(): Promise<number> {
    const file = this.args.operands[0]!;
    const format = archiveFormat(file);
    const toStdout = file === '-';
    if (format === undefined && !toStdout) this.fail(`No such format '${file}'`);
    // `-`: a tar archive on stdout, made in a private file first (tar writes members as it walks)
    const outDir = toStdout ? fs.mkdtempSync(path.join(os.tmpdir(), 'flux-dump-out-')) : undefined;
    const archive = outDir ? path.join(outDir, 'dump.tar') : file;
    try {
      fs.closeSync(fs.openSync(archive, 'w', 0o600));
    } catch {
      this.fail(`Failed to open '${file}'`);
    }
    try {
      await this.dump(archive, file, format ?? 'tar');
      if (outDir) await copyToStdout(archive);
    } finally {
      if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
    }
    return 0;
  }

  /** the kvs into `archive` (named `file` in messages) */
  private async dump(archive: string, file: string, format: ArchiveFormat): Promise<void> {
    const quiet = this.args.has('quiet');
    const verbose = this.args.has('verbose');
    const h = await this.connect();
    const { keys, links = {}, dirs = [] } = await h.rpc<{ keys: string[]; links?: Record<string, string>; dirs?: string[] }>('kvs.dir', { key: '', extras: true });
    const value = async (key: string) => (await h.rpc<{ value: unknown }>('kvs.get', { key })).value;
    try {
      const n = await writeKvsArchive(archive, { keys, links, dirs, value }, format, (rel, k) => {
        if (verbose) process.stderr.write(`${rel}\n`);
        else if (!quiet && (k % 100 === 0 || k === keys.length)) process.stderr.write(`\rflux-dump: archived ${k} keys`);
      });
      if (!quiet && !verbose && n > 0) process.stderr.write('\n');
    } catch (e) {
      if (e instanceof CommandExit) throw e;
      this.fail(`${file}: ${(e as Error).message}`);
    }
  }
}

/** a file's bytes to stdout, at the pace stdout takes them */
async function copyToStdout(file: string): Promise<void> {
  for await (const chunk of fs.createReadStream(file)) if (!process.stdout.write(chunk as Buffer)) await once(process.stdout, 'drain');
}
