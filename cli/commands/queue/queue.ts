/** flux queue status|enable|disable|start|stop|drain|idle: the job queue's submission and scheduling switches. */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../../base-command';
import { getoptArgparse, last, type OptSpec } from '../../getopt';
import { fsd, rv1Expand, type Rv1 } from '../../../kernel/api/formats';
import { FluxError } from '../../../kernel/api';
import type { Client } from '../../api/client';

const SUBS = ['list', 'status', 'enable', 'disable', 'start', 'stop', 'drain', 'idle'];
const USAGE = 'usage: flux-queue [-h] {list,status,enable,disable,start,stop,drain,idle} ...';

interface NamedQueue {
  name: string;
  enable: boolean;
  start: boolean;
  reason?: string;
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

/** Nodes, cores and GPUs of each queue (the nodes that have all its required properties). */
async function queueResources(h: Client, cfg: QueueList): Promise<Map<string, { nnodes: number; ncores: number; ngpus: number }>> {
  const st = await h.rpc<{ all: Rv1 }>('resource.sched-status', {}, { nodeid: 0 });
  const nodes = rv1Expand(st.all);
  const out = new Map<string, { nnodes: number; ncores: number; ngpus: number }>();
  for (const q of cfg.queues) {
    const mine = nodes.filter((n) => q.requires.every((p) => (n.properties ?? []).includes(p)));
    out.set(q.name, { nnodes: mine.length, ncores: mine.reduce((a, n) => a + n.cores.length, 0), ngpus: mine.reduce((a, n) => a + n.gpus.length, 0) });
  }
  return out;
}

interface QStatus {
  queues?: NamedQueue[];
  enable: boolean;
  start: boolean;
  reason?: string;
  queued?: number;
  pending?: number;
  running?: number;
}

const STATE_OPTS: OptSpec[] = [{ long: 'verbose', short: 'v' }, { long: 'all', short: 'a' }, { long: 'quiet' }, { long: 'queue', short: 'q', arg: true }];
/** disable and stop: the state options and a reason */
const OFF_OPTS: OptSpec[] = [...STATE_OPTS, { long: 'nocheckpoint' }, { long: 'message', short: 'm', arg: true }];

const SPECS: Record<string, OptSpec[]> = {
  list: [{ long: 'no-header', short: 'n' }, { long: 'format', short: 'o', arg: true }],
  status: [{ long: 'verbose', short: 'v' }, { long: 'queue', short: 'q', arg: true }],
  enable: STATE_OPTS,
  disable: OFF_OPTS,
  start: STATE_OPTS,
  stop: OFF_OPTS,
  drain: [{ long: 'timeout', arg: true }],
  idle: [{ long: 'timeout', arg: true }, { long: 'quiet' }],
};

export class QueueCommand extends FluxCommand {
  static override paths = [['queue']];
  static override prog = 'flux-queue';
  static override fluxStyle = 'py' as const;
  static override usage = Command.Usage({ description: 'Manage the job queue' });
  args = Option.Proxy();

  private async verbose(h: Client): Promise<void> {
    const s = await h.rpc<QStatus>('job-manager.queue-status', {});
    process.stdout.write(`${s.queued ?? 0} alloc requests queued\n${s.pending ?? 0} alloc requests pending to scheduler\n${s.running ?? 0} running jobs\n`);
  }

