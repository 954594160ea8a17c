/**
 * The in-process job shell for one job on one broker rank: places this rank's
 * tasks, spawns them (own process group each), captures their stdout/stderr as
 * RFC 24 events (line-buffered, batched per event-loop turn), feeds stdin, and
 * reports start, launch failures and the shell exit status (max task exit code,
 * 128+signo for signaled tasks, 127/126 for launch failures).
 *
 * Output is flow-controlled: the shell may have at most OUTPUT_WINDOW bytes of
 * output sent and not yet acknowledged by rank 0 (which acknowledges once the
 * output is in the job's output log and files); beyond that it stops reading
 * the tasks' pipes, so a task that prints faster than the output can be stored
 * blocks in write() instead of growing the broker. Set-up I/O on paths the job
 * names (its cwd, an input file) is asynchronous.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import * as os from 'node:os';
import type * as net from 'node:net';
import { LINEAGE_VAR, PmiServer, encodeF58, encodeF58Plain, idset, pmiAbortNote, strsignal } from '../../kernel/api';
import { shellOptions } from './plugin-api';
import { shellPlugins } from './plugins';
import { expandTemplate } from './template';
import { taskGuard } from './guard';
import { bindTask, taskCpuSets, taskGpuSets } from './affinity';
import { planRlimits, type RlimitPlan } from './rlimit';
import { verbosity } from './verbose';
import { ptyRanks, spawnPty, type PtyTask } from './pty-task';
import { NativeTask, spawnTask } from './native-spawn';
import { shellTaskRanks, type Jobspec, type ShellPlacement } from './taskmap';
import { FileInput, writableTarget, type StdinTarget } from './input-source';
import { sysErrorText } from './sys-error';

/** output bytes a shell may have in flight to rank 0 before it stops reading its tasks' pipes */
export const OUTPUT_WINDOW = 1 << 20;
/** the longest piece of a line the shell holds back waiting for its newline */
const MAX_PARTIAL = 64 * 1024;

/** how much output a batch of events carries (what rank 0 acknowledges) */
export function outputBytes(events: readonly OutEvent[]): number {
  let n = 0;
  for (const e of events) {
    const d = e.context['data'];
    if (typeof d === 'string') n += d.length;
  }
  return n;
}

/** One RFC 18 entry of the output eventlog. */
export interface OutEvent {
  timestamp: number;
  name: string;
  context: Record<string, unknown>;
}

export interface ShellSpec {
  id: number;
  jobspec: Jobspec;
  placement: ShellPlacement;
  /** total tasks in the job */
  size: number;
  nnodes: number;
  hostname: string;
  /** FLUX_URI of the local broker */
  uri: string;
  rundir?: string;
  /** tasks on each shell, by shell rank (for PMI_process_mapping; absent: this shell only) */
  counts?: number[];
  /** the instance-level of an instance the job starts (this one's + 1), for PMI */
  childLevel?: number;
  /** FLUX_TS_LINEAGE of the tasks: the broker's reaper kills them if it dies */
  lineage?: string;
  /** PMI_process_mapping when a taskmap scheme placed the tasks (else from counts) */
  pmiMapping?: string;
  /** the job's RFC 34 taskmap blocks: PMI's `flux.taskmap` (a Flux instance the job starts reads its broker.mapping there) */
  taskmap?: number[][];
}

export interface ShellSink {
  started(): void;
  /** output events carrying `bytes` of data: rank 0 acknowledges them with ack(bytes) */
  output(events: OutEvent[], bytes: number): void;
  /** fatal error of this shell (launch failure): note for an exec exception */
  exception(note: string): void;
  exit(status: number): void;
  /** a task exited (the first of this shell, and the first that failed): for exit-timeout/exit-on-error */
  taskExit?(rank: number, status: number): void;
  /** PMI barrier of a job on several shells: trade this shell's puts for everyone's */
  pmiExchange?(seq: number, puts: Record<string, string>): Promise<Record<string, string>>;
}

/** a task's process: the addon's posix_spawn, or child_process as the fallback */
type TaskProcess = ChildProcess | NativeTask;

