/**
 * The in-process job shell for one job on one broker rank: places this rank's
 * tasks, spawns them (own process group each), captures their stdout/stderr as
 * RFC 24 events (line-buffered, batched per event-loop turn), feeds stdin, and
 * reports start, launch failures and the shell exit status (max task exit code,
 * 128+signo for signaled tasks, 127/126 for launch failures).
 *
 * Output is flow-controlled: the shell may have at most OUTPUT_WINDOW bytes of
 * output sent and not yet acknowledged by rank 0 (which acknowledges once the
 * output is in the job's output log and files), or not yet in a file of this
 * node (a plugin's openOutput, shell-outputs.ts: per-node and per-task
 * --output files); beyond that it stops reading the tasks' pipes, so a task
 * that prints faster than the output can be stored blocks in write() instead
 * of growing the broker. Set-up I/O on paths the job names (its cwd, an input
 * file, a plugin file, an output file) is asynchronous.
 *
 * This file is the shell's host only: every feature a shell option turns on
 * (affinity, pmi, pty, rlimit, input ...) is a plugin under plugins/shell/,
 * called at Flux's callback points (plugin-api.ts): shell.init and
 * shell.post-init once set up, task.init / task.exec / task.fork around each
 * task's spawn, shell.start once all started, task.exit for each, shell.exit
 * before the shell reports its status.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import * as os from 'node:os';
import { LINEAGE_VAR, encodeF58, encodeF58Plain, idset, strsignal } from '../../kernel/api';
import { shellOptions, type ShellCallbacks, type ShellContext, type ShellOptions, type ShellPlugin, type ShellTask, type TaskLauncher } from './plugin-api';
import { bindStack, callTopic, loadPluginFile, pluginOption, pluginStack, PluginFailure, type Bound } from './plugin-host';
import type { StackEntry } from './plugins';
import { expandEnv, expandTemplate, jobName, templateNode, type TemplateContext } from './template';
import { taskGuard } from './guard';
import { bindTask } from './bind-cpus';
import { verbosity } from './verbose';
import { spawnPty, type PtyTask } from './pty-task';
import type { ImpUser } from './imp';
import { Task, runTarget, type TaskProcess } from './shell-task';
import { writeFiles } from './job-files';
import { removeAsUser, stageAsUser } from './user-files';
import { UserFileInput } from './user-input';
import { NativeTask, spawnTask } from './native-spawn';
import { jobDirs, removeDir } from './file-ops';
import { shellTaskRanks, type Jobspec, type ShellPlacement } from './taskmap';
import { FileInput, writableTarget, type StdinTarget } from './input-source';
import { ShellOutputs } from './shell-outputs';
import { sysErrorText } from './sys-error';
import { shortageNote } from './start-shortage';
import { OWNER_UID } from '../../lib/owner-uid';
import { tierUpSooner } from '../../lib/native';
import { eventTime } from '../../lib/event-time';
import { encodeData, incompleteTail } from '../../lib/io-data';
import type { Stream } from './plugin-api';

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
  /** this instance's tbon.interface-hint, for PMI (flux.tbon-interface-hint) */
  interfaceHint?: string;
  /** FLUX_TS_LINEAGE of the tasks: the broker's reaper kills them if it dies */
  lineage?: string;
  /** PMI_process_mapping when a taskmap scheme placed the tasks (else from counts) */
  pmiMapping?: string;
  /** the job's RFC 34 taskmap blocks: PMI's `flux.taskmap` (a Flux instance the job starts reads its broker.mapping there) */
  taskmap?: number[][];
  /** the site's plugin files (`[exec] shell-plugins`), loaded after the built-ins */
  sitePlugins?: string[];
  /** this broker's IShellPlugins registry as the shell starts: built-ins and what modules provide (set by shell-server, never sent) */
  registered: readonly StackEntry[];
  /** the job's submitter (absent: the instance owner) */
  userid?: number;
  /** its signed jobspec (a MUNGE credential), when it has one */
  J?: string;
  /** this broker's IMP (`[exec] imp`): how a job of another user runs as that user */
  imp?: string;
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

const errText = sysErrorText;

/**
 * mkdir of the job's tmpdir (made: false when it failed) and the check that
 * its cwd is a directory: one trip to Node's pool with the addon, two at once
 * with fs.
 */
