/**
 * The job-shell plugin API (what plugins/shell/<name>/index.ts implement). The
 * shell is hosted in-process by job-exec; a plugin hooks the leader side (rank 0:
 * output of every task passes there, e.g. file redirection) and/or the per-rank
 * shell side (task set-up, e.g. stdin from a file). Plugins import only kernel/api
 * and this file, and do no file I/O themselves: the host opens their files
 * (openOutput, openInput) off the event loop. Shell options are `attributes.system.shell.options`
 * (flux-shell-options(7)); unknown ones are ignored, as Flux does.
 */

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

/**
 * A file the job's output goes to, opened by the host (job-exec) so that no
 * plugin does file I/O on the broker's event loop: write() only queues, never
 * blocks or throws. The host opens every such file before the job's tasks start
 * (a FIFO: once it has a reader), applies backpressure to the tasks while
 * writes are pending, and turns an open or write error into the job's exception
 * (`error writing output file 'PATH': No space left on device`).
 */
export interface OutputSink {
  write(data: string): void;
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

/** What the leader tells a plugin about a starting job. */
export interface LeaderContext {
  id: number;
  options: ShellOptions;
  /** the job's working directory */
  cwd: string;
  ntasks: number;
  nnodes: number;
  /** all task ranks as an idset with brackets, e.g. `[0-3]` or `0` */
  allRanks: string;
  /** expand job shell mustache templates ({{id}}, {{name}} ...) */
  expand(template: string): string;
  /** open (asynchronously) a file for output; display is the path as messages show it */
  openOutput(path: string, opts: { append: boolean; display: string }): OutputSink;
}

export interface LeaderHooks {
  /** output eventlog events to post at start (e.g. `redirect`) */
  startEvents?(): Array<{ name: string; context: Record<string, unknown> }>;
  /** one output chunk; return true when the plugin consumed it (into an OutputSink) */
  output?(stream: Stream, rank: string, data: string): boolean;
  /** the job is over */
  close?(): void;
}

/** What a rank's shell tells a plugin. */
export interface ShellContext {
  id: number;
  options: ShellOptions;
  cwd: string;
  hostname: string;
  /** an input file for the tasks' stdin (opened by the shell, see InputSource) */
  openInput(path: string, display: string): InputSource;
}

export interface ShellHooks {
  /** where the tasks' stdin comes from (undefined: the attached client) */
  stdin?(): InputSource | undefined;
}

export interface ShellPlugin {
  readonly fluxShellPlugin: 1;
  readonly name: string;
  /** leader side, once per job; throw to fail the job with an exec exception */
  leader?(ctx: LeaderContext): LeaderHooks | undefined;
  /** shell side, once per job per rank; throw to fail the shell */
  shell?(ctx: ShellContext): ShellHooks | undefined;
}

export function defineShellPlugin(p: Omit<ShellPlugin, 'fluxShellPlugin'>): ShellPlugin {
  return { fluxShellPlugin: 1, ...p };
}

export function isShellPlugin(x: unknown): x is ShellPlugin {
  const p = x as Partial<ShellPlugin> | null;
  return !!p && p.fluxShellPlugin === 1 && typeof p.name === 'string';
}

/** The shell options of a jobspec (empty object if none). */
export function shellOptions(jobspec: { attributes?: { system?: Record<string, unknown> } }): ShellOptions {
  const shell = jobspec.attributes?.system?.['shell'] as { options?: ShellOptions } | undefined;
  return shell?.options ?? {};
}