interface Task {
  rank: number;
  local: number;
  proc?: TaskProcess;
  /** a task on a pseudo-terminal (shell option pty) */
  pty?: PtyTask;
  done: boolean;
  code: number;
  /** known to have started or failed to (flux-task may report an exec failure after the pipes closed) */
  settled?: boolean;
  /** eofs of streams whose pipe ended before the task was done, posted once it is (after its exit line) */
  heldEofs?: string[];
  /** streams whose eof was posted */
  eofs?: Set<string>;
}

const errText = sysErrorText;

const now = () => Date.now() / 1000;

export class JobShell {
  private readonly tasks: Task[] = [];
  private pending: OutEvent[] = [];
  private flushQueued = false;
  private live = 0;
  private status = 0;
  private exited = false;
  private tmpdir: string | undefined;
  private stdinClosed = false;
  private pmi: PmiServer | undefined;
  private exitsReported = 0;
  private failureReported = false;
  private pmiPort: Promise<number> | undefined;
  private winsize: { cols: number; rows: number } | undefined;
  /** the tasks' stdin from a file (input-file plugin) */
  private input: FileInput | undefined;
  private startedSent = false;
  /** a signal that came before the tasks were spawned */
  private killedBefore: number | undefined;
  /** output bytes sent and not yet acknowledged */
  private unacked = 0;
  private paused = false;
  /** what to pause and resume: the tasks' output pipes and ptys */
  private readonly sources: Array<{ pause(): void; resume(): void }> = [];
  /** shell option verbose: log levels above 5 (DEBUG 6, TRACE 7) shown */
  private verbose = 0;
  /** streams whose output goes out as it comes, without waiting for a newline (output.STREAM.buffer.type=none, flux run -u) */
  private readonly unbuffered = new Set<string>();

  constructor(
    private readonly spec: ShellSpec,
    private readonly sink: ShellSink,
  ) {}

  /** spawn every local task; sink.started() once all have spawned or failed */
  start(): void {
    this.run().catch((e: Error) => {
      // a bug here must fail this job, not the broker
      this.fail(`host ${this.spec.hostname}: internal error: ${e.message}`, 1);
      this.reportStarted();
      this.maybeExit();
    });
  }

  private reportStarted(): void {
    if (this.startedSent) return;
    this.startedSent = true;
    this.sink.started();
  }

  /** the shell could not set up: report it and exit without tasks */
  private abandon(note: string, code: number): void {
    this.fail(note, code);
    this.reportStarted();
    this.maybeExit();
  }

