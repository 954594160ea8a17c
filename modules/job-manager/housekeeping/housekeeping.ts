/**
 * Housekeeping (Flux 0.88's job-manager housekeeping): once a job is done
 * with its resources, the job manager hands them to housekeeping instead of
 * freeing them to the scheduler. The job goes on to INACTIVE at once; the
 * configured command runs on each of the job's ranks (rexec.exec, as the
 * instance owner, with FLUX_JOB_ID and FLUX_JOB_USERID), and the scheduler
 * keeps the ranks allocated until their command ends. They go back per
 * `release-after` (./release.ts). A command that fails on a rank drains that
 * rank, with the reason Flux's housekeeping unit gives it; its output goes to
 * the broker log. Nothing here outlives the module: shutdown() kills what runs.
 */
import { OutputLines } from '../../../lib/output-lines';
import { encodeF58, encodeF58Plain, einval, idset, signalName, strsignal, rv1Expand, type Handle, type RankResources, type Rv1 } from '../../../kernel/api';
import type { HousekeepingSettings } from './config';
import { ReleasePlan } from './release';

type Obj = Record<string, unknown>;

/** what housekeeping needs of a job: it may be purged while its housekeeping runs */
export interface HousekeepingJob {
  id: number;
  userid: number;
  priority: number;
  t_submit: number;
  R: Rv1;
}

interface Task {
  rank: number;
  hostname: string;
  pid?: number;
  /** a signal asked for before the process said its pid */
  signal?: number;
  /** flux housekeeping kill signaled it: its end is no failure of the node */
  killed?: boolean;
  /** its output, cut into lines for the log */
  out?: OutputLines;
}

interface Allocation {
  job: HousekeepingJob;
  /** seconds since the epoch */
  t_start: number;
  tasks: Map<number, Task>;
  release: ReleasePlan;
}



/** The drain reason of flux-housekeeping@.service for a failed run: `housekeeping@ID RESULT: CODE STATUS`. */
export function drainReason(id: number, status: number | undefined, error?: string): string {
  const unit = `housekeeping@${encodeF58Plain(id)}`;
  if (error !== undefined || status === undefined) return `${unit} failure`;
  const sig = status & 0x7f;
  if (sig !== 0) return `${unit} signal: killed ${signalName(sig)?.replace(/^SIG/, '') ?? String(sig)}`; // TERM, as systemd's $EXIT_STATUS has it
  return `${unit} exit-code: exited ${(status >> 8) & 0xff}`;
}

export class Housekeeping {
  private settings: HousekeepingSettings | undefined;
  private readonly allocations = new Map<number, Allocation>();
  private closed = false;

  constructor(private readonly h: Handle) {}

  /** (re)configure: later jobs run the new command; what runs goes on as it began */
  configure(s: HousekeepingSettings | undefined): void {
    this.settings = s;
    this.h.log('debug', `housekeeping is ${s ? '' : 'not '}configured`);
  }

  /** Take the job's resources; false when housekeeping is not configured (the caller frees them). */
  start(job: HousekeepingJob): boolean {
    const s = this.settings;
    if (!s || this.closed) return false;
    const ranks = rv1Expand(job.R);
    if (ranks.length === 0 || this.allocations.has(job.id)) return false;
    const a: Allocation = {
      job,
      t_start: Date.now() / 1000,
      tasks: new Map(),
      release: new ReleasePlan(job.R, s.releaseAfter, (R, final) => this.free(job.id, R, final)),
    };
    this.allocations.set(job.id, a);
    this.h.log('debug', `housekeeping: ${encodeF58(job.id)} started`);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    env['FLUX_JOB_ID'] = String(job.id);
    env['FLUX_JOB_USERID'] = String(job.userid);
    for (const r of ranks) this.launch(a, r, s.command, env);
    return true;
  }

  private launch(a: Allocation, r: RankResources, cmd: string[], env: Record<string, string>): void {
    const t: Task = { rank: r.rank, hostname: r.hostname };
    t.out = new OutputLines((stream, l) => this.logLine(a, t, stream, l));
    a.tasks.set(r.rank, t);
    let status: number | undefined;
    const stream = this.h.rpcStream('rexec.exec', { cmd, env }, {
      nodeid: r.rank,
      onResponse: (p) => {
        const m = (p ?? {}) as Obj;
        if (m['type'] === 'started' && typeof m['pid'] === 'number') {
          t.pid = m['pid'];
          if (t.signal !== undefined) this.signal(t, t.signal);
        } else if (m['type'] === 'output' && typeof m['data'] === 'string') {
          t.out?.push(m['stream'] === 'stderr' ? 'stderr' : 'stdout', m['data']);
        } else if (m['type'] === 'exit' && typeof m['status'] === 'number') {
          status = m['status'];
        }
      },
    });
    stream.done.then(
      () => this.exited(a, t, status),
      (e: Error) => this.exited(a, t, status, status === undefined ? e.message : undefined),
    );
  }

