/**
 * perilog (Flux's perilog.so): runs [job-manager.prolog] once a job has its
 * resources and before job-exec is asked to start it, and
 * [job-manager.epilog] once the job's tasks are done and before its
 * resources go back to the scheduler (flux-config-job-manager(5)). The job
 * manager holds the start (prologStart) and the free (epilogStart) until
 * they finish. A failed prolog raises a fatal exception type=prolog (the job
 * never starts); a failed epilog one type=epilog. Output lines go to the
 * broker log, tagged with the job id, but for those [job-manager.perilog]
 * log-ignore matches.
 */
import * as path from 'node:path';
import { LINEAGE_VAR, childLineage, encodeF58, fsd, strsignal } from '../../../kernel/api';
import { defineJobtapPlugin, perilogLogIgnore, perilogSettings, type JobView, type PerilogKind, type PerilogSettings } from '../../../modules/job-manager/plugin-api';
import { runProcess, type ExitInfo, type Running } from './run';

/** the description of the events (prolog-start {description}), as Flux names them */
const DESCRIPTION: Record<PerilogKind, string> = { prolog: 'job-manager.prolog', epilog: 'job-manager.epilog' };

/** `flux` (the front end): per-rank runs `flux exec -r RANKS` */
const CLI_ENTRY = path.resolve(__dirname, '..', '..', '..', 'cli', 'entry.js');

interface JobRuns {
  prolog?: Running;
  epilog?: Running;
  /** the epilog was started (once per job) */
  epilogStarted?: boolean;
  /** the job wants its epilog once the prolog being killed has finished */
  epilogWanted?: boolean;
}

/** the exception note for a process that failed */
function failure(kind: PerilogKind, s: PerilogSettings, x: ExitInfo, removed: boolean): string {
  if (removed) return `${kind} canceled: the perilog plugin was removed`;
  if (x.timedOut) return `${kind} timed out after ${fsd.formatC(s.timeout)}`;
  if (x.error !== undefined) return `${kind} failed: ${x.error}`;
  if ((x.status & 0x7f) !== 0) return `${kind} killed by signal ${x.status & 0x7f} (${strsignal(x.status & 0x7f)})`;
  return `${kind} failed with exit code ${(x.status >> 8) & 0xff}`;
}

