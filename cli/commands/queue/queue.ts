/** flux queue status|enable|disable|start|stop|drain|idle: the job queue's submission and scheduling switches. */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../../base-command';
import { getoptArgparse, last, type OptSpec } from '../../getopt';
import { fsd } from '../../../kernel/api/formats';
import type { Client } from '../../api/client';

const SUBS = ['list', 'status', 'enable', 'disable', 'start', 'stop', 'drain', 'idle'];
const USAGE = 'usage: flux-queue [-h] {list,status,enable,disable,start,stop,drain,idle} ...';

interface QStatus {
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
    if (named !== undefined && sub !== 'drain' && sub !== 'idle') this.fail(`enable: '${named}' is not a valid queue`);
    const quiet = p.opts.has('quiet');
    const h = await this.connect();
    switch (sub) {
      case 'status': {
        const s = await h.rpc<QStatus>('job-manager.queue-status', {});
        process.stdout.write(s.enable ? 'Job submission is enabled\n' : `Job submission is disabled: ${s.reason ?? ''}\n`);
        process.stdout.write(s.start ? 'Scheduling is started\n' : 'Scheduling is stopped\n');
        if (p.opts.has('verbose')) await this.verbose(h);
        return 0;
      }
      case 'enable':
        await h.rpc('job-manager.queue-enable', { enable: true });
        if (!quiet) process.stdout.write('Job submission is enabled\n');
        if (p.opts.has('verbose')) await this.verbose(h);
        return 0;
      case 'disable': {
        const reason = last(p, 'message') ?? 'disabled by administrator';
        await h.rpc('job-manager.queue-enable', { enable: false, reason });
        if (!quiet) process.stdout.write(`Job submission is disabled: ${reason}\n`);
        if (p.opts.has('verbose')) await this.verbose(h);
        return 0;
      }
      case 'start':
      case 'stop':
        await h.rpc('job-manager.queue-start', { start: sub === 'start' });
        if (!quiet) process.stdout.write(sub === 'start' ? 'Scheduling is started\n' : 'Scheduling is stopped\n');
        if (p.opts.has('verbose')) await this.verbose(h);
        return 0;
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
        const s = await h.rpc<QStatus>('job-manager.queue-status', {});
        const mark = (ok: boolean) => (ok ? '\u001b[01;32m \u2714\u001b[0;0m' : '\u001b[01;31m \u2717\u001b[0;0m');
        if (!p.opts.has('no-header')) process.stdout.write(' EN ST TDEFAULT   TLIMIT     NNODES     NCORES      NGPUS\n');
        process.stdout.write(`${mark(s.enable)}${mark(s.start)} ${'inf'.padStart(8)} ${'inf'.padStart(8)} ${'0-inf'.padStart(10)} ${'0-inf'.padStart(10)} ${'0-inf'.padStart(10)}\n`);
        return 0;
      }
    }
    return 0;
  }
}