  private async run(): Promise<void> {
    const { spec } = this;
    const p = spec.placement;
    const js = spec.jobspec;
    const sys = js.attributes?.system ?? {};
    const opts = shellOptions(js);
    this.verbose = verbosity(opts['verbose']);
    for (const stream of ['stdout', 'stderr'] as const) {
      const o = opts.output?.[stream] as { buffer?: { type?: unknown } } | undefined;
      if (o?.buffer?.type === 'none') this.unbuffered.add(stream);
    }
    const argv = js.tasks[0]?.command ?? [];
    let cwd = typeof sys['cwd'] === 'string' ? (sys['cwd'] as string) : os.tmpdir();
    try {
      if (!(await fsp.stat(cwd)).isDirectory()) throw Object.assign(new Error('Not a directory'), { code: 'ENOTDIR' });
    } catch (e) {
      this.log(3, `host ${spec.hostname}: Could not change dir to ${cwd}: ${errText(e as NodeJS.ErrnoException)}. Going to /tmp instead`);
      cwd = '/tmp';
    }
    const jobenv = (sys['environment'] as Record<string, string | null> | undefined) ?? { ...process.env };
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(jobenv)) if (typeof v === 'string') env[k] = v;
    delete env['FLUX_PROXY_REMOTE'];
    env['FLUX_JOB_ID'] = encodeF58(spec.id, env);
    env['FLUX_JOB_SIZE'] = String(spec.size);
    env['FLUX_JOB_NNODES'] = String(spec.nnodes);
    env['FLUX_URI'] = spec.uri;
    env['HOSTNAME'] = spec.hostname;
    if (spec.lineage !== undefined) env[LINEAGE_VAR] = spec.lineage;
    if (spec.rundir) {
      const dir = path.join(spec.rundir, `jobtmp-${p.shellRank}-${encodeF58Plain(spec.id)}`);
      try {
        await fsp.mkdir(dir, { mode: 0o700 });
        this.tmpdir = dir;
        env['FLUX_JOB_TMPDIR'] = dir;
      } catch {
        this.tmpdir = undefined;
      }
    }
    if (this.tmpdir) {
      try {
        await writeFiles(this.tmpdir, sys['files']);
      } catch (e) {
        this.abandon(`host ${spec.hostname}: file archive: ${(e as Error).message}`, 1);
        return;
      }
    }
    try {
      for (const pl of shellPlugins()) {
        const hooks = pl.shell?.({
          id: spec.id,
          options: opts,
          cwd,
          hostname: spec.hostname,
          openInput: (file, display) => new FileInput(file, display),
        });
        const src = hooks?.stdin?.();
        if (src instanceof FileInput) this.input = src;
      }
      await this.input?.open();
    } catch (e) {
      this.abandon(`host ${spec.hostname}: ${(e as Error).message}`, 1);
      return;
    }
    if (this.killedBefore !== undefined) {
      // killed (canceled) while setting up: no task starts
      this.input?.close();
      this.status = Math.max(this.status, 128 + this.killedBefore);
      this.reportStarted();
      this.maybeExit();
      return;
    }
    let plan: { cpus: Array<number[] | undefined>; gpus: Array<string | undefined>; rlimits: RlimitPlan };
    try {
      plan = {
        cpus: taskCpuSets(opts['cpu-affinity'], p.cores, p.count),
        gpus: taskGpuSets(opts['gpu-affinity'], p.gpus, p.count),
        rlimits: planRlimits(opts['rlimit']),
      };
    } catch (e) {
      this.abandon(`host ${spec.hostname}: ${(e as Error).message}`, 1);
      return;
    }
    for (const w of plan.rlimits.warnings) this.log(4, w);
    this.spawnAll(argv, cwd, env, opts, plan);
  }

  private spawnAll(
    argv: readonly string[],
    cwd: string,
    env: NodeJS.ProcessEnv,
    opts: ReturnType<typeof shellOptions>,
    plan: { cpus: Array<number[] | undefined>; gpus: Array<string | undefined>; rlimits: RlimitPlan },
  ): void {
    const { spec } = this;
    const p = spec.placement;
    this.pmi = this.startPmi(opts['pmi']);
    const ranks = shellTaskRanks(p);
    const rlimits = plan.rlimits.rules;
    const native = spawnTask.available();
    if (rlimits.length > 0 && !native) this.log(4, 'rlimit: not applied: flux-ts was built without its native helper (flux-task)');
    this.log(6, `${p.shellRank}: tasks ${idset.encode(ranks, { brackets: true })} on cores ${p.cores || '-'}`);
    const onPty = ptyRanks(opts['pty'], spec.size, (x) => idset.decode(x));
    const stdinTargets: StdinTarget[] = [];
    let waiting = p.count;
    const spawned = () => {
      if (--waiting === 0) this.reportStarted();
    };
    if (waiting === 0) this.reportStarted();
    for (let i = 0; i < p.count; i++) {
      const t: Task = { rank: ranks[i]!, local: i, done: false, code: 0 };
      this.tasks.push(t);
      this.live++;
      const tenv: NodeJS.ProcessEnv = { ...env, FLUX_TASK_RANK: String(t.rank), FLUX_TASK_LOCAL_ID: String(i) };
      const cpus = plan.cpus[i];
      const gpus = plan.gpus[i];
      if (gpus !== undefined) tenv['CUDA_VISIBLE_DEVICES'] = gpus;
      if (cpus) this.log(6, `cpu-affinity: task ${t.rank} bound to cpus ${idset.encode(cpus)}`);
      if (gpus !== undefined) this.log(6, `gpu-affinity: task ${t.rank} CUDA_VISIBLE_DEVICES=${gpus}`);
      if (this.pmi) Object.assign(tenv, { PMI_FD: '3', PMI_RANK: String(t.rank), PMI_SIZE: String(spec.size), PMI_SPAWNED: '0' });
      const targv = argv.map((a) =>
        expandTemplate(a, { id: spec.id, size: spec.size, nnodes: spec.nnodes, task: { id: t.rank, index: i }, tmpdir: this.tmpdir, env }),
      );
      if (onPty?.has(t.rank)) {
        this.startPtyTask(t, targv, cwd, tenv, cpus, rlimits, spawned);
        stdinTargets.push(ptyTarget(t));
        continue;
      }
      let proc: TaskProcess;
      try {
        proc =
          spawnTask(targv, tenv, cwd, { pmi: this.pmi !== undefined, cpus, rlimits }) ??
          spawn(targv[0] ?? '', targv.slice(1), {
            cwd,
            env: tenv,
            detached: true,
            stdio: this.pmi ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
          });
      } catch (e) {
        spawned();
        this.launchFailed(t, targv[0] ?? '', e as NodeJS.ErrnoException);
        continue;
      }
      t.proc = proc;
      this.log(7, `task ${t.rank}: started ${targv[0] ?? ''}`);
      // flux-task binds the task before it runs; child_process tasks are bound once they run
      if (cpus && !(proc instanceof NativeTask) && proc.pid !== undefined) bindTask(proc.pid, cpus);
      if (this.pmi && proc.stdio[3]) this.pmi.addClient(t.rank, proc.stdio[3] as net.Socket);
      if (proc instanceof NativeTask) proc.once('parent-lost', (code: number, signo: number) => this.parentLost(t, proc.parentPid, code, signo));
      let settled = false;
      proc.once('spawn', () => {
        settled = true;
        if (proc.pid !== undefined) taskGuard.add(proc.pid);
        spawned();
        this.settle(t);
      });
      proc.once('error', (e: NodeJS.ErrnoException) => {
        if (settled) return;
        settled = true;
        spawned();
        this.launchFailed(t, targv[0] ?? '', e);
      });
      this.capture(t, proc, 'stdout');
      this.capture(t, proc, 'stderr');
      proc.stdin?.on('error', () => {});
      if (proc.stdin) stdinTargets.push(writableTarget(proc.stdin));
      proc.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        if (proc.pid !== undefined) taskGuard.remove(proc.pid);
        this.settle(t);
        if (t.done) return;
        const signo = signal ? (os.constants.signals[signal] ?? 0) : 0;
        this.taskDone(t, signal ? 128 + signo : (code ?? 0));
      });
    }
    this.input?.pipeTo(stdinTargets, (note) => this.fail(`host ${spec.hostname}: ${note}`, 1));
  }

  /**
   * Start a task on a pseudo-terminal. Its PMI is PMI_PORT (TCP on loopback,
   * hydra's initack): a pty cannot carry the PMI_FD socket.
   */
  private startPtyTask(
    t: Task,
    argv: string[],
    cwd: string,
    env: NodeJS.ProcessEnv,
    cpus: number[] | undefined,
    rlimits: RlimitPlan['rules'],
    spawned: () => void,
  ): void {
    const go = (port?: number) => {
      const tenv = { ...env };
      delete tenv['PMI_FD'];
      if (port !== undefined) Object.assign(tenv, { PMI_PORT: `127.0.0.1:${port}`, PMI_ID: String(t.rank) });
      let pty: PtyTask;
      try {
        pty = spawnPty(argv, { cwd, env: tenv, cols: this.winsize?.cols, rows: this.winsize?.rows, cpus, rlimits });
      } catch (e) {
        spawned();
        this.launchFailed(t, argv[0] ?? '', Object.assign(e as Error, { code: 'ENOENT' }) as NodeJS.ErrnoException);
        return;
      }
      t.pty = pty;
      pty.onSpawn((err) => {
        spawned();
        if (err) {
          this.launchFailed(t, argv[0] ?? '', err);
          return;
        }
        if (pty.pid !== undefined) taskGuard.add(pty.pid);
        // a window size that came while it was starting
        if (this.winsize) pty.resize(this.winsize.cols, this.winsize.rows);
      });
      pty.onParentLost((parentPid, code, signo) => this.parentLost(t, parentPid, code, signo));
      const rank = String(t.rank);
      pty.onData((data) => this.emit('data', { stream: 'stdout', rank, data }));
      pty.onExit((status) => {
        if (pty.pid !== undefined) taskGuard.remove(pty.pid);
        // the eofs go out with the task's end, after its exit line
        (t.heldEofs ??= []).push('stdout', 'stderr');
        if (!t.done) this.taskDone(t, status);
        else this.releaseEofs(t);
      });
    };
    if (!this.pmi) return go();
    (this.pmiPort ??= this.pmi.listenTcp('127.0.0.1')).then(go, () => go());
  }

  /**
   * The task's parent (flux-task) died before it reported the task's end: a
   * job that signalled its parent ($PPID). The task is an orphan whose group
   * native-spawn.ts killed; this job (and no other) fails with an exception
   * that names the signal.
   */
  private parentLost(t: Task, parentPid: number | undefined, code: number, signo: number): void {
    if (t.done) return;
    const who = `task ${t.rank} (host ${this.spec.hostname}): job shell${parentPid !== undefined ? ` (pid ${parentPid})` : ''}`;
    const how =
      signo === os.constants.signals.SIGSTOP
        ? `stopped by signal ${signo} (${strsignal(signo)}): killed once its task ended`
        : signo > 0
          ? `killed by signal ${signo} (${strsignal(signo)})`
          : `exited with status ${code} before its task`;
    this.status = Math.max(this.status, 128 + 9);
    this.sink.exception(`${who} ${how}`);
  }

  /** [task rank, pid] of the tasks still running (flux job hostpids) */
  pids(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (const t of this.tasks) {
      const pid = t.proc?.pid ?? t.pty?.pid;
      if (!t.done && pid !== undefined) out.push([t.rank, pid]);
    }
    return out;
  }

  /** the attached client's terminal size: the size of pty tasks */
  resize(cols: number, rows: number): void {
    this.winsize = { cols, rows };
    for (const t of this.tasks) if (t.pty && !t.done) t.pty.resize(cols, rows);
  }

  /**
   * The simple PMI-1 server of this shell's tasks (shell option `pmi`, on unless
   * `none`/`off`): PMI_FD=3, PMI_RANK, PMI_SIZE; PMI_process_mapping and
   * `flux.instance-level` preput (so a Flux instance the job starts knows its
   * depth). A job on several shells trades puts at each barrier through rank 0.
   */
  private startPmi(opt: unknown): PmiServer | undefined {
    const list = typeof opt === 'string' ? opt.split(',') : ['simple'];
    if (!list.includes('simple') && !list.includes('pmi1')) return undefined;
    const { spec } = this;
    const counts = spec.counts ?? [spec.placement.count];
    const preput = new Map<string, string>([['PMI_process_mapping', spec.pmiMapping ?? processMapping(counts)]]);
    if (spec.childLevel !== undefined) preput.set('flux.instance-level', String(spec.childLevel));
    if (spec.taskmap) preput.set('flux.taskmap', JSON.stringify(spec.taskmap));
    let seq = 0;
    const exchange = this.sink.pmiExchange;
    return new PmiServer({
      size: spec.size,
      local: spec.placement.count,
      kvsname: encodeF58Plain(spec.id),
      preput,
      // MPI_Abort: a fatal exec exception naming the rank (the shell's exception path)
      onAbort: (rank, code, msg) => this.sink.exception(pmiAbortNote(rank, code, msg)),
      exchange:
        counts.length > 1 && exchange
          ? async (puts) => new Map(Object.entries(await exchange.call(this.sink, seq++, Object.fromEntries(puts))))
          : undefined,
    });
  }

  /** send a signal to every live task's process group */
  kill(signum: number): void {
    // not spawned yet: spawn nothing
    if (this.tasks.length === 0) this.killedBefore ??= signum;
    for (const t of this.tasks) {
      if (t.done) continue;
      if (t.pty) {
        t.pty.kill(signum);
        if (signum === 9) t.pty.reviveParent();
        continue;
      }
      if (t.proc instanceof NativeTask) {
        t.proc.kill(signum);
        // the last step of a kill: a parent the job stopped must not hold the job
        if (signum === 9) t.proc.reviveParent();
        continue;
      }
      const pid = t.proc?.pid;
      if (pid === undefined) continue;
      try {
        process.kill(-pid, signum);
      } catch {
        try {
          t.proc?.kill(signum);
        } catch {
          /* gone */
        }
      }
    }
  }

  /**
   * Write stdin data to the tasks whose rank is in ranks (all if undefined);
   * resolves once every pipe that was full has drained (or closed).
   */
  stdin(data: string | undefined, eof: boolean, ranks?: Set<number>): Promise<void> {
    // with an input file, the file is the tasks' stdin
    if (this.stdinClosed || this.input) return Promise.resolve();
    const full: Array<Promise<void>> = [];
    for (const t of this.tasks) {
      const mine = !ranks || ranks.has(t.rank);
      if (t.pty) {
        // a terminal's end of input is ^D
        if (mine && !t.done) t.pty.write((data ?? '') + (eof ? '\x04' : ''));
        continue;
      }
      const s = t.proc?.stdin;
      if (!s || s.destroyed) continue;
      if (mine && data && !s.write(data)) full.push(new Promise((r) => writableTarget(s).whenReady(r)));
      if (eof || !mine) s.end();
    }
    if (eof) this.stdinClosed = true;
    return Promise.all(full).then(() => undefined);
  }

  private capture(t: Task, proc: TaskProcess, stream: 'stdout' | 'stderr'): void {
    const s = proc[stream];
    if (!s) return;
    const dec = new StringDecoder('utf8');
    let partial = '';
    const rank = String(t.rank);
    this.sources.push(s);
    if (this.paused) s.pause();
    s.on('data', (chunk: Buffer) => {
      const text = partial + dec.write(chunk);
      let cut = text.lastIndexOf('\n') + 1;
      // a line longer than MAX_PARTIAL goes out in pieces (never split inside a surrogate pair); unbuffered: all of it now
      if (text.length - cut > MAX_PARTIAL || (this.unbuffered.has(stream) && text.length > cut)) {
        cut = text.length;
        const last = text.charCodeAt(cut - 1);
        if (last >= 0xd800 && last <= 0xdbff) cut--;
      }
      partial = text.slice(cut);
      if (cut > 0) this.emit('data', { stream, rank, data: text.slice(0, cut) });
    });
    s.on('end', () => {
      const rest = partial + dec.end();
      if (rest.length > 0) this.emit('data', { stream, rank, data: rest });
      // the task's last shell lines (an exec failure's FATAL, the exit trace) come before its eofs: attach stops at them
      if (t.done) this.postEof(t, stream);
      else (t.heldEofs ??= []).push(stream);
    });
  }

  private launchFailed(t: Task, cmd: string, e: NodeJS.ErrnoException): void {
    const code = e.code === 'EACCES' || e.code === 'ENOEXEC' ? 126 : 127;
    const note = `task ${t.rank} (host ${this.spec.hostname}): start failed: ${cmd}: ${errText(e)}`;
    this.fail(note, code);
    this.settle(t);
    if (!t.done) {
      // the streams may never end: their eofs go out with the task's end
      (t.heldEofs ??= []).push('stdout', 'stderr');
      this.taskDone(t, code);
    }
  }

  /** the task started (or failed to) */
  private settle(t: Task): void {
    t.settled = true;
  }

  /** the task is done: post the eofs held until its last lines were out */
  private releaseEofs(t: Task): void {
    for (const stream of t.heldEofs ?? []) this.postEof(t, stream);
    t.heldEofs = undefined;
  }

  private postEof(t: Task, stream: string): void {
    const eofs = (t.eofs ??= new Set());
    if (eofs.has(stream)) return;
    eofs.add(stream);
    this.emit('data', { stream, rank: String(t.rank), eof: true });
  }

  private fail(note: string, code: number): void {
    this.log(2, note);
    this.status = Math.max(this.status, code);
    this.flush();
    this.sink.exception(note);
  }

  private taskDone(t: Task, code: number): void {
    t.done = true;
    this.log(7, `task ${t.rank}: exited with status ${code}`);
    this.releaseEofs(t);
    this.live--;
    // rank 0's job-exec needs the first exit, and the first failure, of a job of several tasks
    if (this.spec.size > 1 && (this.exitsReported === 0 || (code !== 0 && !this.failureReported))) {
      this.exitsReported++;
      if (code !== 0) this.failureReported = true;
      this.sink.taskExit?.(t.rank, code);
    }
    this.status = Math.max(this.status, code);
    this.maybeExit();
  }

  private maybeExit(): void {
    if (this.live > 0 || this.exited) return;
    this.exited = true;
    this.pmi?.close();
    this.input?.close();
    this.flush();
    // most jobs leave their tmpdir empty: one rmdir, the recursive walk only when needed
    const dir = this.tmpdir;
    if (dir) fs.rmdir(dir, (e) => e && e.code !== 'ENOENT' && fs.rm(dir, { recursive: true, force: true }, () => {}));
    this.sink.exit(this.status);
  }

  /** a shell log line: up to NOTICE (5) always, DEBUG (6) with -o verbose, TRACE (7) with -o verbose=2 */
  private log(level: number, message: string): void {
    if (level > 5 + this.verbose) return;
    this.emit('log', { level, message, rank: String(this.spec.placement.shellRank), component: 'shell' });
  }

  private emit(name: string, context: Record<string, unknown>): void {
    this.pending.push({ timestamp: now(), name, context });
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.pending.length === 0) return;
    const evs = this.pending;
    this.pending = [];
    const bytes = outputBytes(evs);
    this.unacked += bytes;
    this.sink.output(evs, bytes);
    if (!this.paused && this.unacked > OUTPUT_WINDOW) {
      this.paused = true;
      for (const src of this.sources) src.pause();
    }
  }

  /** rank 0 has stored `bytes` of this shell's output: read the pipes again once half the window is free */
  ack(bytes: number): void {
    this.unacked = Math.max(0, this.unacked - bytes);
    if (this.paused && this.unacked <= OUTPUT_WINDOW / 2) {
      this.paused = false;
      for (const src of this.sources) src.resume();
    }
  }
}

