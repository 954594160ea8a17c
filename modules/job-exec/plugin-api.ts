/**
 * The job-shell plugin API: what plugins/shell/<name>/index.ts (and a site's
 * plugin loaded by path, `-o plugin=FILE`) implement. docs/guide/writing-a-shell-plugin.md
 * is the guide; this file is the contract.
 *
 * The shell is hosted in-process by job-exec and has two sides:
 * - the shell of each rank (shell.ts): sets up and spawns that rank's tasks,
 *   and sees their output first (a file on its node takes it there);
 * - the leader (exec-job.ts, rank 0): once per job, sees every task's output
 *   no shell took, raises the job's exceptions, decides the task placement.
 * A plugin offers either side or both: `shell(ctx)` / `leader(ctx)` is called
 * once per job (per rank for `shell`) and returns the callbacks of that job,
 * keyed by Flux's topic names (flux-shell-plugins(7)). Callbacks run in plugin
 * order (see plugin-host.ts) and may return a promise, which the host awaits
 * before the next plugin's callback. A callback that throws fails the job (never
 * the broker): a ShellError's message is the job's exception as it is; any
 * other error is reported as `shell plugin NAME: TOPIC: MESSAGE`.
 *
 * Plugins import only kernel/api and this file, and do no synchronous I/O on
 * paths a job names: the host opens their files (openOutput, openInput) off the
 * event loop. Shell options are `attributes.system.shell.options`
 * (flux-shell-options(7)); unknown ones are ignored, as Flux does.
 */
import type { ShellPlacement } from './taskmap';
import { token, type Registry } from '../../kernel/api';
import type { PtyOptions, PtyTask } from './pty-task';

/** the host's terminal launcher (the pty plugin's TaskLauncher) */
export { spawnPty, type PtyTask, type PtyOptions } from './pty-task';
export type { ShellPlacement } from './taskmap';

export interface StreamOpt {
  type?: string;
  path?: string;
  label?: boolean;
}

export interface ShellOptions {
  output?: { stdout?: StreamOpt; stderr?: StreamOpt; mode?: string };
  input?: { stdin?: { type?: string; path?: string } };
  [key: string]: unknown;
}

export type Stream = 'stdout' | 'stderr';

/** A plugin's refusal in its own words: the job fails with exactly this message. */
export class ShellError extends Error {}

/** What a callback may return. */
export type Maybe = void | Promise<void>;

/**
 * A file the job's output goes to, opened by the host (job-exec) so that no
 * plugin does file I/O on the broker's event loop: write() only queues, never
 * blocks or throws. The host opens every such file before the job's tasks start
 * (a FIFO: once it has a reader), applies backpressure to the tasks while
 * writes are pending, and turns an open or write error into the job's exception
 * (`error writing output file 'PATH': No space left on device`).
 */
export interface OutputSink {
  /** text, or bytes (output that is not UTF-8): written as they are */
  write(data: string | Buffer): void;
}

/**
 * A file the tasks' stdin comes from, opened by the host: without blocking (a
 * FIFO waits for its writer off the event loop) and copied to every task's
 * stdin with backpressure. An open error fails the job shell with
 * `error opening input file 'PATH': ...`.
 */
export interface InputSource {
  /** the path as error lines show it */
  readonly display: string;
}

// ---------------------------------------------------------------- leader side

/** What the leader tells a plugin about a starting job (rank 0, once per job). */
export interface LeaderContext {
  id: number;
  options: ShellOptions;
  /** the job's working directory */
  cwd: string;
  ntasks: number;
  nnodes: number;
  /** all task ranks as an idset with brackets, e.g. `[0-3]` or `0` */
  allRanks: string;
  /**
   * the job's shells in shell-rank order: which tasks each runs. A plugin may
   * re-map the task ranks in shell.init (set `ranks`/`first`, keeping `count`).
   */
  readonly placements: ShellPlacement[];
  /** hostname of each shell, by shell rank */
  readonly hosts: readonly string[];
  /**
   * expand job shell mustache templates ({{id}}, {{name}} ...); `at` gives the
   * node tags ({{node.id}} ...) of the shell of that shell rank, and the task
   * tags ({{task.id}} ...) of a task (its rank, its index on that shell)
   */
  expand(template: string, at?: { shellRank: number; task?: { id: number; index: number } }): string;
  /** open (asynchronously) a file for output; display is the path as messages show it */
  openOutput(path: string, opts: { append: boolean; display: string }): OutputSink;
  /** read a small file (relative to the job's cwd) off the event loop; refuses one over maxBytes */
  readFile(path: string, maxBytes: number): Promise<string>;
  /** a shell log line of rank 0 (level 0-7; 6 and 7 shown with -o verbose) */
  log(level: number, message: string): void;
  /** raise a fatal exec exception on the job (its tasks are killed) */
  raise(note: string): void;
  /** send a signal to every task of the job */
  kill(signum: number): void;
  /** the job's expiration (epoch seconds; 0: none) */
  expiration(): number;
}

