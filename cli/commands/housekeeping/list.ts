/**
 * flux housekeeping list: the jobs whose resources are in housekeeping (from
 * job-manager.stats-get), one row a job: its id, the nodes still allocated,
 * those still running the command, and how long it has run.
 */
import { FormatError, OutputFormat, PyFloat, encodeJobId, fsd, hostlist, idset, type Row } from '../../../kernel/api';
import { FluxCommand } from '../../base-command';
import type { FormatSet } from '../../named-formats';
import { housekeepingSpec, type HousekeepingStats } from './group';
import { ranksOfHosts, ranksOfIdset } from './targets';

const FORMATS: FormatSet = {
  tool: 'flux-housekeeping',
  formats: {
    default: { description: 'Default flux-housekeeping format string', format: '{id.f58:>12} {nnodes:>6} {pending.nnodes:>7} {runtime!F:>8} {nodelist}' },
    pending: { description: 'flux-housekeeping format string including active nodes only', format: '{id.f58:>12} {pending.nnodes:>7} {runtime!F:>8} {pending.nodelist}' },
  },
};

const ID_ENCODINGS = ['dec', 'hex', 'f58', 'f58plain', 'kvs', 'words', 'dothex'] as const;

const HEADINGS: Record<string, string> = {
  id: 'JOBID',
  ...Object.fromEntries(ID_ENCODINGS.map((e) => [`id.${e}`, 'JOBID'])),
  t_start: 'T_START',
  runtime: 'RUNTIME',
  runtime_F: 'RUNTIME',
  ranks: 'RANKS',
  nodelist: 'NODELIST',
  nnodes: 'NNODES',
  'allocated.ranks': 'RANKS',
  'allocated.nodelist': 'NODELIST',
  'allocated.nnodes': 'NNODES',
  'pending.ranks': 'ACTIVE_RANKS',
  'pending.nodelist': 'ACTIVE_NODES',
  'pending.nnodes': '#ACTIVE',
};

/** the fields a row may differ in and still be shown combined with another (Flux's Deduplicator) */
const COMBINED = ['nodelist', 'ranks', 'nnodes', 'allocated.nodelist', 'allocated.ranks', 'allocated.nnodes', 'pending.nodelist', 'pending.ranks', 'pending.nnodes'];

interface HkJob {
  id: number;
  t_start: number;
  pending: Set<number>;
  allocated: Set<number>;
}

function setFields(prefix: string, ranks: Set<number>, hosts: readonly string[]): Row {
  const sorted = [...ranks].sort((a, b) => a - b);
  return {
    [`${prefix}ranks`]: idset.encode(sorted),
    [`${prefix}nnodes`]: sorted.length,
    [`${prefix}nodelist`]: hostlist.compress(sorted.map((r) => hosts[r] ?? '')),
  };
}

function rowOf(j: HkJob, hosts: readonly string[], now: number): Row {
  const runtime = Math.max(0, now - j.t_start);
  return {
    id: encodeJobId(j.id, 'f58'),
    ...Object.fromEntries(ID_ENCODINGS.map((e) => [`id.${e}`, encodeJobId(j.id, e)])),
    t_start: new PyFloat(j.t_start),
    runtime: new PyFloat(runtime),
    runtime_F: fsd.formatPy(runtime),
    ...setFields('', j.allocated, hosts),
    ...setFields('allocated.', j.allocated, hosts),
    ...setFields('pending.', j.pending, hosts),
  };
}

export class HousekeepingListCommand extends FluxCommand {
  static override spec = housekeepingSpec('list', 'List active housekeeping tasks', [
    { name: 'include', short: 'i', arg: 'HOSTS|RANKS', description: 'Limit output to housekeeping jobs on HOSTS|RANKS' },
    { name: 'no-header', short: 'n', description: 'Suppress printing of header line' },
    {
      name: 'format',
      short: 'o',
      arg: 'FORMAT',
      default: 'default',
      description: "Specify output format using Python's string format syntax  or a defined format by name (use 'help' to get a list of names)",
    },
  ]);

  async run(): Promise<number> {
    const p = this.args;
    const text = this.formatOption(p.str('format'), FORMATS);
    let fmt: OutputFormat;
    try {
      // !F (a duration) on runtime: the text is made here
      fmt = new OutputFormat(text.replace(/\{runtime!F/g, '{runtime_F'), HEADINGS);
    } catch (e) {
      if (e instanceof FormatError) this.fail(`Error in user format: ${e.message}`);
      throw e;
    }
    const h = await this.connect();
    const hosts = hostlist.expand(await h.getattr('hostlist'));
    const stats = await h.rpc<HousekeepingStats>('job-manager.stats-get', {});
    const include = p.str('include');
    const only = include === undefined ? undefined : new Set(ranksOfIdset(include) ?? ranksOfHosts(include, hostlist.compress(hosts), false));
    const now = Date.now() / 1000;
    const groups = new Map<string, HkJob>();
    for (const [f58, info] of Object.entries(stats.housekeeping?.running ?? {})) {
      const keep = (s: string) => new Set(idset.decode(s).filter((r) => only === undefined || only.has(r)));
      const j: HkJob = { id: Number(encodeJobId(f58, 'dec')), t_start: info.t_start, pending: keep(info.pending), allocated: keep(info.allocated) };
      if (j.allocated.size === 0) continue;
      // rows that print the same but for their node fields are one row
      const key = fmt.render([{ ...rowOf(j, hosts, now), ...Object.fromEntries(COMBINED.map((k) => [k, ''])) }], true).join('\n');
      const g = groups.get(key);
      if (g) {
        for (const r of j.pending) g.pending.add(r);
        for (const r of j.allocated) g.allocated.add(r);
      } else groups.set(key, j);
    }
    const rows = [...groups.values()].map((j) => rowOf(j, hosts, now));
    for (const line of fmt.render(rows, p.has('no-header'))) process.stdout.write(line + '\n');
    return 0;
  }
}
