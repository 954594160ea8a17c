/** flux queue status|enable|disable|start|stop|drain|idle: the job queue's submission and scheduling switches. */
import { FluxCommand } from '../../base-command';
import type { CommandSpec, GroupSpec, OptionSpec } from '../../options';
import { fsd, rv1Expand, type Rv1 } from '../../../lib/formats';
import { FluxError } from '../../../kernel/api';
import type { Client } from '../../api/client';
import { QUEUE_LIST_FORMATS, queueListFormat, queueRow, type Counts, type QueueFacts, type ResState } from './list-format';
import { chooseFormat } from '../../named-formats';

export const queueGroup: GroupSpec = {
  kind: 'group',
  path: ['queue'],
  grammar: 'argparse',
  prog: 'flux-queue',
  summary: 'Manage the job queue',
};

interface NamedQueue {
  name: string;
  enable: boolean;
  start: boolean;
  reason?: string;
  stop_reason?: string;
}

interface Limits {
  duration: number;
  min: Partial<Record<'nnodes' | 'ncores' | 'ngpus', number>>;
  max: Partial<Record<'nnodes' | 'ncores' | 'ngpus', number>>;
}

/** job-manager.queue-list: the configured queues and policy (durations in seconds, -1: none) */
export interface QueueList {
  default: string | null;
  defaultDuration: number;
  limits: Limits;
  queues: Array<{ name: string; requires: string[]; defaultDuration: number; limits: Limits }>;
}

/** Nodes, cores and GPUs of each queue (the nodes that have all its required properties) in each state. */
async function queueResources(h: Client, cfg: QueueList): Promise<Map<string, Record<ResState, Counts>>> {
  const st = await h.rpc<{ all: Rv1; down: Rv1; allocated: Rv1 }>('resource.sched-status', {}, { nodeid: 0 });
  const nodes = rv1Expand(st.all);
  const down = new Set(rv1Expand(st.down).map((n) => n.rank));
  const allocated = new Map(rv1Expand(st.allocated).map((n) => [n.rank, n]));
  const out = new Map<string, Record<ResState, Counts>>();
  const count = (list: { cores: unknown[]; gpus: unknown[] }[]): Counts => ({
    nnodes: list.length,
    ncores: list.reduce((a, n) => a + n.cores.length, 0),
    ngpus: list.reduce((a, n) => a + n.gpus.length, 0),
  });
  // '': the anonymous queue (no [queues]): every node
  for (const q of [{ name: '', requires: [] as string[] }, ...cfg.queues]) {
    const mine = nodes.filter((n) => q.requires.every((p) => (n.properties ?? []).includes(p)));
    const up = mine.filter((n) => !down.has(n.rank));
    const alloc = up.filter((n) => allocated.has(n.rank)).map((n) => allocated.get(n.rank)!);
    // free: an up node's cores and GPUs that no job holds (a node counts while any of it is free)
    const free = up
      .map((n) => {
        const a = allocated.get(n.rank);
        return { cores: n.cores.filter((c) => !a?.cores.includes(c)), gpus: n.gpus.filter((g) => !a?.gpus.includes(g)) };
      })
      .filter((n) => n.cores.length + n.gpus.length > 0);
    out.set(q.name, { all: count(mine), up: count(up), down: count(mine.filter((n) => down.has(n.rank))), allocated: count(alloc), free: count(free) });
  }
  return out;
}

interface QStatus {
  queues?: NamedQueue[];
  enable: boolean;
  start: boolean;
  reason?: string;
  stop_reason?: string;
  queued?: number;
  pending?: number;
  running?: number;
}

const VERBOSE: OptionSpec = { name: 'verbose', short: 'v', description: 'Display more detail about internal job manager state' };
const QUIET: OptionSpec = { name: 'quiet', description: 'Display only errors' };
const QUEUE: OptionSpec = { name: 'queue', short: 'q', arg: 'NAME', description: 'Apply only to the named queue ([queues.NAME])' };
/** enable, disable, start, stop */
const STATE_OPTS: readonly OptionSpec[] = [
  VERBOSE,
  QUIET,
  { name: 'all', short: 'a', description: 'Act on all queues' },
  QUEUE,
];
/** disable and stop: the state options and a reason */
const OFF_OPTS: readonly OptionSpec[] = [
  ...STATE_OPTS,
  { name: 'nocheckpoint', description: "Don't save the new state in the checkpoint: a restart finds the queue as it was before" },
  { name: 'message', short: 'm', arg: 'REASON', description: 'Set the reason shown for the queue' },
];
const TIMEOUT: OptionSpec = { name: 'timeout', short: 't', arg: 'DURATION', description: 'Give up after waiting DURATION (an FSD)' };