/** one task's end as the leader hears of it: the first exit, and the first failure, of a job of several tasks */
export interface LeaderTaskExit {
  rank: number;
  host: string;
  /** exit code, or 128+signal */
  status: number;
}

/** an event of the job: its exec eventlog (`init`, `starting`, `shell.init`, `shell.start`, `complete`, `done`) or an exception */
export interface JobEvent {
  name: string;
  context: Record<string, unknown>;
}

export interface LeaderCallbacks {
  /** before any file opens and any shell starts: check options, re-map tasks */
  'shell.init'?(): Maybe;
  /** every shell has started its tasks */
  'shell.start'?(): Maybe;
  /** a task ended (see LeaderTaskExit) */
  'task.exit'?(t: LeaderTaskExit): Maybe;
  /** every shell has exited: the job is ending */
  'shell.exit'?(): Maybe;
  /** an entry of the job's exec eventlog, or (`exception`) an exception raised on it */
  'job.event'?(e: JobEvent): Maybe;
  /** output eventlog events to post at start (e.g. `redirect`) */
  startEvents?(): Array<{ name: string; context: Record<string, unknown> }>;
  /**
   * one output chunk: text, or a Buffer of its bytes when they are not UTF-8
   * (never decoded); return true when the plugin consumed it (into an OutputSink)
   */
  output?(stream: Stream, rank: string, data: string | Buffer): boolean;
}

// ----------------------------------------------------------------- shell side

/** What a rank's shell tells a plugin (once per job per rank). */
export interface ShellContext {
  id: number;
  options: ShellOptions;
  cwd: string;
  hostname: string;
  /** this shell's rank in the job (0 .. nnodes-1) */
  shellRank: number;
  /** tasks in the job, and nodes (shells) */
  size: number;
  nnodes: number;
  /** what this shell was given: its task count, cores and GPUs (idsets) */
  readonly placement: Readonly<ShellPlacement>;
  /** the tasks' environment (the job's, plus FLUX_JOB_*): change it in shell.init */
  readonly env: NodeJS.ProcessEnv;
  /** facts the PMI plugin needs (see plugins/shell/pmi) */
  readonly pmi: PmiFacts;
  /** a shell log line of this rank (level 0-7; 6 and 7 shown with -o verbose) */
  log(level: number, message: string): void;
  /** raise a fatal exec exception on the job */
  raise(note: string): void;
  /** an input file for the tasks' stdin (opened by the shell, see InputSource) */
  openInput(path: string, display: string): InputSource;
  /** make it the tasks' stdin (instead of the attached client) */
  setStdin(source: InputSource): void;
  /**
   * expand job shell mustache templates with this node's tags ({{node.id}},
   * {{tmpdir}} ...) and, given one of this shell's tasks (its rank, its index
   * here), the task tags
   */
  expand(template: string, task?: { id: number; index: number }): string;
  /**
   * open a file on this node for its tasks' output (call it in shell.init or
   * shell.post-init): the host opens it before any task of this shell starts,
   * after making the job's tmpdir, and a failure to open or write it is the
   * job's exception, as for the leader's openOutput; display is the path as
   * messages show it
   */
  openOutput(path: string, opts: { append: boolean; display: string }): OutputSink;
}

export interface PmiFacts {
  /** tasks on each shell, by shell rank */
  counts: number[];
  /** PMI_process_mapping when a taskmap placed the tasks */
  mapping?: string;
  /** the job's RFC 34 taskmap blocks */
  taskmap?: number[][];
  /** instance-level of a Flux instance the job starts */
  childLevel?: number;
  /** tbon.interface-hint of this instance: a Flux instance the job starts takes it as its default */
  interfaceHint?: string;
  /** a job on several shells: trade this shell's puts for everyone's at a barrier */
  exchange?(seq: number, puts: Record<string, string>): Promise<Record<string, string>>;
}

/** Starts a task some other way than a plain spawn (the pty plugin: on a terminal). */
export type TaskLauncher = (argv: readonly string[], o: PtyOptions) => PtyTask;

