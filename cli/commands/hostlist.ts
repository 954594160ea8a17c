/**
 * flux hostlist [OPTIONS] [SOURCES]: fetch host lists (the instance, a job,
 * the available hosts, stdin or a literal RFC 29 hostlist), combine them
 * (concatenate, union, intersect, minus, xor) and print the result
 * compressed, expanded, counted or indexed.
 */
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import { HostRanges, hostlist, idset, tryParseJobId } from '../../lib/formats';
import type { JobRecord } from '../jobspec/job-info';
import type { StatusReply } from './resource/status-data';
import { exclude, indices, intersect, limit, minus, sortHosts, uniqueHosts, xor } from '../hostlist/ops';

export class HostlistCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['hostlist'],
    grammar: 'argparse',
    prog: 'flux-hostlist',
    summary: 'fetch, combine, and manipulate Flux hostlists',
    options: [
      { name: 'expand', short: 'e', description: 'Expand hostlist using delimiter' },
      { name: 'delimiter', short: 'd', arg: 'S', description: 'Set output delimiter for expanded hostlist (default=" ")' },
      { name: 'count', short: 'c', description: 'Print the total number of hosts' },
      { name: 'nth', short: 'n', arg: 'IDS', description: 'Output hosts at indices in idset IDS (-IDS to index from end)' },
      { name: 'find', short: 'F', arg: 'HOSTS', description: 'Output indices of HOSTS in the result hostlist' },
      { name: 'limit', short: 'L', arg: 'N', description: 'Output at most N hosts (-N for the last N hosts)' },
      { name: 'sort', short: 'S', description: 'Return sorted result' },
      { name: 'union', short: 'u', description: 'Return only unique hosts in the final hostlist. Without other options, this is the same as the union of all hostlist args' },
      { name: 'unique', hidden: true, description: 'Same as --union' },
      { name: 'exclude', short: 'x', arg: 'HOSTS|IDS', description: 'Exclude all hosts in HOSTS or indices in idset IDS' },
      { name: 'intersect', short: 'i', description: 'Return the intersection of all hostlists' },
      { name: 'minus', short: 'm', description: 'Subtract all hostlists from the first' },
      { name: 'xor', short: 'X', description: 'Return the symmetric difference of all hostlists' },
      { name: 'fallback', short: 'f', description: 'If an argument looks like a jobid that is not found, treat it as a hostname' },
      { name: 'local', short: 'l', description: 'Set default input source to "local"' },
      { name: 'quiet', short: 'q', description: 'No output. Exit with nonzero exit status if hostlist is empty' },
    ],
    operands: [{ name: 'SOURCES', nargs: '*', description: 'instance, local, avail[able], stdin (-), a jobid, or a hostlist' }],
  };

  async run(): Promise<number> {
    const p = this.args;
    const ops = ['intersect', 'minus', 'xor'].filter((o) => p.has(o));
    if (ops.length > 1) this.usageError(`only one of --intersect, --minus, --xor may be used`);
    const sources = p.operands.length > 0 ? p.operands : [p.has('local') ? 'local' : 'stdin'];
    if (this.rangesSuffice(sources)) return this.fromRanges(sources);
    const lists: string[][] = [];
    for (const s of sources) lists.push(await this.source(s));
    let result: string[];
    if (p.has('intersect')) result = intersect(lists);
    else if (p.has('minus')) result = minus(lists);
    else if (p.has('xor')) result = xor(lists);
    else result = lists.flat();
    if (p.has('union') || p.has('unique')) result = uniqueHosts(result);
    else if (p.has('sort')) result = sortHosts(result);
    const x = p.str('exclude');
    if (x !== undefined) {
      try {
        result = exclude(result, x);
      } catch (e) {
        this.fail((e as Error).message);
      }
    }
    const nth = p.str('nth');
    if (nth !== undefined) {
      try {
        result = indices(nth, result.length, true).map((i) => result[i]!);
      } catch (e) {
        this.fail((e as Error).message);
      }
    }
    const lim = p.str('limit');
    if (lim !== undefined) {
      if (!/^-?\d+$/.test(lim)) this.usageError(`argument -L/--limit: invalid int value: '${lim}'`);
      result = limit(result, Number(lim));
    }
    if (p.has('quiet')) return result.length > 0 ? 0 : 1;
    const find = p.str('find');
    if (find !== undefined) {
      const out: number[] = [];
      for (const host of this.hosts(find)) {
        const i = result.indexOf(host);
        if (i < 0) this.fail(`${host} not found in hostlist`);
        out.push(i);
      }
      process.stdout.write(out.join(' ') + '\n');
      return 0;
    }
    if (p.has('count')) process.stdout.write(`${result.length}\n`);
    else if (p.has('expand')) process.stdout.write(result.join(p.str('delimiter', ' ')) + '\n');
    else process.stdout.write(hostlist.compress(result) + '\n');
    return 0;
  }

  /** literal hostlists only concatenated, then counted, indexed, expanded or compressed: no need to hold every host */
  private rangesSuffice(sources: readonly string[]): boolean {
    const p = this.args;
    const keywords = ['instance', 'local', 'avail', 'available', 'stdin', '-'];
    if (sources.some((s) => keywords.includes(s) || tryParseJobId(s) !== undefined)) return false;
    const other = ['intersect', 'minus', 'xor', 'union', 'unique', 'sort', 'exclude', 'limit', 'find', 'quiet'];
    return !other.some((o) => p.has(o));
  }

  /** literal hostlists (-c, -n, -e or none), from their ranges (n[1-2000000] without expanding) */
  private async fromRanges(sources: readonly string[]): Promise<number> {
    const p = this.args;
    let ranges: HostRanges;
    try {
      ranges = new HostRanges(sources);
    } catch (e) {
      this.fail((e as Error).message);
    }
    const nth = p.str('nth');
    if (nth !== undefined) {
      let picked: string[];
      try {
        picked = indices(nth, ranges.length, true).map((i) => ranges.at(i));
      } catch (e) {
        this.fail((e as Error).message);
      }
      if (p.has('count')) process.stdout.write(`${picked.length}\n`);
      else if (p.has('expand')) process.stdout.write(picked.join(p.str('delimiter', ' ')) + '\n');
      else process.stdout.write(hostlist.compress(picked) + '\n');
      return 0;
    }
    if (p.has('count')) {
      process.stdout.write(`${ranges.length}\n`);
      return 0;
    }
    if (!p.has('expand')) {
      process.stdout.write(ranges.compress() + '\n');
      return 0;
    }
    // -e: written in batches, each waiting for stdout to drain
    const delim = p.str('delimiter', ' ');
    let first = true;
    for (const batch of ranges.batches(65536)) {
      const text = (first ? '' : delim) + batch.join(delim);
      first = false;
      if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
    }
    process.stdout.write('\n');
    return 0;
  }

  private hosts(s: string): string[] {
    try {
      return hostlist.expand(s);
    } catch (e) {
      this.fail((e as Error).message);
    }
  }

  private async source(s: string): Promise<string[]> {
    switch (s) {
      case 'instance':
        return this.hosts(await this.instanceHosts());
      case 'local': {
        const id = process.env['FLUX_JOB_ID'];
        return id ? this.jobHosts(id, false) : this.hosts(await this.instanceHosts());
      }
      case 'avail':
      case 'available':
        return this.availHosts();
      case 'stdin':
      case '-':
        return this.stdinHosts();
    }
    if (tryParseJobId(s) !== undefined) return this.jobHosts(s, this.args.has('fallback'));
    return this.hosts(s);
  }

  private async instanceHosts(): Promise<string> {
    const h = await this.connect();
    try {
      return await h.getattr('hostlist');
    } catch (e) {
      this.fail(`hostlist attribute: ${(e as Error).message}`);
    }
  }

  private async jobHosts(typed: string, fallback: boolean): Promise<string[]> {
    const id = Number(tryParseJobId(typed));
    const h = await this.connect();
    const r = await h.rpc<{ jobs: JobRecord[] }>('job-manager.list', { ids: [id] });
    const job = r.jobs.find((j) => j.id === id);
    if (!job) {
      if (fallback) return this.hosts(typed);
      this.fail(`job ${typed} not found`);
    }
    return job.nodelist ? this.hosts(job.nodelist) : [];
  }

  /** the instance's hosts less those of ranks offline, torpid or drained */
  private async availHosts(): Promise<string[]> {
    const all = this.hosts(await this.instanceHosts());
    const h = await this.connect();
    const st = await h.rpc<StatusReply & { torpid?: string }>('resource.status', {}, { nodeid: 0 });
    const down = new Set<number>([...idset.decode(st.offline ?? ''), ...idset.decode(st.torpid ?? '')]);
    for (const ids of Object.keys(st.drain ?? {})) for (const r of idset.decode(ids)) down.add(r);
    return all.filter((_, rank) => !down.has(rank));
  }

  private async stdinHosts(): Promise<string[]> {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks)
      .toString('utf8')
      .split(/\s+/)
      .filter((w) => w.length > 0)
      .flatMap((w) => this.hosts(w));
  }
}
