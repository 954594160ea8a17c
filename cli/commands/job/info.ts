/** flux job info ID KEY: print a job's raw kvs object (eventlog, jobspec, R, guest.output ...). */
import { Errno } from '../../../lib/errno';
import { CommandExit } from '../../base-command';
import { JobCommand } from '../../jobspec/job-command';
import type { FluxError } from '../../../lib/errors';
import { pyJson } from '../../jobspec';
import { PyFloat } from '../../../lib/formats/py-float';
import type { CommandSpec } from '../../options';

export const INFO_USAGE = `Usage: flux job info id key
some useful keys are:
  J                    - signed jobspec
  R                    - allocated resources
  eventlog             - primary job eventlog
  jobspec              - job specification
  guest.exec.eventlog  - execution eventlog
  guest.input          - job input log
  guest.output         - job output log
Use flux job info -h to list available options`;

export class JobInfoCommand extends JobCommand {
  static override spec: CommandSpec = {
    path: ['job', 'info'],
    grammar: 'getopt',
    prog: 'flux-job info',
    summary: 'Display info for a job',
    docLine: true,
    usage: '[OPTIONS] id key',
    options: [
      { name: 'original', short: 'o', description: 'For key "jobspec", return the original submitted jobspec' },
      { name: 'base', short: 'b', description: 'For key "jobspec", return the base jobspec' },
    ],
    // a wrong count prints Flux's list of useful keys (INFO_USAGE)
    freeOperands: true,
  };

  private get original(): boolean {
    return this.args.has('original');
  }
  private get base(): boolean {
    return this.args.has('base');
  }

  async run(): Promise<number> {
    if (this.args.operands.length !== 2) throw new CommandExit(1, INFO_USAGE);
    const [typed, key] = this.args.operands as [string, string];
    const id = this.jobId(typed);
    const h = await this.connect();
    const dir = await this.jobDir(h, id, typed, `job ${typed} not found`);
    let value: unknown;
    // jobspec: as flux update left it (jobspec-update events applied); --base: as stored; --original: J, as submitted
    const stored = key === 'jobspec' && this.original ? 'J' : key;
    try {
      value = (await h.rpc<{ value: unknown }>('kvs.get', { key: `${dir}.${stored}` })).value;
    } catch (e) {
      if ((e as FluxError).errno === Errno.ENOENT || (e as FluxError).errno === Errno.EINVAL) this.fail(`${key}: key not found`);
      throw e;
    }
    if (key === 'jobspec' && !this.original && !this.base && typeof value === 'object' && value !== null) {
      const log = (await h.rpc<{ value: unknown }>('kvs.get', { key: `${dir}.eventlog` })).value;
      value = withUpdates(value as Record<string, unknown>, typeof log === 'string' ? log : '');
    }
    // R: as flux update left it (resource-update events applied); --base: as the scheduler allocated it
    if (key === 'R' && !this.base && typeof value === 'object' && value !== null) {
      const log = (await h.rpc<{ value: unknown }>('kvs.get', { key: `${dir}.eventlog` })).value;
      value = withResourceUpdates(value as Record<string, unknown>, typeof log === 'string' ? log : '');
    }
    if (key === 'R') value = withRealTimes(value);
    process.stdout.write((typeof value === 'string' ? value : pyJson(value)) + '\n');
    return 0;
  }
}

/** The contexts of the eventlog's events named `name`, in order (a line that is not an event is skipped). */
function* contextsOf(eventlog: string, name: string): Generator<Record<string, unknown>> {
  for (const line of eventlog.split('\n')) {
    if (!line.includes(`"${name}"`)) continue;
    let e: { name?: unknown; context?: unknown };
    try {
      e = JSON.parse(line) as typeof e;
    } catch {
      continue;
    }
    if (e.name === name && typeof e.context === 'object' && e.context !== null) yield e.context as Record<string, unknown>;
  }
}

/** R with each `resource-update` of the eventlog applied in order (its keys are R.execution's: expiration). */
function withResourceUpdates(R: Record<string, unknown>, eventlog: string): Record<string, unknown> {
  let out = R;
  for (const ctx of contextsOf(eventlog, 'resource-update')) out = { ...out, execution: { ...((out['execution'] ?? {}) as Record<string, unknown>), ...ctx } };
  return out;
}

/** R with starttime and expiration as the reals Flux stores them (`"expiration": 0.0`). */
function withRealTimes(R: unknown): unknown {
  const ex = (R as { execution?: Record<string, unknown> } | null)?.execution;
  if (typeof ex !== 'object' || ex === null) return R;
  const real = (v: unknown) => (typeof v === 'number' ? new PyFloat(v) : v);
  return { ...(R as object), execution: { ...ex, starttime: real(ex['starttime']), expiration: real(ex['expiration']) } };
}

/** The jobspec with each `jobspec-update` of the eventlog applied in order (flux update). */
function withUpdates(jobspec: Record<string, unknown>, eventlog: string): Record<string, unknown> {
  const js = structuredClone(jobspec);
  for (const ctx of contextsOf(eventlog, 'jobspec-update')) {
    for (const [k, v] of Object.entries(ctx)) {
      const parts = k.split('.');
      let t = js;
      for (const part of parts.slice(0, -1)) {
        const cur = t[part];
        t = (typeof cur === 'object' && cur !== null && !Array.isArray(cur) ? cur : (t[part] = {})) as Record<string, unknown>;
      }
      t[parts[parts.length - 1]!] = v;
    }
  }
  return js;
}