export default defineJobtapPlugin({
  name: 'perilog.so',
  description: 'run [job-manager.prolog] before each job starts and [job-manager.epilog] after it finishes',
  create(ctx) {
    const conf: Record<PerilogKind, PerilogSettings | undefined> = {
      prolog: perilogSettings(ctx.config, 'prolog'),
      epilog: perilogSettings(ctx.config, 'epilog'),
    };
    // [job-manager.perilog] log-ignore: output lines not worth the log
    const ignore = perilogLogIgnore(ctx.config);
    const jobs = new Map<number, JobRuns>();
    let removed = false;
    const runsOf = (id: number): JobRuns => {
      let r = jobs.get(id);
      if (!r) jobs.set(id, (r = {}));
      return r;
    };

    const envFor = (job: JobView): NodeJS.ProcessEnv => {
      const env: NodeJS.ProcessEnv = { ...process.env, FLUX_JOB_ID: encodeF58(job.id), FLUX_JOB_USERID: String(job.userid), FLUX_JOB_RANKS: job.ranks ?? '' };
      const uri = ctx.getattr('local-uri');
      if (uri !== undefined) env['FLUX_URI'] = uri;
      // the broker's reaper kills it (and what it starts) should the broker die
      const uuid = ctx.getattr('broker.uuid');
      if (uuid !== undefined) env[LINEAGE_VAR] = childLineage(uuid);
      return env;
    };

    /** start KIND for the job: the hold first (it throws if the job cannot take one), then the process */
    const start = (job: JobView, kind: PerilogKind, s: PerilogSettings): void => {
      const id = job.id;
      const f58 = encodeF58(id);
      if (kind === 'prolog') ctx.prologStart(id, DESCRIPTION.prolog);
      else ctx.epilogStart(id, DESCRIPTION.epilog);
      const argv = s.perRank ? [process.execPath, '--', CLI_ENTRY, 'exec', '-r', job.ranks ?? '0', ...s.command] : s.command;
      runsOf(id)[kind] = runProcess({
        argv,
        env: envFor(job),
        timeout: s.timeout,
        killTimeout: s.killTimeout,
        onLine: (stream, line) => ignore.some((re) => re.test(line)) || ctx.log(stream === 'stderr' ? 'err' : 'info', `${f58}: ${kind}: ${line}`),
        onExit: (x) => finished(id, kind, s, x),
      });
    };

    const finished = (id: number, kind: PerilogKind, s: PerilogSettings, x: ExitInfo): void => {
      const runs = jobs.get(id);
      if (runs) runs[kind] = undefined;
      const job = ctx.job(id);
      if (!job || job.state === 'INACTIVE') return;
      const failed = x.status !== 0 || x.timedOut || x.error !== undefined;
      // a prolog killed because the job already ended with an exception is not a failure of its own
      const canceled = kind === 'prolog' && job.endedByException;
      try {
        if (kind === 'prolog') ctx.prologFinish(id, DESCRIPTION.prolog, x.status);
        else ctx.epilogFinish(id, DESCRIPTION.epilog, x.status);
        if (failed && !canceled) {
          const note = failure(kind, s, x, removed);
          ctx.log('err', `${encodeF58(id)}: ${note}`);
          ctx.raise(id, kind, 0, note);
        }
        if (kind === 'prolog' && runs?.epilogWanted) epilog(job);
      } catch (e) {
        // the job manager is going away (unload): nothing left to tell
        ctx.log('debug', `${encodeF58(id)}: ${kind} finish: ${(e as Error).message}`);
      }
    };

    /** the job's tasks are done (or never ran): its epilog, once, after a prolog still being killed */
    const epilog = (job: JobView): void => {
      const s = conf.epilog;
      if (!s || removed) return;
      const runs = runsOf(job.id);
      if (runs.epilogStarted) return;
      if (runs.prolog) {
        runs.epilogWanted = true;
        return;
      }
      runs.epilogStarted = true;
      try {
        start(job, 'epilog', s);
      } catch (e) {
        ctx.log('err', `${encodeF58(job.id)}: epilog not run: ${(e as Error).message}`);
      }
    };

    return {
      'job.state.run': (job) => {
        const s = conf.prolog;
        if (!s || removed) return;
        try {
          start(job, 'prolog', s);
        } catch (e) {
          ctx.log('err', `${encodeF58(job.id)}: prolog not run: ${(e as Error).message}`);
        }
      },
      'job.event.exception': (job, args) => {
        if (args['severity'] !== 0) return;
        const runs = jobs.get(job.id);
        for (const kind of ['prolog', 'epilog'] as const) if (conf[kind]?.cancelOnException) runs?.[kind]?.kill();
      },
      'job.event.finish': (job) => epilog(job),
      'job.event.release': (job) => epilog(job),
      'job.state.cleanup': (job) => {
        if (!job.execActive) epilog(job);
      },
      'job.state.inactive': (job) => {
        jobs.delete(job.id);
      },
      'plugin.query': () => {
        let prolog = 0;
        let epilogs = 0;
        for (const r of jobs.values()) {
          if (r.prolog) prolog++;
          if (r.epilog) epilogs++;
        }
        return { prolog: conf.prolog ?? null, epilog: conf.epilog ?? null, running: { prolog, epilog: epilogs } };
      },
      'plugin.remove': () => {
        // nothing may outlive the plugin: its processes are killed, their holds finished as they exit
        removed = true;
        for (const r of jobs.values()) {
          r.prolog?.kill(true);
          r.epilog?.kill(true);
        }
      },
    };
  },
});