function queueSpec(sub: string, summary: string, options: readonly OptionSpec[], named: boolean): CommandSpec {
  return {
    path: ['queue', sub],
    grammar: 'argparse',
    prog: `flux-queue ${sub}`,
    errorName: 'flux-queue',
    summary,
    options,
    operands: named ? [{ name: 'QUEUE', nargs: '?', description: 'queue name ([queues.NAME])' }] : [],
  };
}

/** What the `flux queue` sub-commands share: their run(). */
abstract class QueueCommand extends FluxCommand {

  private async verbose(h: Client): Promise<void> {
    const s = await h.rpc<QStatus>('job-manager.queue-status', {});
    process.stdout.write(`${s.queued ?? 0} alloc requests queued\n${s.pending ?? 0} alloc requests pending to scheduler\n${s.running ?? 0} running jobs\n`);
  }

  async run(): Promise<number> {
    const sub = this.spec.path[1]!;
    const p = this.args;
    // list's -q is a filter of several (below), the others' the queue to act on
    const named = p.operands[0] ?? (sub === 'list' ? undefined : p.str('queue'));
    const quiet = p.has('quiet');
    const h = await this.connect();
    // named queues ([queues.NAME]): each line names its queue; without -q the command applies to all of them
    const rpc = async <T>(topic: string, payload: Record<string, unknown>): Promise<T> => {
      try {
        return await h.rpc<T>(topic, named !== undefined && sub !== 'drain' && sub !== 'idle' ? { ...payload, queue: named } : payload);
      } catch (e) {
        if (e instanceof FluxError && /is not a valid queue/.test(e.message)) this.fail(`${sub}: ${e.message}`);
        throw e;
      }
    };
    const queues = async (): Promise<NamedQueue[] | undefined> =>
      (await rpc<QStatus>('job-manager.queue-status', {})).queues?.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const say = (line: string, q?: NamedQueue) => {
      if (!quiet) process.stdout.write(q ? `${q.name}: ${line}\n` : `${line}\n`);
    };
    const enabledLine = (en: boolean, reason?: string) => (en ? 'Job submission is enabled' : `Job submission is disabled: ${reason ?? ''}`);
    const startedLine = (started: boolean, reason?: string) => (started ? 'Scheduling is started' : reason !== undefined ? `Scheduling is stopped: ${reason}` : 'Scheduling is stopped');
    switch (sub) {
      case 'status': {
        const s = await rpc<QStatus>('job-manager.queue-status', {});
        if (s.queues) {
          for (const q of [...s.queues].sort((a, b) => (a.name < b.name ? -1 : 1))) {
            say(enabledLine(q.enable, q.reason), q);
            say(startedLine(q.start, q.stop_reason), q);
          }
        } else {
          say(enabledLine(s.enable, s.reason));
          say(startedLine(s.start, s.stop_reason));
        }
        if (p.has('verbose')) await this.verbose(h);
        return 0;
      }
      case 'enable':
      case 'disable': {
        const reason = sub === 'disable' ? (p.str('message') ?? 'disabled by administrator') : undefined;
        await rpc('job-manager.queue-enable', { enable: sub === 'enable', reason, ...(p.has('nocheckpoint') ? { nocheckpoint: true } : {}) });
        const qs = await queues();
        if (qs) for (const q of qs.filter((x) => named === undefined || x.name === named)) say(enabledLine(q.enable, q.reason), q);
        else say(enabledLine(sub === 'enable', reason));
        if (p.has('verbose')) await this.verbose(h);
        return 0;
      }
      case 'start':
      case 'stop': {
        // as Flux: with named queues, a bare start or stop must say which (or --all)
        if (named === undefined && !p.has('all') && (await h.rpc<{ queues: unknown[] }>('job-manager.queue-list', {})).queues.length > 0) {
          this.fail('Named queues are defined. Specify queues or use --all.');
        }
        const reason = sub === 'stop' ? p.str('message') : undefined;
        await rpc('job-manager.queue-start', { start: sub === 'start', ...(reason !== undefined ? { reason } : {}), ...(p.has('nocheckpoint') ? { nocheckpoint: true } : {}) });
        const qs = await queues();
        if (qs) for (const q of qs.filter((x) => named === undefined || x.name === named)) say(startedLine(q.start, q.stop_reason), q);
        else say(startedLine(sub === 'start', reason));
        if (p.has('verbose')) await this.verbose(h);
        return 0;
      }
      case 'drain':
      case 'idle': {
        const t = p.str('timeout');
        let ms: number | undefined;
        if (t !== undefined) {
          const v = fsd.tryParse(t);
          if (v === undefined) this.fail(`--timeout=${t}: invalid Flux standard duration`);
          ms = v === Infinity ? undefined : v * 1000;
        }
        let r: { pending?: number };
        try {
          r = await h.rpc<{ pending?: number }>(`job-manager.${sub}`, {}, { timeoutMs: ms });
        } catch (e) {
          if ((e as { errno?: number }).errno === 110) this.fail(`${sub}: timeout`);
          throw e;
        }
        if (sub === 'idle') {
          const n = r.pending ?? 0;
          if (!(quiet && n === 0)) process.stdout.write(`${n} jobs\n`);
        }
        return 0;
      }
      case 'list': {
        const choice = chooseFormat(p.str('format'), QUEUE_LIST_FORMATS);
        if ('print' in choice) {
          process.stdout.write(choice.print);
          return 0;
        }
        if ('error' in choice) this.fail(choice.error);
        let fmt;
        try {
          fmt = queueListFormat(choice.format);
        } catch (e) {
          this.fail(`Error in user format: ${(e as Error).message}`);
        }
        const s = await rpc<QStatus>('job-manager.queue-status', {});
        const cfg = await h.rpc<QueueList>('job-manager.queue-list', {});
        // -q QUEUE,...: those queues only
        const only = p.str('queue')?.split(',').filter((x) => x !== '');
        if (only !== undefined) {
          const bad = only.find((n) => !cfg.queues.some((q) => q.name === n));
          if (bad !== undefined) this.fail(`list: '${bad}' is not a valid queue`);
          cfg.queues = cfg.queues.filter((q) => only.includes(q.name));
        }
        const facts: QueueFacts[] = [];
        const res = await queueResources(h, cfg);
        // no limit (or -1, set unlimited: a queue's lifts the general limit): inf
        const policyMax = (v: number | undefined): number | string => (v === undefined || v === -1 ? 'inf' : v);
        if (!s.queues) {
          const max = (k: 'nnodes' | 'ncores' | 'ngpus') => policyMax(cfg.limits.max[k]);
          facts.push({ name: '', isDefault: false, enable: s.enable, start: s.start, defaultDuration: cfg.defaultDuration, limitDuration: cfg.limits.duration, min: cfg.limits.min, max: { nnodes: max('nnodes'), ncores: max('ncores'), ngpus: max('ngpus') }, resources: res.get('')! });
        } else {
          for (const q of cfg.queues) {
            const st = s.queues.find((x) => x.name === q.name)!;
            const max = (k: 'nnodes' | 'ncores' | 'ngpus') => policyMax(q.limits.max[k] ?? cfg.limits.max[k]);
            const min = (k: 'nnodes' | 'ncores' | 'ngpus') => q.limits.min[k] ?? cfg.limits.min[k] ?? 0;
            facts.push({
              name: q.name,
              isDefault: cfg.default === q.name,
              enable: st.enable,
              start: st.start,
              defaultDuration: q.defaultDuration >= 0 ? q.defaultDuration : cfg.defaultDuration,
              limitDuration: q.limits.duration >= 0 ? q.limits.duration : cfg.limits.duration,
              min: { nnodes: min('nnodes'), ncores: min('ncores'), ngpus: min('ngpus') },
              max: { nnodes: max('nnodes'), ncores: max('ncores'), ngpus: max('ngpus') },
              resources: res.get(q.name)!,
            });
          }
        }
        process.stdout.write(fmt.render(facts.map(queueRow), p.has('no-header')).map((l) => l + '\n').join(''));
        return 0;
      }
    }
    return 0;
  }
}