/** a pty task's input as a StdinTarget (a terminal takes what it is given; ^D ends it) */
function ptyTarget(t: Task): StdinTarget {
  return {
    write(chunk) {
      if (t.pty && !t.done) t.pty.write(chunk.toString('utf8'));
      return true;
    },
    end() {
      if (t.pty && !t.done) t.pty.write('\x04');
    },
    whenReady: (cb) => setImmediate(cb),
    get done() {
      return t.done;
    },
  };
}

/** PMI_process_mapping (vector form) of tasks laid out on shells in order: `(vector,(0,2,4))` = 2 nodes of 4. */
export function processMapping(counts: readonly number[]): string {
  const blocks: Array<[number, number, number]> = [];
  counts.forEach((n, node) => {
    const last = blocks[blocks.length - 1];
    if (last && last[2] === n && last[0] + last[1] === node) last[1]++;
    else blocks.push([node, 1, n]);
  });
  return `(vector${blocks.map(([a, b, c]) => `,(${a},${b},${c})`).join('')})`;
}

/**
 * The jobspec's file archive (attributes.system.files: name -> {data, mode?,
 * encoding?}; `flux batch` puts its script there) written into the job tmpdir.
 */
async function writeFiles(dir: string, files: unknown): Promise<void> {
  if (typeof files !== 'object' || files === null) return;
  for (const [name, f] of Object.entries(files as Record<string, { data?: unknown; mode?: unknown; encoding?: unknown }>)) {
    if (name.includes('/') || name === '..' || typeof f?.data !== 'string') throw new Error(`bad entry ${JSON.stringify(name)}`);
    const data = f.encoding === 'base64' ? Buffer.from(f.data, 'base64') : f.data;
    const mode = typeof f.mode === 'number' ? f.mode & 0o7777 : 0o600;
    await fsp.writeFile(path.join(dir, name), data, { mode });
  }
}