  private logLine(a: Allocation, t: Task, stream: 'stdout' | 'stderr', line: string): void {
    this.h.log(stream === 'stderr' ? 'err' : 'info', `housekeeping: ${t.hostname} (rank ${t.rank}) ${encodeF58(a.job.id)}: ${line}`);
  }

  /** one rank's command ended (status), or could not run (error) */
  private exited(a: Allocation, t: Task, status: number | undefined, error?: string): void {
    if (this.closed || a.tasks.get(t.rank) !== t) return;
    a.tasks.delete(t.rank);
    t.out?.flush();
    const f58 = encodeF58(a.job.id);
    const where = `${t.hostname} (rank ${t.rank}) ${f58}`;
    let failed = true;
    if (error !== undefined) this.h.log('err', `housekeeping: ${where}: ${error}`);
    else if (status !== undefined && (status & 0x7f) !== 0) this.h.log('err', `housekeeping: ${where}: ${strsignal(status & 0x7f)}`);
    else if (status !== undefined && status !== 0) this.h.log('err', `housekeeping: ${where}: nonzero exit code`);
    else failed = false;
    // stopped on request (flux housekeeping kill), as systemctl stop ends the unit: not a failure of the node
    if (failed && !t.killed) {
      const reason = drainReason(a.job.id, status, error);
      this.h.rpc('resource.drain', { targets: String(t.rank), reason, mode: 'update' }, { nodeid: 0 }).catch((e: Error) => this.h.log('err', `housekeeping: drain rank ${t.rank}: ${e.message}`));
    }
    a.release.done(t.rank);
    if (a.tasks.size === 0) {
      this.allocations.delete(a.job.id);
      a.release.close();
      this.h.log('debug', `housekeeping: ${f58} complete`);
    }
  }

  private free(id: number, R: Rv1, final: boolean): void {
    if (this.closed) return;
    this.h.send('sched.free', { id, R, final });
  }

  /** flux housekeeping kill: signal the tasks of one job (or all), on some ranks (or all) */
  kill(signum: number, jobid?: number, ranks?: string): void {
    if (!Number.isInteger(signum) || signum <= 0 || signum >= 65) throw einval(`invalid signal number ${signum}`);
    let only: Set<number> | undefined;
    if (ranks !== undefined) {
      try {
        only = idset.decodeSet(ranks);
      } catch {
        throw einval(`invalid idset '${ranks}'`);
      }
    }
    for (const a of this.allocations.values()) {
      if (jobid !== undefined && a.job.id !== jobid) continue;
      for (const t of a.tasks.values()) {
        if (only && !only.has(t.rank)) continue;
        t.killed = true;
        this.signal(t, signum);
      }
    }
  }

  private signal(t: Task, signum: number): void {
    if (t.pid === undefined) {
      t.signal = signum;
      return;
    }
    this.h.rpc('rexec.kill', { pid: t.pid, signum }, { nodeid: t.rank }).catch((e: Error) => this.h.log('debug', `housekeeping: kill rank ${t.rank}: ${e.message}`));
  }

  /** job-manager.stats-get's housekeeping: {running: {F58: {t_start, pending, allocated}}} */
  stats(): Obj {
    const running: Obj = {};
    for (const a of this.allocations.values()) {
      running[encodeF58(a.job.id)] = { t_start: a.t_start, pending: idset.encode(a.tasks.keys()), allocated: a.release.allocatedRanks() };
    }
    return { running };
  }

  /** the ranks still allocated to housekeeping (flux resource status: housekeeping) */
  allocatedRanks(): number[] {
    const out: number[] = [];
    for (const a of this.allocations.values()) out.push(...idset.decode(a.release.allocatedRanks()));
    return out;
  }

  /**
   * sched-hello: what housekeeping still holds (the job may be inactive), as
   * the hello's jobs: the scheduler takes the ranks not yet freed.
   */
  helloJobs(): Obj[] {
    return [...this.allocations.values()].map((a) => ({ id: a.job.id, R: a.release.remaining(), priority: a.job.priority, userid: a.job.userid, t_submit: a.job.t_submit }));
  }

  /** module unload (instance shutdown): what runs is killed, nothing is waited on */
  shutdown(): void {
    this.closed = true;
    for (const a of this.allocations.values()) {
      a.release.close();
      for (const t of a.tasks.values()) {
        if (t.pid !== undefined) this.h.send('rexec.kill', { pid: t.pid, signum: 9 }, { nodeid: t.rank });
      }
    }
    this.allocations.clear();
  }
}

