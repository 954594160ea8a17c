/** flux kvs ls [-N ns] [-R] [-d] [-F] [-w COLS] [-1] [KEY...]: list directories in columns. */
import * as opt from './options';
import { KvsCommand } from './kvs-command';
import { columns, normalizeKey } from './format';

const DIRECTORY = { name: 'directory', short: 'd', description: 'List directory entries, not their contents' };
const CLASSIFY = { name: 'classify', short: 'F', description: 'Append "." to directories and "@" to links' };
const ONE = { name: '1', short: '1', description: 'One entry per line (same as -w1)' };

export class KvsLsCommand extends KvsCommand {
  static override spec = opt.kvsSpec(
    ['ls'],
    'List directory',
    '[-N ns] [-R] [-d] [-F] [-w COLS] [-1] [key...]',
    [opt.NAMESPACE, opt.RECURSIVE, DIRECTORY, CLASSIFY, opt.WIDTH, ONE],
    [{ name: 'key', nargs: '*' }],
  );

  /** as ls prints a missing key: no prefix */
  protected override unsupportedLine(key: string): string {
    return `${key === '' ? '.' : key}: Operation not supported`;
  }

  protected async main(): Promise<number> {
    const p = this.args;
    const width = p.has('1') ? 1 : this.intOpt('width', 80);
    const classify = p.has('classify');
    const keys = p.operands.length > 0 ? p.operands.map((k) => normalizeKey(k)) : [''];
    let rc = 0;
    let out = '';
    const mark = (n: string, dir: boolean, link = false) => (classify && dir ? n + '.' : classify && link ? n + '@' : n);
    const files: string[] = [];
    const dirs: string[] = [];
    for (const k of keys) {
      const kind = k === '' ? 'dir' : await this.kind(k);
      if (kind === 'link') files.push(mark(k, false, true));
      else if (kind !== 'dir') {
        try {
          await this.h.rpc('kvs.get', { key: k });
          files.push(k);
        } catch {
          process.stderr.write(`${k}: No such file or directory\n`);
          rc = 1;
        }
      } else if (p.has('directory')) files.push(mark(k, true));
      else dirs.push(k);
    }
    out += columns(files, width);
    const many = keys.length > 1 || p.has('recursive');
    const section = async (dir: string) => {
      const links = new Map<string, string>();
      const ch = await this.children(dir, links);
      if (many) out += `${out.length > 0 ? '\n' : ''}${dir === '' ? '.' : dir}:\n`;
      out += columns(
        [...ch].map(([n, d]) => mark(n, d, links.has(n))),
        width,
      );
      if (p.has('recursive')) for (const [n, d] of ch) if (d) await section(dir === '' ? n : `${dir}.${n}`);
    };
    for (const d of dirs) await section(d);
    process.stdout.write(out);
    return rc;
  }
}