function checkDirs(tmpdir: string | undefined, cwd: string | undefined): Promise<{ made: boolean; cwdError?: NodeJS.ErrnoException }> {
  const native = jobDirs(tmpdir, cwd);
  if (native) return native;
  const made = tmpdir ? fsp.mkdir(tmpdir, { mode: 0o700 }).then(() => true, () => false) : Promise.resolve(false);
  const cwdError =
    cwd === undefined
      ? Promise.resolve(undefined)
      : fsp.stat(cwd).then(
          (st) => (st.isDirectory() ? undefined : Object.assign(new Error('Not a directory'), { code: 'ENOTDIR' })),
          (e: NodeJS.ErrnoException) => e,
        );
  return Promise.all([made, cwdError]).then(([m, c]) => ({ made: m, cwdError: c }));
}

/** a job's tmpdir at its end: most jobs leave it empty (one rmdir); the recursive walk only when it is not */
function removeTmpdir(dir: string): void {
  const rmAll = () => fs.rm(dir, { recursive: true, force: true }, () => {});
  const native = removeDir(dir);
  if (native) void native.then((e) => e !== 0 && e !== os.constants.errno.ENOENT && rmAll());
  else fs.rmdir(dir, (e) => e && e.code !== 'ENOENT' && rmAll());
}

/** an output log entry's time: microseconds, as the job's eventlog has them (a millisecond clock put a shell line made in the submit's millisecond before it) */
const now = eventTime;

export class JobShell {
  private readonly tasks: Task[] = [];
  private pending: OutEvent[] = [];
  private flushQueued = false;
  private live = 0;
  private status = 0;
  private exited = false;
  private tmpdir: string | undefined;
  private stdinClosed = false;
  private exitsReported = 0;
  private failureReported = false;
  private winsize: { cols: number; rows: number } | undefined;
  /** the tasks' stdin from a file (a plugin's setStdin: input-file) */
  private input: FileInput | UserFileInput | undefined;
  private startedSent = false;
  /** a signal that came before the tasks were spawned */
  private killedBefore: number | undefined;
  /** output bytes sent and not yet acknowledged (or not yet in this node's files) */
  private unacked = 0;
  /** output bytes put in this node's files since the last flush */
  private localBytes = 0;
  /** this node's output files (the plugins' openOutput) */
  private readonly outputs = new ShellOutputs(
    () => this.asUser,
    (note) => this.sink.exception(note),
  );
  /** the plugins that take output (an output callback), in stack order */
  private takers: Array<Bound<ShellCallbacks>> = [];
  private paused = false;
  /** what to pause and resume: the tasks' output pipes and ptys */
  private readonly sources: Array<{ pause(): void; resume(): void }> = [];
  /** shell option verbose: log levels above 5 (DEBUG 6, TRACE 7) shown */
  private verbose = 0;
  /** streams whose output goes out as it comes, without waiting for a newline (output.STREAM.buffer.type=none, flux run -u) */
  private readonly unbuffered = new Set<string>();
  /** this job's plugins, shell side, in call order */
  private stack: Array<Bound<ShellCallbacks>> = [];
  /** plugin callbacks still running (task.init of a task, task.exit ...): shell.exit waits for them */
  private busy: Promise<void> | undefined;
  private warnedRlimit = false;
  /** a task could not start for want of descriptors or processes: the job is failing, no more start */
  private starved = false;
  /** the tmpdir is made and cwd checked by each task's spawn (spawnTask opts), not before */
  private deferredDirs: { tmpdir: string; cwd: string } | undefined;
  /** the dirs made and checked here after all (a task started by a plugin's launcher) */
  private dirsChecked: Promise<{ made: boolean; cwdError?: NodeJS.ErrnoException }> | undefined;
  /** the "Going to /tmp" line was logged */
  private cwdFallen = false;

  constructor(
    private readonly spec: ShellSpec,
    private readonly sink: ShellSink,
  ) {}

  /** spawn every local task; sink.started() once all have spawned or failed */
  start(): void {
    // a broker that runs jobs optimizes its code sooner (ADR 0022)
    tierUpSooner();
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
    this.call('shell.start');
  }

  /** the shell could not set up: report it and exit without tasks */
  private abandon(note: string, code: number): void {
    this.fail(note, code);
    this.reportStarted();
    this.maybeExit();
  }

