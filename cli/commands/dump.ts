/**
 * flux dump [-q] [-v] FILE: the kvs's content as a tar archive (flux-dump(1)):
 * one member per key, its path the key with `.` as `/`, its content the value
 * as `flux kvs get -r` gives it (eventlogs as their RFC 18 lines). `.tar`,
 * `.tgz` or `.tar.gz`. A new instance loads it with `-Scontent.restore=FILE`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Command, Option } from 'clipanion';
import * as tar from 'tar';
import { CommandExit, FluxCommand } from '../base-command';

const USAGE = 'Usage: flux-dump [OPTIONS] OUTFILE\nDump KVS content to a tar archive\n  -q, --quiet            Don\'t show periodic progress updates\n  -v, --verbose          List keys on stderr\n      --checkpoint       Dump from the last checkpoint (the same content here)';

export class DumpCommand extends FluxCommand {
  static override paths = [['dump']];
  static override prog = 'flux-dump';
  static override usageLine = USAGE;
  static override usage = Command.Usage({ description: 'Dump KVS content to a tar archive' });
  quiet = Option.Boolean('-q,--quiet', false);
  verbose = Option.Boolean('-v,--verbose', false);
  checkpoint = Option.Boolean('--checkpoint', false);
  args = Option.Rest();

  async run(): Promise<number> {
    if (this.args.length !== 1) throw new CommandExit(1, USAGE);
    const file = this.args[0]!;
    const gzip = /\.(tgz|tar\.gz)$/.test(file);
    if (!gzip && !file.endsWith('.tar')) this.fail(`No such format '${file}'`);
    try {
      fs.closeSync(fs.openSync(file, 'w', 0o600));
    } catch {
      this.fail(`Failed to open '${file}'`);
    }
    const h = await this.connect();
    const { keys } = await h.rpc<{ keys: string[] }>('kvs.dir', { key: '' });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-dump-'));
    try {
      const top = new Set<string>();
      let n = 0;
      for (const key of keys) {
        const { value } = await h.rpc<{ value: unknown }>('kvs.get', { key });
        const rel = key.split('.').join('/');
        fs.mkdirSync(path.join(tmp, path.dirname(rel)), { recursive: true });
        fs.writeFileSync(path.join(tmp, rel), typeof value === 'string' ? value : JSON.stringify(value), { mode: 0o644 });
        top.add(rel.split('/')[0]!);
        n++;
        if (this.verbose) process.stderr.write(`${rel}\n`);
        else if (!this.quiet && (n % 100 === 0 || n === keys.length)) process.stderr.write(`\rflux-dump: archived ${n} keys`);
      }
      if (!this.quiet && !this.verbose && n > 0) process.stderr.write('\n');
      if (top.size > 0) await tar.c({ file, cwd: tmp, gzip, portable: true }, [...top].sort());
      else {
        // an empty kvs: an archive of no members is its end marker, two zero blocks
        const end = Buffer.alloc(1024);
        fs.writeFileSync(file, gzip ? zlib.gzipSync(end) : end);
      }
    } catch (e) {
      if (e instanceof CommandExit) throw e;
      this.fail(`${file}: ${(e as Error).message}`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    return 0;
  }
}
