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
import * as zlib from 'node:zlib';
import { once } from 'node:events';
import { CommandExit, FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';


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
    ],
    operands: [{ name: 'OUTFILE', nargs: '1' }],
  };

  async run(): Promise<number> {
    const file = this.args.operands[0]!;
    const gzip = /\.(tgz|tar\.gz)$/.test(file);
    const toStdout = file === '-';
    if (!gzip && !toStdout && !file.endsWith('.tar')) this.fail(`No such format '${file}'`);
    // `-`: a tar archive on stdout, made in a private file first (tar writes members as it walks)
    const outDir = toStdout ? fs.mkdtempSync(path.join(os.tmpdir(), 'flux-dump-out-')) : undefined;
    const archive = outDir ? path.join(outDir, 'dump.tar') : file;
    try {
      fs.closeSync(fs.openSync(archive, 'w', 0o600));
    } catch {
      this.fail(`Failed to open '${file}'`);
    }
    try {
      await this.dump(archive, file, gzip);
      if (outDir) await copyToStdout(archive);
    } finally {
      if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
    }
    return 0;
  }

  /** the kvs into `archive` (named `file` in messages) */
  private async dump(archive: string, file: string, gzip: boolean): Promise<void> {
    const quiet = this.args.has('quiet');
    const verbose = this.args.has('verbose');
    const h = await this.connect();
    const { keys, links = {}, dirs = [] } = await h.rpc<{ keys: string[]; links?: Record<string, string>; dirs?: string[] }>('kvs.dir', { key: '', extras: true });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-dump-'));
    try {
      const top = new Set<string>();
      let n = 0;
      // empty directories (flux kvs mkdir) are directory members with nothing below them
      for (const dir of dirs) {
        fs.mkdirSync(path.join(tmp, ...dir.split('.')), { recursive: true });
        top.add(dir.split('.')[0]!);
      }
      for (const key of keys) {
        const rel = key.split('.').join('/');
        fs.mkdirSync(path.join(tmp, path.dirname(rel)), { recursive: true });
        const target = links[key];
        if (target !== undefined) {
          // a link is a symbolic link member whose target is the key it names
          fs.symlinkSync(target, path.join(tmp, rel));
        } else {
          const { value } = await h.rpc<{ value: unknown }>('kvs.get', { key });
          fs.writeFileSync(path.join(tmp, rel), typeof value === 'string' ? value : JSON.stringify(value), { mode: 0o644 });
        }
        top.add(rel.split('/')[0]!);
        n++;
        if (verbose) process.stderr.write(`${rel}\n`);
        else if (!quiet && (n % 100 === 0 || n === keys.length)) process.stderr.write(`\rflux-dump: archived ${n} keys`);
      }
      if (!quiet && !verbose && n > 0) process.stderr.write('\n');
      // N.B. loaded here, not at the top: tar pulls in node:assert, which a warm client (no stdio yet) cannot load
      if (top.size > 0) await (await import('tar')).c({ file: archive, cwd: tmp, gzip, portable: true }, [...top].sort());
      else {
        // an empty kvs: an archive of no members is its end marker, two zero blocks
        const end = Buffer.alloc(1024);
        fs.writeFileSync(archive, gzip ? zlib.gzipSync(end) : end);
      }
    } catch (e) {
      if (e instanceof CommandExit) throw e;
      this.fail(`${file}: ${(e as Error).message}`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
}

/** a file's bytes to stdout, at the pace stdout takes them */
async function copyToStdout(file: string): Promise<void> {
  for await (const chunk of fs.createReadStream(file)) if (!process.stdout.write(chunk as Buffer)) await once(process.stdout, 'drain');
}
