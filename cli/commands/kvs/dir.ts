/** flux kvs dir [-N ns] [-R] [-d] [-w COLS] [KEY]: every key of a directory with its value (-d: without). */
import * as opt from './options';
import { KvsCommand } from './kvs-command';
import { normalizeKey, valueText } from './format';

const DIRECTORY = { name: 'directory', short: 'd', description: 'List directory entries and not values' };

export class KvsDirCommand extends KvsCommand {
  static override spec = opt.kvsSpec(
    ['dir'],
    'Display all keys under directory',
    '[-N ns] [-R] [-d] [-w COLS] [key]',
    [opt.NAMESPACE, opt.RECURSIVE, DIRECTORY, opt.WIDTH, opt.AT],
    [{ name: 'key', nargs: '?' }],
  );

  protected override whatFailed(key: string): string {
    return key === '' ? '.' : key;
  }

  protected async main(): Promise<number> {
    const key = normalizeKey(this.args.operands[0] ?? '');
    const width = this.intOpt('width', 80);
    if (key !== '' && !(await this.isDir(key))) {
      try {
        await this.h.rpc('kvs.get', { key });
      } catch {
        this.fail(`${key}: No such file or directory`);
      }
      this.fail(`${key}: Not a directory`);
    }
    const fit = (line: string) => (width > 0 && line.length > width ? line.slice(0, Math.max(0, width - 3)) + '...' : line);
    const entry = async (k: string, link: string | undefined) =>
      link === undefined && this.args.has('directory')
        ? `${k}\n`
        : link !== undefined ? `${k} -> ${link}\n` : fit(`${k} = ${valueText((await this.h.rpc<{ value: unknown }>('kvs.get', { key: k })).value).split('\n')[0]!}`) + '\n';
    let out = '';
    if (this.args.has('recursive')) {
      const r = await this.h.rpc<{ keys: string[]; links?: Record<string, string> }>('kvs.dir', { key, extras: true });
      for (const k of r.keys) out += await entry(k, r.links?.[k]);
    } else {
      const links = new Map<string, string>();
      for (const [n, d] of await this.children(key, links)) {
        const k = key === '' ? n : `${key}.${n}`;
        if (d) out += `${k}.\n`;
        else out += await entry(k, links.get(n));
      }
    }
    process.stdout.write(out);
    return 0;
  }
}