/** One task of this shell, as the callbacks see it. */
export interface ShellTask {
  /** global task rank, and index among this shell's tasks */
  readonly rank: number;
  readonly local: number;
  /** the command (templates expanded); change it in task.init */
  argv: string[];
  /** its environment; change it in task.init or task.exec */
  env: NodeJS.ProcessEnv;
  /** CPUs it is bound to before it runs (affinity) */
  cpus?: number[];
  /** soft rlimits set before it runs: [RLIMIT number, value (-1 unlimited)] */
  rlimits: Array<[number, number]>;
  /** give it a socket as fd 3 (PMI_FD); the host's end is `fd3` from task.fork on */
  wantFd3: boolean;
  /** start it with this instead of a plain spawn (set in task.init or task.exec) */
  launch?: TaskLauncher;
  /** task.fork on: its pid (undefined if it has none yet, e.g. on a terminal still starting) */
  readonly pid?: number;
  /** task.fork on: the host's end of fd 3, when wantFd3 */
  readonly fd3?: import('node:net').Socket;
  /** task.exit: exit code, or 128+signal */
  readonly status?: number;
}

export interface ShellCallbacks {
  /** the shell is set up (cwd, env, tmpdir): check options, prepare */
  'shell.init'?(): Maybe;
  /** every plugin's shell.init is done */
  'shell.post-init'?(): Maybe;
  /** a task is about to be made: change its argv, env, cpus, rlimits */
  'task.init'?(t: ShellTask): Maybe;
  /** the task's last step before it starts (env final; choose a launcher) */
  'task.exec'?(t: ShellTask): Maybe;
  /** the task was started (pid, fd3) */
  'task.fork'?(t: ShellTask): Maybe;
  /** every task of this shell has started (or failed to) */
  'shell.start'?(): Maybe;
  /** a task of this shell exited */
  'task.exit'?(t: ShellTask): Maybe;
  /** every task of this shell has exited: the shell is about to report its status */
  'shell.exit'?(): Maybe;
  /**
   * one output chunk of a task of this shell, before it goes to the leader:
   * text, or a Buffer of its bytes when they are not UTF-8; return true when
   * the plugin consumed it (into an OutputSink of this shell's openOutput):
   * the leader never sees it, the task's end of stream still goes there
   */
  output?(stream: Stream, rank: string, data: string | Buffer): boolean;
}

export interface ShellPlugin {
  readonly fluxShellPlugin: 1;
  /** the plugin's name: one of a name is loaded (a later one replaces a built-in) */
  readonly name: string;
  /** leader side, once per job: its callbacks (nothing if the job does not need it) */
  leader?(ctx: LeaderContext): LeaderCallbacks | undefined | void;
  /** shell side, once per job per rank */
  shell?(ctx: ShellContext): ShellCallbacks | undefined | void;
}

/**
 * The broker's registry of shell plugins (ADR 0018), where every job's stack
 * comes from: the built-ins of plugins/shell/ are its fallback entries
 * (plugins.ts). A site module calls `scope.container.resolve(IRegistries)
 * .provide(IShellPlugins, NAME, plugin)` and every job that starts on that
 * broker gets the plugin after the built-ins (a built-in of its name is
 * replaced), before the `[exec] shell-plugins` and `-o plugin=FILE` files.
 * Withdrawn when the module unloads (a built-in it replaced answers again);
 * a job already running keeps the stack it started with.
 */
export const IShellPlugins = token<Registry<ShellPlugin>>('flux.shell.plugins');

export function defineShellPlugin(p: Omit<ShellPlugin, 'fluxShellPlugin'>): ShellPlugin {
  return { fluxShellPlugin: 1, ...p };
}

/** A plugin object: a name, and a leader or shell side (fluxShellPlugin is optional for a plugin loaded by path). */
export function isShellPlugin(x: unknown): x is ShellPlugin {
  const p = x as Partial<ShellPlugin> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.name === 'string' &&
    p.name.length > 0 &&
    (typeof p.leader === 'function' || typeof p.shell === 'function')
  );
}

/** The shell options of a jobspec (empty object if none). */
export function shellOptions(jobspec: { attributes?: { system?: Record<string, unknown> } }): ShellOptions {
  const shell = jobspec.attributes?.system?.['shell'] as { options?: ShellOptions } | undefined;
  return shell?.options ?? {};
}

/** The shell option `verbose` as a number (0: none). */
export { verbosity } from './verbose';

/** CPU binding: the CPUs this broker may use, and whether tasks can be bound (the affinity plugin's facts) */
export { allowedCpus, cpuBindingAvailable } from './bind-cpus';

/** the RFC 34 taskmap of a placement (what the taskmap plugin logs) */
export { placementTaskmap } from './rfc34';

/** a shell's task ranks in local order (after a taskmap re-mapped them) */
export { shellTaskRanks } from './taskmap';

/** job shell templates: the first unknown tag of a string (and what a refusal says of it), whether it uses a tag, what it varies by */
export { badTagPhrase, templateScope, unknownTag, usesTag, type TemplateScope } from './template';
