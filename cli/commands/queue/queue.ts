/** flux queue status|enable|disable|start|stop|drain|idle: the job queue's submission and scheduling switches. */
import { FluxCommand } from '../../base-command';
import type { CommandSpec, GroupSpec, OptionSpec } from '../../options';
import { fsd } from '../../../kernel/api/formats';
import type { Client } from '../../api/client';

export const queueGroup: GroupSpec = {
  kind: 'group',
  path: ['queue'],
  grammar: 'argparse',
  prog: 'flux-queue',
  summary: 'Manage the job queue',
};

interface QStatus {
  enable: boolean;
  start: boolean;
  reason?: string;
  queued?: number;
  pending?: number;
  running?: number;
}

const VERBOSE: OptionSpec = { name: 'verbose', short: 'v', description: 'Display more detail about internal job manager state' };
const QUIET: OptionSpec = { name: 'quiet', description: 'Display only errors' };
const QUEUE: OptionSpec = { name: 'queue', short: 'q', arg: 'NAME', description: 'Name a queue (flux-ts has only the anonymous queue: any name is refused)' };
/** enable, disable, start, stop */
const STATE_OPTS: readonly OptionSpec[] = [
  VERBOSE,
  QUIET,
  { name: 'all', short: 'a', description: 'Use this option to act on all queues (there is one)' },
  QUEUE,
];
/** disable and stop: the state options and a reason */
const OFF_OPTS: readonly OptionSpec[] = [
  ...STATE_OPTS,
  { name: 'nocheckpoint', description: 'Accepted for compatibility: the queue state is not checkpointed' },
  { name: 'message', short: 'm', arg: 'REASON', description: 'Set the reason shown for the queue' },
];
const TIMEOUT: OptionSpec = { name: 'timeout', arg: 'DURATION', description: 'Give up after waiting DURATION (an FSD)' };

function queueSpec(sub: string, summary: string, options: readonly OptionSpec[], named: boolean): CommandSpec {
  return {
    path: ['queue', sub],
    grammar: 'argparse',
    prog: `flux-queue ${sub}`,
    errorName: 'flux-queue',
    summary,
    options,
    operands: named ? [{ name: 'QUEUE', nargs: '?', description: 'queue name (there is one queue: any name is refused)' }] : [],
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
    const named = p.operands[0] ?? p.str('queue');
    if (named !== undefined && sub !== 'drain' && sub !== 'idle') this.fail(`enable: '${named}' is not a valid queue`);
    const quiet = p.has('quiet');
    const h = await this.connect();
    switch (sub) {
      case 'status': {
        const s = await h.rpc<QStatus>('job-manager.queue-status', {});
        process.stdout.write(s.enable ? 'Job submission is enabled\n' : `Job submission is disabled: ${s.reason ?? ''}\n`);
        process.stdout.write(s.start ? 'Scheduling is started\n' : 'Scheduling is stopped\n');
        if (p.has('verbose')) await this.verbose(h);
        return 0;
      }
      case 'enable':
        await h.rpc('job-manager.queue-enable', { enable: true });
        if (!quiet) process.stdout.write('Job submission is enabled\n');
        if (p.has('verbose')) await this.verbose(h);
        return 0;
      case 'disable': {
        const reason = p.str('message') ?? 'disabled by administrator';
        await h.rpc('job-manager.queue-enable', { enable: false, reason });
        if (!quiet) process.stdout.write(`Job submission is disabled: ${reason}\n`);
        if (p.has('verbose')) await this.verbose(h);
        return 0;
      }
      case 'start':
      case 'stop':
        await h.rpc('job-manager.queue-start', { start: sub === 'start' });
        if (!quiet) process.stdout.write(sub === 'start' ? 'Scheduling is started\n' : 'Scheduling is stopped\n');
        if (p.has('verbose')) await this.verbose(h);
        return 0;
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
        const s = await h.rpc<QStatus>('job-manager.queue-status', {});
        const mark = (ok: boolean) => (ok ? '\u001b[01;32m \u2714\u001b[0;0m' : '\u001b[01;31m \u2717\u001b[0;0m');
        if (!p.has('no-header')) process.stdout.write(' EN ST TDEFAULT   TLIMIT     NNODES     NCORES      NGPUS\n');
        process.stdout.write(`${mark(s.enable)}${mark(s.start)} ${'inf'.padStart(8)} ${'inf'.padStart(8)} ${'0-inf'.padStart(10)} ${'0-inf'.padStart(10)} ${'0-inf'.padStart(10)}\n`);
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
      { name: 'format', short: 'o', arg: 'FORMAT', description: 'Accepted for compatibility: the output format is fixed' },
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
