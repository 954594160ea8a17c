/**
 * flux job hostpids [-d DELIM] [-r IDSET] [-t FSD] ID: `host:pid` of each task
 * of a running job, in task rank order (waiting up to -t for a pending job to
 * start).
 */
import { Command, Option } from 'clipanion';
import { CommandExit } from '../../base-command';
import { JobCommand } from '../../jobspec/job-command';
import { jobOptparse } from '../../jobspec/job-optparse';
import { last } from '../../getopt';
import { encodeKvs, fsd, idset } from '../../../kernel/api/formats';
import type { Client } from '../../api/client';

export const HOSTPIDS_USAGE = `Usage: flux-job hostpids [OPTIONS] JOBID
Print host:pid pairs for tasks in a running job
  -h, --help             Display this message.
  -d, --delimiter=STRING Set output delimiter (default=",")
  -r, --ranks=IDSET      Include only task ranks in IDSET
  -t, --timeout=DURATION Set timeout waiting for job to start`;

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
  static override paths = [['job', 'hostpids']];
  static override usageLine = HOSTPIDS_USAGE;
  static override usage = Command.Usage({ description: 'Print host:pid pairs for tasks in a running job' });
  argv = Option.Proxy();

  async run(): Promise<number> {
    const p = jobOptparse('hostpids', this.argv, [
      { long: 'delimiter', short: 'd', arg: true },
      { long: 'ranks', short: 'r', arg: true },
      { long: 'timeout', short: 't', arg: true },
    ]);
    if (p.positionals.length !== 1) throw new CommandExit(1, HOSTPIDS_USAGE);
    const typed = p.positionals[0]!;
    const id = this.jobId(typed);
    const delim = last(p, 'delimiter') ?? ',';
    const ranksText = last(p, 'ranks');
    let ranks: Set<number> | undefined;
    if (ranksText !== undefined && ranksText !== 'all') {
      try {
        ranks = new Set(idset.decode(ranksText));
      } catch {
        this.fail(`invalid ranks: ${ranksText}`);
      }
    }
    const timeoutText = last(p, 'timeout');
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