  /**
   * Call a topic on the plugins. A failure is the job's exception (the shell
   * goes on: the exception kills the tasks); async work is waited for at exit.
   */
  private call(topic: keyof ShellCallbacks, arg?: ShellTask): void {
    let r: Promise<void> | undefined;
    try {
      r = callTopic(this.stack, topic, arg);
    } catch (e) {
      this.pluginFailed(e);
      return;
    }
    if (r) this.track(r.catch((e: unknown) => this.pluginFailed(e)));
  }

  private track(p: Promise<void>): void {
    const prev = this.busy;
    const all: Promise<void> = (prev ? Promise.all([prev, p]).then(() => undefined) : p).finally(() => {
      if (this.busy === all) this.busy = undefined;
    });
    this.busy = all;
  }

  /** a callback failed (a PluginFailure), or the host did (a bug): this job's exception either way, never a throw */
  private pluginFailed(e: unknown): void {
    const why = e instanceof PluginFailure ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`;
    this.fail(`host ${this.spec.hostname}: ${why}`, 1);
  }

  /** a job of another user than the broker's: its tasks run through the IMP as that user */
  private asUser: ImpUser | undefined;

  private async run(): Promise<void> {
    const { spec } = this;
    const p = spec.placement;
    const js = spec.jobspec;
    if (spec.userid !== undefined && spec.userid !== OWNER_UID) {
      if (spec.imp === undefined) return this.abandon(`host ${spec.hostname}: cannot run a job of uid ${spec.userid}: [exec] imp is not set on this broker`, 1);
      if (!spawnTask.available()) return this.abandon(`host ${spec.hostname}: cannot run a job of uid ${spec.userid}: [exec] imp needs flux-ts's native helpers (flux-task), not built here`, 1);
      this.asUser = { imp: spec.imp, userid: spec.userid, J: spec.J ?? '-' };
    }
    const sys = js.attributes?.system ?? {};
    const opts = shellOptions(js);
    this.verbose = verbosity(opts['verbose']);
    // as in Flux, stdout is sent a line at a time and stderr as it is written (an error
    // message without a newline shows at once), unless output.STREAM.buffer.type says otherwise
    for (const stream of ['stdout', 'stderr'] as const) {
      const o = opts.output?.[stream] as { buffer?: { type?: unknown } } | undefined;
      const type = o?.buffer?.type;
      if (type === 'none' || (stream === 'stderr' && type !== 'line')) this.unbuffered.add(stream);
    }
    let cwd = typeof sys['cwd'] === 'string' ? (sys['cwd'] as string) : os.tmpdir();
    // (a guest's tmpdir is made as the guest, below)
    const tmpdir = spec.rundir && !this.asUser ? path.join(spec.rundir, `jobtmp-${p.shellRank}-${encodeF58Plain(spec.id)}`) : undefined;
    const files = sys['files'];
    const noFiles = files === undefined || files === null || (typeof files === 'object' && Object.keys(files).length === 0);
    let madeTmp: boolean;
    if (tmpdir && noFiles && spawnTask.available()) {
      // made and checked on each task's own spawn trip (one hand-off to the pool a task, not two: dirsNow, onPrepared)
      this.deferredDirs = { tmpdir, cwd };
      madeTmp = true;
    } else {
      // the job tmpdir is made while the cwd is checked (one trip to the pool)
      // a job run as its submitter: the IMP enters its cwd as the user (or fails the job saying why)
      const checked = await checkDirs(tmpdir, this.asUser ? undefined : cwd);
      if (checked.cwdError) {
        this.cwdFailed(cwd, checked.cwdError);
        cwd = '/tmp';
      }
      madeTmp = checked.made;
    }
    const jobenv = (sys['environment'] as Record<string, string | null> | undefined) ?? { ...process.env };
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(jobenv)) if (typeof v === 'string') env[k] = v;
    delete env['FLUX_PROXY_REMOTE'];
    env['FLUX_JOB_ID'] = encodeF58(spec.id, env);
    env['FLUX_JOB_SIZE'] = String(spec.size);
    env['FLUX_JOB_NNODES'] = String(spec.nnodes);
    env['FLUX_URI'] = spec.uri;
    // the job's guest namespace (modules/kvs/job-spaces.ts): a task's `flux kvs` and a nested instance's parent-kvs-namespace
    env['FLUX_KVS_NAMESPACE'] = `job-${spec.id}`;
    env['HOSTNAME'] = spec.hostname;
    if (spec.lineage !== undefined) env[LINEAGE_VAR] = spec.lineage;
    if (this.asUser) {
      // a guest's tmpdir and file archive are made by the guest (user-files.ts), where the guest may write
      const staged = await stageAsUser(this.asUser, `${p.shellRank}-${encodeF58Plain(spec.id)}`, env['TMPDIR'], sys['files']);
      // an IMP refusal: nothing ran, as a command that cannot start (127)
      if ('error' in staged) return this.abandon(`host ${spec.hostname}: ${staged.error}`, staged.refused ? 127 : 1);
      this.tmpdir = staged.dir;
      env['FLUX_JOB_TMPDIR'] = staged.dir;
    } else if (tmpdir && madeTmp) {
      this.tmpdir = tmpdir;
      env['FLUX_JOB_TMPDIR'] = tmpdir;
    } else this.tmpdir = undefined;
    if (this.tmpdir && !this.asUser) {
      try {
        await writeFiles(this.tmpdir, sys['files']);
      } catch (e) {
        this.abandon(`host ${spec.hostname}: file archive: ${(e as Error).message}`, 1);
        return;
      }
    }
    try {
      const extra: ShellPlugin[] = [];
      for (const file of [...(spec.sitePlugins ?? []), ...pluginOption(opts['plugin'])]) extra.push(await loadPluginFile(file, cwd));
      const ctx = this.context(opts, cwd, env);
      this.stack = bindStack(pluginStack(spec.registered, extra), (pl) => pl.shell?.(ctx), 'shell');
      this.takers = this.stack.filter((b) => typeof b.cbs.output === 'function');
      await callTopic(this.stack, 'shell.init');
      await callTopic(this.stack, 'shell.post-init');
      await this.input?.open();
    } catch (e) {
      this.abandon(`host ${spec.hostname}: ${(e as Error).message}`, 1);
      return;
    }
    if (this.outputs.count > 0) {
      const o = await this.openOutputs(env);
      if (o.cwdFailed) cwd = '/tmp';
      if (!o.opened) {
        // the job's exception says which file and why (the sink's onError): no task starts here
        this.input?.close();
        this.status = Math.max(this.status, 1);
        this.reportStarted();
        this.maybeExit();
        return;
      }
    }
    if (this.killedBefore !== undefined) {
      // killed (canceled) while setting up: no task starts
      this.input?.close();
      this.status = Math.max(this.status, 128 + this.killedBefore);
      this.reportStarted();
      this.maybeExit();
      return;
    }
    this.spawnAll(js.tasks[0]?.command ?? [], cwd, env);
  }

  /**
   * Open the files this shell's plugins asked for (openOutput) before any
   * task starts. The job's tmpdir is made first (a `{{tmpdir}}/out` file is
   * in it), so it is not left to the tasks' spawns (deferredDirs).
   */
  private async openOutputs(env: NodeJS.ProcessEnv): Promise<{ opened: boolean; cwdFailed: boolean }> {
    let cwdFailed = false;
    const d = this.deferredDirs;
    if (d) {
      this.deferredDirs = undefined;
      const c = await checkDirs(d.tmpdir, d.cwd);
      if (!c.made) {
        this.tmpdir = undefined;
        delete env['FLUX_JOB_TMPDIR'];
      }
      if (c.cwdError) {
        this.cwdFailed(d.cwd, c.cwdError);
        cwdFailed = true;
      }
    }
    return { opened: await this.outputs.openAll(), cwdFailed };
  }

  /** the one "Going to /tmp" line of this shell */
  private cwdFailed(cwd: string, e: NodeJS.ErrnoException): void {
    if (this.cwdFallen) return;
    this.cwdFallen = true;
    this.log(3, `host ${this.spec.hostname}: Could not change dir to ${cwd}: ${errText(e)}. Going to /tmp instead`);
  }

  /**
   * A task's spawn made the tmpdir and checked cwd (deferredDirs): what it
   * found wrong. A tmpdir that could not be made is not removed at the end.
   */
  private onPrepared(cwd: string, tmpError: NodeJS.ErrnoException | undefined, cwdError: NodeJS.ErrnoException | undefined): void {
    if (tmpError) this.tmpdir = undefined;
    if (cwdError) this.cwdFailed(cwd, cwdError);
  }

  /**
   * A task that does not go through spawnTask (a plugin's launcher) while the
   * dirs were left to the spawns: they are made and checked now, once for the
   * shell; the cwd it is to run in.
   */
  private dirsNow(t: Task): Promise<string> {
    const d = this.deferredDirs!;
    this.dirsChecked ??= checkDirs(d.tmpdir, d.cwd).then((c) => {
      // a tmpdir that could not be made is not removed at the end
      if (!c.made) this.tmpdir = undefined;
      if (c.cwdError) this.cwdFailed(d.cwd, c.cwdError);
      return c;
    });
    return this.dirsChecked.then((c) => {
      if (!c.made) delete t.env['FLUX_JOB_TMPDIR'];
      return c.cwdError ? '/tmp' : d.cwd;
    });
  }

  /** what the plugins of this shell see */
  private context(options: ShellOptions, cwd: string, env: NodeJS.ProcessEnv): ShellContext {
    const { spec } = this;
    const sink = this.sink;
    return {
      id: spec.id,
      options,
      cwd,
      hostname: spec.hostname,
      shellRank: spec.placement.shellRank,
      size: spec.size,
      nnodes: spec.nnodes,
      placement: spec.placement,
      env,
      pmi: {
        counts: spec.counts ?? [spec.placement.count],
        mapping: spec.pmiMapping,
        taskmap: spec.taskmap,
        childLevel: spec.childLevel,
        interfaceHint: spec.interfaceHint,
        exchange: sink.pmiExchange ? (seq, puts) => sink.pmiExchange!(seq, puts) : undefined,
      },
      log: (level, message) => this.log(level, message),
      raise: (note) => this.sink.exception(note),
      // a guest's input file is read as the guest (user-input.ts): it reads only what the guest may
      openInput: (file, display) => (this.asUser ? new UserFileInput(file, display, this.asUser) : new FileInput(file, display)),
      setStdin: (src) => {
        if (!(src instanceof FileInput) && !(src instanceof UserFileInput)) throw new Error('setStdin: not an input the shell opened (openInput)');
        this.input = src;
      },
      expand: (template, task) =>
        expandTemplate(template, {
          id: spec.id,
          name: jobName(spec.jobspec),
          size: spec.size,
          nnodes: spec.nnodes,
          node: templateNode(spec.placement, spec.hostname),
          task,
          tmpdir: this.tmpdir,
          env,
        }),
      openOutput: (file, o) => {
        if (this.tasks.length > 0) throw new Error('openOutput: the tasks have started (open files in shell.init or shell.post-init)');
        return this.outputs.add(path.resolve(cwd, file), o.append, o.display);
      },
    };
  }

  private spawnAll(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): void {
    const { spec } = this;
    const p = spec.placement;
    const ranks = shellTaskRanks(p);
    this.log(6, `${p.shellRank}: tasks ${idset.encode(ranks, { brackets: true })} on cores ${p.cores || '-'}`);
    const stdinTargets: StdinTarget[] = [];
    let waiting = p.count;
    const spawned = () => {
      if (--waiting === 0) this.reportStarted();
    };
    if (waiting === 0) this.reportStarted();
    const late: Array<Promise<void>> = [];
    // the job's tags, this node's; each task adds its own (args and env values, per task)
    const jobCtx: TemplateContext = { id: spec.id, name: jobName(spec.jobspec), size: spec.size, nnodes: spec.nnodes, node: templateNode(p, spec.hostname), env };
    for (let i = 0; i < p.count; i++) {
      const rank = ranks[i]!;
      const tctx: TemplateContext = { ...jobCtx, task: { id: rank, index: i }, tmpdir: this.tmpdir };
      const tenv = expandEnv({ ...env, FLUX_TASK_RANK: String(rank), FLUX_TASK_LOCAL_ID: String(i) }, tctx);
      const t = new Task(rank, i, argv.map((a) => expandTemplate(a, tctx)), tenv);
      this.tasks.push(t);
      this.live++;
      const go = (): Promise<void> | void => {
        // a plugin's launcher does not make the tmpdir on its spawn: made here first
        if (t.launch && this.deferredDirs) return this.dirsNow(t).then((c) => this.launch(t, c, spawned, stdinTargets));
        this.launch(t, cwd, spawned, stdinTargets);
      };
      const failed = (e: unknown) => {
        spawned();
        this.pluginFailed(e);
        this.settle(t);
        (t.heldEofs ??= []).push('stdout', 'stderr');
        this.taskDone(t, 1);
      };
      let r: Promise<void> | undefined;
      try {
        r = callTopic(this.stack, 'task.init', t);
        r = r ? r.then(() => callTopic(this.stack, 'task.exec', t)) : callTopic(this.stack, 'task.exec', t);
      } catch (e) {
        failed(e);
        continue;
      }
      const now = r ? undefined : go();
      if (now) late.push(now.catch(failed));
      else if (r) late.push(r.then(go, failed).catch((e: unknown) => this.pluginFailed(e)));
    }
    const pipe = () => this.input?.pipeTo(stdinTargets, (note) => this.fail(`host ${spec.hostname}: ${note}`, 1));
    if (late.length === 0) pipe();
    else this.track(Promise.all(late).then(pipe).catch((e: unknown) => this.pluginFailed(e)));
  }

  /** start one task: its plugin's launcher, or a spawn through flux-task (child_process without the addon) */
  private launch(t: Task, cwd: string, spawned: () => void, stdinTargets: StdinTarget[]): void {
    const argv = t.argv;
    if (this.starved) {
      // its plugins' task.init ended after the job ran out: it does not start
      spawned();
      return this.starve(t, '');
    }
    if (t.rlimits.length > 0 && !this.warnedRlimit && !spawnTask.available()) {
      this.warnedRlimit = true;
      this.log(4, 'rlimit: not applied: flux-ts was built without its native helper (flux-task)');
    }
    if (t.launch) {
      this.startLaunched(t, t.launch, cwd, spawned);
      stdinTargets.push(runTarget(t));
      return;
    }
    let proc: TaskProcess;
    try {
      proc =
        spawnTask(argv, t.env, cwd, {
          pmi: t.wantFd3,
          cpus: t.cpus,
          rlimits: t.rlimits,
          asUser: this.asUser,
          tmpdir: this.deferredDirs?.tmpdir,
          cwdFallback: this.deferredDirs ? '/tmp' : undefined,
          // the shell's only task: its flux-task removes the tmpdir as it ends (no trip for the broker's loop)
          removeTmpdir: this.deferredDirs !== undefined && this.spec.placement.count === 1,
        }) ??
        spawn(argv[0] ?? '', argv.slice(1), {
          cwd,
          env: t.env,
          detached: true,
          stdio: t.wantFd3 ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
        });
    } catch (e) {
      spawned();
      this.launchFailed(t, argv[0] ?? '', e as NodeJS.ErrnoException);
      return;
    }
    t.proc = proc;
    this.log(7, `task ${t.rank}: started ${argv[0] ?? ''}`);
    // flux-task binds the task before it runs; child_process tasks are bound once they run
    if (t.cpus && !(proc instanceof NativeTask) && proc.pid !== undefined) bindTask(proc.pid, t.cpus);
    this.call('task.fork', t);
    if (proc instanceof NativeTask) {
      proc.once('tmpdir-removed', (errno: number) => {
        // gone (or never made): nothing left for exitNow; ENOTEMPTY and the like: exitNow removes it
        if (errno === 0 || errno === os.constants.errno.ENOENT) this.tmpdir = undefined;
      });
      if (this.deferredDirs) proc.once('prepared', (tmpError?: NodeJS.ErrnoException, cwdError?: NodeJS.ErrnoException) => this.onPrepared(cwd, tmpError, cwdError));
      proc.once('parent-lost', (code: number, signo: number) => this.parentLost(t, proc.parentPid, code, signo));
      proc.once('imp-error', (line: string) => this.log(2, `task ${t.rank} (host ${this.spec.hostname}): signal not delivered: ${line}`));
    }
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
      this.launchFailed(t, argv[0] ?? '', e);
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

  /** A task a plugin starts itself (the pty plugin: on a pseudo-terminal, output on its stdout). */
  private startLaunched(t: Task, launcher: TaskLauncher, cwd: string, spawned: () => void): void {
    const argv = t.argv;
    let run: PtyTask;
    try {
      // a plugin's own launcher would run the task as the instance owner
      if (this.asUser && launcher !== spawnPty) throw new Error('a plugin task launcher cannot run a job as its submitter (only the pty one can)');
      run = launcher(argv, { cwd, env: t.env, cols: this.winsize?.cols, rows: this.winsize?.rows, cpus: t.cpus, rlimits: t.rlimits, asUser: this.asUser });
    } catch (e) {
      spawned();
      this.launchFailed(t, argv[0] ?? '', Object.assign(e as Error, { code: 'ENOENT' }) as NodeJS.ErrnoException);
      return;
    }
    t.run = run;
    this.call('task.fork', t);
    run.onSpawn((err) => {
      spawned();
      if (err) {
        this.launchFailed(t, argv[0] ?? '', err);
        return;
      }
      if (run.pid !== undefined) taskGuard.add(run.pid);
      // a window size that came while it was starting
      if (this.winsize) run.resize(this.winsize.cols, this.winsize.rows);
    });
    run.onParentLost((parentPid, code, signo) => this.parentLost(t, parentPid, code, signo));
    const rank = String(t.rank);
    run.onData((data) => (typeof data === 'string' ? this.emitText('stdout', rank, data) : this.emitData('stdout', rank, data)));
    run.onExit((status) => {
      if (run.pid !== undefined) taskGuard.remove(run.pid);
      // the eofs go out with the task's end, after its exit line
      (t.heldEofs ??= []).push('stdout', 'stderr');
      if (!t.done) this.taskDone(t, status);
      else this.releaseEofs(t);
    });
  }

  /**
   * The task's parent (flux-task) died before it reported the task's end: a
   * job that signalled its parent ($PPID). The task is an orphan whose group
   * native-spawn.ts killed; this job (and no other) fails with an exception
   * that names the signal.
   */
  private parentLost(t: Task, parentPid: number | undefined, code: number, signo: number): void {
    // a start that ran out of descriptors killed the tasks itself (starve): its one exception says why
    if (t.done || this.starved) return;
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
      const pid = t.pid;
      if (!t.done && pid !== undefined) out.push([t.rank, pid]);
    }
    return out;
  }

  /** the attached client's terminal size: the size of pty tasks */
  resize(cols: number, rows: number): void {
    this.winsize = { cols, rows };
    for (const t of this.tasks) if (t.run && !t.done) t.run.resize(cols, rows);
  }

  /** send a signal to every live task's process group */
  kill(signum: number): void {
    // not spawned yet: spawn nothing (and wait no longer for an output FIFO's reader)
    if (this.tasks.length === 0) {
      this.killedBefore ??= signum;
      this.outputs.abort();
    }
    // the kill's last step: files that take nothing more (a FIFO whose reader stopped) must not hold the shell
    if (signum === 9) this.outputs.abort();
    for (const t of this.tasks) {
      if (t.done) continue;
      if (t.run) {
        t.run.kill(signum);
        if (signum === 9) t.run.reviveParent();
        continue;
      }
      if (t.proc instanceof NativeTask) {
        t.proc.kill(signum);
        // the last step of a kill: a parent the job stopped must not hold the job, nor output pipes a setsid child holds
        if (signum === 9) {
          t.proc.reviveParent();
          t.proc.abandonHeldOutput();
        }
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
  stdin(data: string | Buffer | undefined, eof: boolean, ranks?: Set<number>): Promise<void> {
    // with an input file, the file is the tasks' stdin
    if (this.stdinClosed || this.input) return Promise.resolve();
    const full: Array<Promise<void>> = [];
    for (const t of this.tasks) {
      const mine = !ranks || ranks.has(t.rank);
      if (t.run) {
        // a terminal's end of input is ^D
        if (mine && !t.done) {
          if (data !== undefined && data.length > 0) t.run.write(data);
          if (eof) t.run.write('\x04');
        }
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
    // bytes, never decoded here: a chunk goes out as text when it is UTF-8, else as base64 (lib/io-data.ts)
    let partial: Buffer | undefined;
    const rank = String(t.rank);
    this.sources.push(s);
    if (this.paused) s.pause();
    s.on('data', (chunk: Buffer) => {
      // chunk is a view of a buffer shared by every pipe: what is kept is copied
      const buf = partial ? Buffer.concat([partial, chunk]) : chunk;
      let cut = buf.lastIndexOf(0x0a) + 1;
      // a line longer than MAX_PARTIAL goes out in pieces; unbuffered: all of it now (a UTF-8 character is never split)
      if (buf.length - cut > MAX_PARTIAL || (this.unbuffered.has(stream) && buf.length > cut)) cut = buf.length - incompleteTail(buf);
      partial = cut < buf.length ? Buffer.from(buf.subarray(cut)) : undefined;
      if (cut > 0) this.emitData(stream, rank, buf.subarray(0, cut));
    });
    const ended = () => {
      const rest = partial;
      partial = undefined;
      if (rest) this.emitData(stream, rank, rest);
      // the task's last shell lines (an exec failure's FATAL, the exit trace) come before its eofs: attach stops at them
      if (t.done) this.postEof(t, stream);
      else (t.heldEofs ??= []).push(stream);
    };
    s.on('end', ended);
    // output that could not be read is lost: the job's exception says so (the stream ends there)
    s.on('error', (e: Error) => {
      this.fail(`task ${t.rank} (host ${this.spec.hostname}): reading its ${stream}: ${sysErrorText(e)}`, 1);
      ended();
    });
  }

  private launchFailed(t: Task, cmd: string, e: NodeJS.ErrnoException): void {
    const shortage = shortageNote(e, this.spec.hostname, this.spec.placement.count);
    if (shortage !== undefined) return this.starve(t, shortage);
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

  /**
   * The node ran out of descriptors or processes starting the job's tasks:
   * one exception for the job (the first), the tasks that started are
   * killed (their descriptors freed at once), and the rest fail quietly.
   */
  private starve(t: Task, note: string): void {
    if (!this.starved) {
      this.starved = true;
      this.fail(note, 1);
      this.kill(9);
    }
    this.settle(t);
    if (!t.done) {
      (t.heldEofs ??= []).push('stdout', 'stderr');
      this.taskDone(t, 1);
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
    t.status = code;
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
    this.call('task.exit', t);
    this.maybeExit();
  }

  private maybeExit(): void {
    if (this.live > 0 || this.exited) return;
    this.exited = true;
    this.call('shell.exit');
    const busy = this.busy;
    if (busy) void busy.finally(() => this.exitNow());
    else this.exitNow();
  }

  private exitNow(): void {
    this.input?.close();
    this.flush();
    // this node's files have everything (or their error was the job's exception) before the shell says it is done
    if (this.outputs.count > 0) void this.outputs.close().then(() => this.exitClosed());
    else this.exitClosed();
  }

  /** the shell's last step: its tmpdir goes (after the files in it are closed), its status goes to rank 0 */
  private exitClosed(): void {
    // most jobs leave their tmpdir empty: one rmdir, the recursive walk only when needed
    const dir = this.tmpdir;
    if (dir && this.asUser) removeAsUser(this.asUser, dir);
    else if (dir) removeTmpdir(dir);
    this.sink.exit(this.status);
  }

  /** a shell log line: up to NOTICE (5) always, DEBUG (6) with -o verbose, TRACE (7) with -o verbose=2 */
  private log(level: number, message: string): void {
    if (level > 5 + this.verbose) return;
    this.emit('log', { level, message, rank: String(this.spec.placement.shellRank), component: 'shell' });
  }

  /** a chunk of a task's output as an RFC 24 data event (text, or base64 when not UTF-8), unless a file of this node takes it */
  private emitData(stream: Stream, rank: string, bytes: Buffer): void {
    const enc = encodeData(bytes);
    // bytes is a view of a buffer every pipe shares: a file that queues them gets a copy
    if (this.takers.length > 0 && this.offer(stream, rank, enc.encoding === undefined ? enc.data : Buffer.from(bytes), bytes.length)) return;
    this.emit('data', { stream, rank, ...enc });
  }

  /** text a task printed (a terminal's), unless a file of this node takes it */
  private emitText(stream: Stream, rank: string, data: string): void {
    if (this.takers.length > 0 && this.offer(stream, rank, data, Buffer.byteLength(data, 'utf8'))) return;
    this.emit('data', { stream, rank, data });
  }

  /** the plugins' output callbacks: true when one put the chunk in a file of this node (it counts against the window until written) */
  private offer(stream: Stream, rank: string, data: string | Buffer, bytes: number): boolean {
    let taken: boolean;
    try {
      taken = this.takers.some((b) => b.cbs.output!(stream, rank, data));
    } catch (e) {
      this.pluginFailed(new PluginFailure(`shell plugin output: ${e instanceof Error ? e.message : String(e)}`));
      return false;
    }
    if (!taken) return false;
    this.localBytes += bytes;
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
    return true;
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
    const local = this.localBytes;
    if (local > 0) {
      // this node's files: acknowledged here once they have it
      this.localBytes = 0;
      this.unacked += local;
      void this.outputs.flushed().then(() => this.ack(local));
    }
    if (this.pending.length > 0) {
      const evs = this.pending;
      this.pending = [];
      const bytes = outputBytes(evs);
      this.unacked += bytes;
      this.sink.output(evs, bytes);
    }
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
