/**
 * flux config load [PATH]: replace the broker's configuration with TOML or
 * JSON read from PATH (a file, or a directory whose *.toml files are merged
 * in name order) or from standard input. The broker checks it as at start
 * and tells its modules (kernel/config/reload.ts); `--conf` overrides given
 * at start do not apply to a loaded configuration.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { FluxCommand } from '../../base-command';
import type { CommandSpec } from '../../options';
import type { FluxError } from '../../../lib/errors';

/** what one load may carry (the broker refuses more) */
const MAX_BYTES = 1 << 20;

export class ConfigLoadCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['config', 'load'],
    grammar: 'getopt',
    prog: 'flux-config load',
    summary: 'Replace the configuration with TOML or JSON from PATH or standard input',
    docLine: true,
    usage: '[PATH]',
    options: [],
    operands: [{ name: 'PATH', nargs: '?' }],
  };

  async run(): Promise<number> {
    const where = this.args.operands[0];
    const sources = where === undefined ? [{ name: 'stdin', text: await this.stdin() }] : await this.files(where);
    const h = await this.connect();
    try {
      await h.rpc('config.load', { sources });
    } catch (e) {
      this.fail((e as FluxError).message);
    }
    return 0;
  }

  private async stdin(): Promise<string> {
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of process.stdin) {
      n += (c as Buffer).length;
      if (n > MAX_BYTES) this.fail(`stdin: more than ${MAX_BYTES} bytes`);
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private async files(p: string): Promise<Array<{ name: string; text: string }>> {
    let names: string[];
    try {
      const st = await fsp.stat(p);
      names = st.isDirectory() ? (await fsp.readdir(p)).filter((n) => n.endsWith('.toml')).sort().map((n) => path.join(p, n)) : [p];
    } catch (e) {
      this.fail(`${p}: ${(e as NodeJS.ErrnoException).code === 'EACCES' ? 'Permission denied' : 'No such file or directory'}`);
    }
    // a directory without *.toml files is an empty configuration
    if (names.length === 0) return [{ name: p, text: '' }];
    const out: Array<{ name: string; text: string }> = [];
    let n = 0;
    for (const name of names) {
      let text: string;
      try {
        text = await fsp.readFile(name, 'utf8');
      } catch (e) {
        this.fail(`${name}: ${(e as Error).message}`);
      }
      n += text.length;
      if (n > MAX_BYTES) this.fail(`${p}: more than ${MAX_BYTES} bytes`);
      out.push({ name, text });
    }
    return out;
  }
}