  async run(): Promise<number> {
    const sub = this.args[0];
    if (sub === undefined) throw new CommandExit(2, `${USAGE}\nflux-queue: error: the following arguments are required: subcommand`);
    if (!SUBS.includes(sub)) {
      throw new CommandExit(2, `${USAGE}\nflux-queue: error: argument subcommand: invalid choice: '${sub}' (choose from ${SUBS.map((s) => `'${s}'`).join(', ')})`);
    }
    const p = getoptArgparse(this.args.slice(1), SPECS[sub]!, false, `usage: flux-queue ${sub} [-h] [OPTIONS]`, 'flux-queue');
    const named = p.positionals[0] ?? last(p, 'queue');
    const quiet = p.opts.has('quiet');
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
    switch (sub) {
      case 'status': {
        const s = await rpc<QStatus>('job-manager.queue-status', {});
        if (s.queues) {
          for (const q of [...s.queues].sort((a, b) => (a.name < b.name ? -1 : 1))) {
            say(enabledLine(q.enable, q.reason), q);
            say(q.start ? 'Scheduling is started' : 'Scheduling is stopped', q);
          }
        } else {
          say(enabledLine(s.enable, s.reason));
          say(s.start ? 'Scheduling is started' : 'Scheduling is stopped');
        }
        if (p.opts.has('verbose')) await this.verbose(h);
        return 0;
      }
      case 'enable':
      case 'disable': {
        const reason = sub === 'disable' ? (last(p, 'message') ?? 'disabled by administrator') : undefined;
        await rpc('job-manager.queue-enable', { enable: sub === 'enable', reason });
        const qs = await queues();
        if (qs) for (const q of qs.filter((x) => named === undefined || x.name === named)) say(enabledLine(q.enable, q.reason), q);
        else say(enabledLine(sub === 'enable', reason));
        if (p.opts.has('verbose')) await this.verbose(h);
        return 0;
      }
      case 'start':
      case 'stop': {
        await rpc('job-manager.queue-start', { start: sub === 'start' });
        const line = sub === 'start' ? 'Scheduling is started' : 'Scheduling is stopped';
        const qs = await queues();
        if (qs) for (const q of qs.filter((x) => named === undefined || x.name === named)) say(line, q);
        else say(line);
        if (p.opts.has('verbose')) await this.verbose(h);
        return 0;
      }
      case 'drain':
      case 'idle': {
        const t = last(p, 'timeout');
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
        const s = await rpc<QStatus>('job-manager.queue-status', {});
        const cfg = await h.rpc<QueueList>('job-manager.queue-list', {});
        const mark = (ok: boolean) => (ok ? '\u001b[01;32m \u2714\u001b[0;0m' : '\u001b[01;31m \u2717\u001b[0;0m');
        const dur = (d: number) => (d < 0 ? 'inf' : fsd.formatC(d));
        if (!s.queues) {
          if (!p.opts.has('no-header')) process.stdout.write(' EN ST TDEFAULT   TLIMIT     NNODES     NCORES      NGPUS\n');
          const range = (k: 'nnodes' | 'ncores' | 'ngpus') => `${cfg.limits.min[k] ?? 0}-${cfg.limits.max[k] ?? 'inf'}`.padStart(10);
          process.stdout.write(
            `${mark(s.enable)}${mark(s.start)} ${dur(cfg.defaultDuration).padStart(8)} ${dur(cfg.limits.duration).padStart(8)} ${range('nnodes')} ${range('ncores')} ${range('ngpus')}\n`,
          );
          return 0;
        }
        const res = await queueResources(h, cfg);
        if (!p.opts.has('no-header')) process.stdout.write('QUEUE    EN ST TDEFAULT   TLIMIT     NNODES     NCORES      NGPUS\n');
        for (const q of cfg.queues) {
          const st = s.queues.find((x) => x.name === q.name)!;
          const lim = (k: 'nnodes' | 'ncores' | 'ngpus') => `${q.limits.min[k] ?? cfg.limits.min[k] ?? 0}-${q.limits.max[k] ?? cfg.limits.max[k] ?? res.get(q.name)![k]}`.padStart(10);
          const tdef = q.defaultDuration >= 0 ? q.defaultDuration : cfg.defaultDuration;
          const tlim = q.limits.duration >= 0 ? q.limits.duration : cfg.limits.duration;
          const name = `${q.name}${cfg.default === q.name ? '*' : ''}`.padEnd(8);
          process.stdout.write(
            `${name} ${mark(st.enable)} ${mark(st.start)} ${dur(tdef).padStart(8)} ${dur(tlim).padStart(8)} ${lim('nnodes')} ${lim('ncores')} ${lim('ngpus')}\n`,
          );
        }
        return 0;
      }
    }
    return 0;
  }
}
