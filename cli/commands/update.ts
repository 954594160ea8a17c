/**
 * flux update [-n] [-v] [--wait] JOBID KEY=VALUE...: change an active job
 * (flux-update(1)). Keys not under attributes., tasks. or resources. are
 * attributes.system.KEY; `duration` takes an FSD, `+FSD`/`-FSD` relative to
 * the job's duration now; `name` is attributes.system.job.name. Other values
 * are JSON when they parse as JSON, else strings. The job manager checks and
 * applies all or nothing (modules/job-manager/update.ts); --wait then waits
 * for the `jobspec-update` event that carries the updates (cli/jobspec/update-wait.ts).
 */
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import type { FluxError } from '../../lib/errors';
import { encodeJobId, fsd, pyFloatRepr } from '../../lib/formats';
import { pyJson } from '../jobspec';
import { parseIdArg } from '../jobspec/job-info';
import { waitForUpdate } from '../jobspec/update-wait';

const DURATION = 'attributes.system.duration';

/** a JSON number written as a float (`1.0`, `2e3`): Python's json.loads makes it a float */
const FLOAT_TEXT = /^-?\d+(\.\d+([eE][+-]?\d+)?|[eE][+-]?\d+)$/;

function fullKey(k: string): string {
  if (k === 'name') return 'attributes.system.job.name';
  if (/^(attributes|tasks|resources)\./.test(k)) return k;
  return `attributes.system.${k}`;
}

export class UpdateCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['update'],
    grammar: 'argparse',
    prog: 'flux-update',
    summary: 'Update attributes of an active (pending or running) job',
    options: [
      { name: 'dry-run', short: 'n', description: 'Do not apply any updates, just print what would be sent to the job manager' },
      { name: 'verbose', short: 'v', description: 'Be more verbose: log each update on stderr' },
      { name: 'wait', description: 'Wait for the updates to appear in the job eventlog before exiting' },
    ],
    operands: [
      { name: 'JOBID', nargs: '1', description: 'the job to update' },
      { name: 'KEY=VALUE', nargs: '+', description: 'the attributes to update' },
    ],
  };

  async run(): Promise<number> {
    const p = this.args;
    const [typed, ...pairs] = p.operands as [string, ...string[]];
    const id = parseIdArg(typed);
    if (id === undefined) this.usageError(`argument JOBID: invalid JobID value: '${typed}'`);
    const t0 = Date.now() / 1000;
    const updates: Record<string, unknown> = {};
    /** keys whose value Flux holds as a float (printed 300.0) */
    const floats = new Set<string>([DURATION]);
    let current: number | undefined;
    const h = p.has('dry-run') && !pairs.some((x) => /^duration=[+-]/.test(x)) ? undefined : await this.connect();
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      if (eq <= 0) this.fail(`Invalid update '${pair}': expected KEY=VALUE`);
      const key = fullKey(pair.slice(0, eq));
      const raw = pair.slice(eq + 1);
      if (key === DURATION) {
        const rel = raw.startsWith('+') ? 1 : raw.startsWith('-') ? -1 : 0;
        const secs = fsd.tryParse(rel ? raw.slice(1) : raw);
        if (secs === undefined || !Number.isFinite(secs)) this.fail('invalid Flux standard duration');
        if (rel === 0) {
          updates[key] = secs;
          continue;
        }
        current ??= await this.duration(h!, id);
        const jobid = encodeJobId(id, 'f58');
        if (current === 0) this.fail(`duration for ${jobid} is unlimited, can't update by ${raw}`);
        const d = current + rel * secs;
        if (rel < 0 && d <= 0) this.fail(`current duration for ${jobid} (${fsd.formatPy(current)}) cannot be reduced by ${raw.slice(1)}`);
        updates[key] = d;
        continue;
      }
      let v: unknown;
      try {
        v = JSON.parse(raw);
      } catch {
        v = raw;
      }
      if (FLOAT_TEXT.test(raw.trim())) floats.add(key);
      else floats.delete(key);
      updates[key] = v;
    }
    const show = (k: string, v: unknown): string => (floats.has(k) && typeof v === 'number' ? pyFloatRepr(v) : pyJson(v));
    if (p.has('dry-run')) {
      process.stdout.write('{' + Object.entries(updates).map(([k, v]) => `${pyJson(k)}: ${show(k, v)}`).join(', ') + '}\n');
      return 0;
    }
    try {
      await h!.rpc('job-manager.update', { id, updates });
    } catch (e) {
      this.fail((e as FluxError).message);
    }
    if (p.has('wait')) await waitForUpdate(h!, id, t0, updates);
    if (p.has('verbose')) {
      for (const [k, v] of Object.entries(updates)) {
        process.stderr.write(`flux-update: INFO: updated ${k} to ${typeof v === 'string' ? v : show(k, v)}\n`);
      }
    }
    return 0;
  }

  /** The job's duration now (seconds, 0: unlimited). */
  private async duration(h: Awaited<ReturnType<FluxCommand['connect']>>, id: number): Promise<number> {
    const r = await h.rpc<{ jobs: Array<{ duration?: number; state?: number }> }>('job-manager.list', { ids: [id] });
    const j = r.jobs[0];
    if (!j) this.fail('unknown job id');
    if (j.state === 64) this.fail('job is inactive');
    return j.duration ?? 0;
  }
}