export class QueueListCommand extends QueueCommand {
  static override spec = queueSpec(
    'list',
    'List queues',
    [
      { name: 'no-header', short: 'n', description: 'Suppress header output' },
      { name: 'format', short: 'o', arg: 'FORMAT', description: 'Specify output format using Python\'s string format syntax or a defined format by name (default, policy, nodes; help lists them)' },
      { name: 'queue', short: 'q', arg: 'QUEUE,...', description: 'Include only specified queues in output' },
    ],
    false,
  );
}

export class QueueStatusCommand extends QueueCommand {
  static override spec = queueSpec('status', 'Get queue status', [VERBOSE, QUEUE], true);
}

export class QueueEnableCommand extends QueueCommand {
  static override spec = queueSpec('enable', 'Enable job submission', STATE_OPTS, true);
}

export class QueueDisableCommand extends QueueCommand {
  static override spec = queueSpec('disable', 'Disable job submission', OFF_OPTS, true);
}

export class QueueStartCommand extends QueueCommand {
  static override spec = queueSpec('start', 'Start scheduling', STATE_OPTS, true);
}

export class QueueStopCommand extends QueueCommand {
  static override spec = queueSpec('stop', 'Stop scheduling', OFF_OPTS, true);
}

export class QueueDrainCommand extends QueueCommand {
  static override spec = queueSpec('drain', 'Wait for queue to become empty.', [TIMEOUT], false);
}

export class QueueIdleCommand extends QueueCommand {
  static override spec = queueSpec('idle', 'Wait for queue to become idle.', [TIMEOUT, QUIET], false);
}
