/**
 * flux R decode: the union of the R sets on stdin, filtered by rank or
 * property, printed as R or summarized (short form, nodelist, ranks, a count).
 */
import { hostlist, idset } from '../../../lib/formats';
import { RCommand, rFilesSpec } from '../../R/r-command';
import { excludeRanks, includeRanks, shortText, withProperties, type RSet } from '../../R/rset';

const COUNT_TYPES = ['node', 'core', 'gpu'];

export class RDecodeCommand extends RCommand {
  static override spec = rFilesSpec(
    'decode',
    'Return the union of all R objects on stdin and print details or summary of the result. By default an RFC 20 JSON object is emitted on stdout, unless one or more options below are used',
    [
      { name: 'short', short: 's', description: 'Print short-form representation of R' },
      { name: 'nodelist', short: 'n', description: 'Print nodelist in hostlist form from R, if any' },
      { name: 'ranks', short: 'r', description: 'Print ranks in idset form from R, if any' },
      { name: 'count', short: 'c', arg: 'TYPE', description: 'Print count of resource TYPE in R (node, core, gpu)' },
      { name: 'include', short: 'i', arg: 'RANKS', description: 'Include only specified ranks.' },
      { name: 'exclude', short: 'x', arg: 'RANKS', description: 'Exclude specified ranks.' },
      { name: 'properties', short: 'p', arg: 'LIST', description: 'Filter on properties' },
    ],
  );

  async run(): Promise<number> {
    const p = this.args;
    const type = p.str('count');
    if (type !== undefined && !COUNT_TYPES.includes(type)) this.fail(`--count: unknown resource type '${type}' (node, core, gpu)`);
    let s = this.unionAll();
    const props = p.str('properties');
    if (props !== undefined) s = withProperties(s, props.split(',').filter((x) => x !== ''));
    const inc = p.str('include');
    if (inc !== undefined) s = includeRanks(s, this.ids(inc, `Invalid ranks option: '${inc}'`));
    const exc = p.str('exclude');
    if (exc !== undefined) s = excludeRanks(s, this.ids(exc, `Invalid idset in --exclude option: ${exc}`));
    const lines: string[] = [];
    if (p.has('short')) lines.push(shortText(s));
    if (p.has('nodelist')) lines.push(hostlist.compress(s.ranks.map((r) => r.hostname).filter((h) => h !== '')));
    if (p.has('ranks')) lines.push(idset.encode(s.ranks.map((r) => r.rank)));
    if (type !== undefined) lines.push(String(count(s, type)));
    if (lines.length === 0) this.print(s);
    else process.stdout.write(lines.map((l) => l + '\n').join(''));
    return 0;
  }

  private ids(text: string, why: string): number[] {
    try {
      return idset.decode(text);
    } catch {
      this.fail(why);
    }
  }
}

function count(s: RSet, type: string): number {
  if (type === 'node') return s.ranks.length;
  return s.ranks.reduce((n, r) => n + (type === 'core' ? r.cores.length : r.gpus.length), 0);
}
