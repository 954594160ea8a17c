/**
 * flux job hostpids [-d DELIM] [-r IDSET] [-t FSD] ID: `host:pid` of each task
 * of a running job, in task rank order (waiting up to -t for a pending job to
 * start).
 */
import { JobCommand } from '../../jobspec/job-command';
import { encodeKvs, fsd, idset } from '../../../lib/formats';
import type { Client } from '../../api/client';
import type { CommandSpec } from '../../options';

interface Task {
  rank: number;
  host: string;
  pid: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** 'run' once the job has started, 'done' once it has ended, 'wait' before. */
async function phase(h: Client, id: number): Promise<'run' | 'done' | 'wait'> {
  const text = String((await h.rpc<{ value: unknown }>('kvs.get', { key: `${encodeKvs(id)}.eventlog` })).value);
  const names = text.split('\n').filter((l) => l.length > 0).map((l) => (JSON.parse(l) as { name: string }).name);
  if (names.includes('finish') || names.includes('clean')) return 'done';
  return names.includes('start') ? 'run' : 'wait';
}

export class JobHostpidsCommand extends JobCommand {
  static override spec: CommandSpec = {
    path: ['job', 'hostpids'],
    grammar: 'getopt',
    prog: 'flux-job hostpids',
    summary: 'Print host:pid pairs for tasks in a running job',
    docLine: true,
    usage: '[OPTIONS] JOBID',
    options: [
      { name: 'delimiter', short: 'd', arg: 'STRING', default: ',', description: 'Set output delimiter (default=",")' },
      { name: 'ranks', short: 'r', arg: 'IDSET', description: 'Include only task ranks in IDSET' },
      { name: 'timeout', short: 't', arg: 'DURATION', description: 'Set timeout waiting for job to start' },
    ],
    operands: [{ name: 'JOBID', nargs: '1' }],
  };

  async run(): Promise<number> {
    const p = this.args;
    const typed = p.operands[0]!;
    const id = this.jobId(typed);
    const delim = p.str('delimiter') ?? ',';
    const ranksText = p.str('ranks');
    let ranks: Set<number> | undefined;
    if (ranksText !== undefined && ranksText !== 'all') {
      try {
        ranks = new Set(idset.decode(ranksText));
      } catch {
        this.fail(`invalid ranks: ${ranksText}`);
      }
    }
    const timeoutText = p.str('timeout');
    const timeout = timeoutText === undefined ? Infinity : fsd.tryParse(timeoutText);
    if (timeout === undefined) this.fail(`invalid timeout: ${timeoutText}`);
    const h = await this.connect();
    const deadline = Date.now() + timeout * 1000;
    for (;;) {
      let ph: 'run' | 'done' | 'wait';
      try {
        ph = await phase(h, id);
      } catch {
        this.fail(`${typed}: no such job`);
      }
      if (ph === 'done') this.fail(`${typed}: job has already completed`);
      if (ph === 'run') break;
      if (Date.now() >= deadline) this.fail(`${typed}: timeout waiting for job to start`);
      await sleep(100);
    }
    let tasks: Task[];
    try {
      tasks = (await h.rpc<{ tasks: Task[] }>('job-exec.hostpids', { id })).tasks;
    } catch {
      this.fail(`${typed}: job has already completed`);
    }
    const shown = tasks.filter((t) => !ranks || ranks.has(t.rank));
    process.stdout.write(shown.map((t) => `${t.host}:${t.pid}`).join(delim) + '\n');
    return 0;
  }
}
