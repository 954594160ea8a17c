/**
 * The job-manager plugin API (Flux's jobtap): what plugins/jobtap/<name>/index.ts
 * and a site's plugin file implement. A plugin is a table of callbacks keyed by
 * topic (globs allowed: `job.state.*`); the job manager calls them as jobs move
 * and offers a small context to act back (dependencies, events, exceptions,
 * priorities). Plugins import only kernel/api and this file.
 *
 * Topics and what a callback's return value means:
 *   job.validate            a new job, before it is accepted: return a string (or
 *                           throw) to reject the submission with that message
 *   job.new                 the job was accepted (stored, in DEPEND or beyond)
 *   job.dependency.SCHEME   one RFC 26 dependency of a new job (args: {scheme, value, ...});
 *                           throw to reject; ctx.dependencyAdd/Remove hold and release it
 *   job.state.STATE         the job entered STATE (depend, priority, sched, run,
 *                           cleanup, inactive); args: {prev_state}
 *   job.priority.get        return the job's priority (0..4294967295); the last
 *                           plugin (in load order) that returns a number wins
 *   job.event.NAME          the event NAME was posted to the job's eventlog (args: its context)
 *   job.destroy             a job the manager forgets without it going inactive
 *                           (its submission was refused after job.dependency.*)
 *   job.inactive-add        the job is inactive, or an inactive job of an earlier run
 *                           was read back at a restart (where active ones get job.new)
 *   job.inactive-remove     an inactive job is purged
 *   plugin.query            return an object added to `flux jobtap query`
 *   plugin.remove           the plugin is being removed: clear timers, end the
                          prologs/epilogs it runs (their holds must be finished)
 * A callback that throws on any other topic is logged and ignored.
 */
type Obj = Record<string, unknown>;

export type JobStateName = 'NEW' | 'DEPEND' | 'PRIORITY' | 'SCHED' | 'RUN' | 'CLEANUP' | 'INACTIVE';
export type JobResultName = 'COMPLETED' | 'FAILED' | 'CANCELED' | 'TIMEOUT';

/** A job as plugins see it: read-only, always current. */
export interface JobView {
  readonly id: number;
  readonly userid: number;
  readonly urgency: number;
  /** -1 until the job has one */
  readonly priority: number;
  readonly state: JobStateName;
  readonly flags: number;
  readonly t_submit: number;
  /** job name (--job-name, else the command's basename) */
  readonly name: string;
  readonly queue: string | undefined;
  /** -1 until the job has R when only R tells it (--tasks-per-core on -N nodes) */
  readonly ntasks: number;
  readonly ncores: number;
  readonly nnodes: number | undefined;
  /** seconds, 0 = unlimited */
  readonly duration: number;
  /** the jobspec while the job is active (undefined once inactive) */
  readonly jobspec: Readonly<Obj> | undefined;
  /** outstanding dependency descriptions */
  readonly dependencies: readonly string[];
  readonly t_run: number | undefined;
  readonly t_inactive: number | undefined;
  /** the start event was posted */
  readonly started: boolean;
  /** the broker ranks of its resources (an RFC 22 idset), once allocated */
  readonly ranks: string | undefined;
  /** its R (RFC 20) while it is active and allocated */
  readonly R: Readonly<Obj> | undefined;
  /** job-exec holds the job (asked to start it and not yet released): its tasks may still run */
  readonly execActive: boolean;
  /** a fatal exception ended it */
  readonly endedByException: boolean;
  /** once inactive */
  readonly result: JobResultName | undefined;
}

export type LogLevel = 'err' | 'warning' | 'notice' | 'info' | 'debug';

/** What the job manager offers a plugin (given to create()). */
export interface JobtapContext {
  /** the plugin's name as listed */
  readonly name: string;
  /** the instance config (read-only), e.g. [policy] for a limit plugin */
  readonly config: Readonly<Obj>;
  /** log through the job manager, prefixed `jobtap: NAME:` */
  log(level: LogLevel, text: string): void;
  /** a job the manager knows (active or inactive, not purged) */
  job(id: number): JobView | undefined;
  /** the active jobs */
  activeJobs(): Iterable<JobView>;
  /** hold the job in DEPEND on `description` (posts dependency-add); a repeat is ignored */
  dependencyAdd(id: number, description: string): void;
  /** release `description` (posts dependency-remove); the last one lets the job go on */
  dependencyRemove(id: number, description: string): void;
  /** post an event to an active job's eventlog; the job manager's own event names are refused */
  postEvent(id: number, name: string, context?: Obj): void;
  /** raise an exception on an active job (severity 0 ends it) */
  raise(id: number, type: string, severity: number, note: string): void;
  /** ask every pending job's priority again (coalesced to once per turn) */
  reprioritizeAll(): void;
  /** epoch seconds */
  now(): number;
  /**
   * Hold the job's start on a prolog (Flux's flux_jobtap_prolog_start): from
   * job.state.run (the job has its resources), before job-exec is asked.
   * Posts prolog-start {description}; job-exec is asked only once every
   * prolog has finished and the job is still in RUN. Throws in another state.
   */
  prologStart(id: number, description: string): void;
  /** posts prolog-finish {description, status}; it does not raise: a plugin raises for a failed prolog itself */
  prologFinish(id: number, description: string, status: number): void;
  /**
   * Hold the free of the job's resources on an epilog (flux_jobtap_epilog_start):
   * while the job holds them (RUN, e.g. from job.event.finish, or CLEANUP).
   * Posts epilog-start {description}; sched.free (and `free`) waits for epilogFinish.
   */
  epilogStart(id: number, description: string): void;
  /** posts epilog-finish {description, status}; the last one lets the resources go */
  epilogFinish(id: number, description: string, status: number): void;
  /** a broker attribute of rank 0 (e.g. local-uri, broker.uuid) */
  getattr(name: string): string | undefined;
  /** set a pending job's urgency (0-31) as the instance owner: posts `urgency`, then its priority again */
  setUrgency(id: number, urgency: number): void;
  /**
   * From job.state.sched: the job runs on R without asking the scheduler
   * (Flux's alloc-bypass): R is stored, `alloc {bypass: true}` posted, and its
   * `free` does not go to the scheduler either.
   */
  allocBypass(id: number, R: Obj): void;
  /**
   * Serve requests to job-manager.NAME.METHOD (NAME without a leading dot),
   * as Flux's flux_jobtap_service_register(); dropped when the plugin is
   * removed. Only the methods the job manager's protocol names are reached:
   * history.get (.history) and post-event.post (.post-event).
   */
  serve(method: string, fn: JobtapService): void;
}

/** A callback's arguments (topic dependent, see above). */
export type JobtapArgs = Readonly<Obj>;

export type JobtapCallback = (job: JobView, args: JobtapArgs, topic: string) => unknown;

/** who sent a request to a builtin's method */
export interface JobtapCred {
  userid: number;
  /** the instance owner */
  owner: boolean;
}

/** a request handler registered with JobtapContext.serve(): the response, or a thrown FluxError */
export type JobtapService = (payload: Readonly<Obj>, cred: JobtapCred) => Obj;

/** plugin.query and plugin.remove take no job */
export interface JobtapHandlers {
  'plugin.query'?: () => Obj;
  'plugin.remove'?: () => void;
  [topic: string]: JobtapCallback | (() => Obj) | (() => void) | undefined;
}

/** What a plugin file default-exports (or a site's CommonJS file exports). */
export interface JobtapPlugin {
  readonly jobtapPlugin: 1;
  /** defaults to the file's basename (loaded by path) or the folder name */
  readonly name?: string;
  readonly description?: string;
  /** the config keys it reads (`flux jobtap load NAME key=val`, [job-manager] plugins conf); others are refused */
  readonly options?: readonly string[];
  /** throw to refuse a bad config (the load fails with that message) */
  create(ctx: JobtapContext, conf: Readonly<Obj>): JobtapHandlers;
}

export function defineJobtapPlugin(p: Omit<JobtapPlugin, 'jobtapPlugin'>): JobtapPlugin {
  return { jobtapPlugin: 1, ...p };
}

export function isJobtapPlugin(x: unknown): x is JobtapPlugin {
  const p = x as Partial<JobtapPlugin> | null;
  return !!p && typeof p === 'object' && p.jobtapPlugin === 1 && typeof p.create === 'function';
}

/** The urgency-based priority Flux's .priority-default gives: hold 0, expedite max, else the urgency. */
export const PRIORITY_MAX = 4294967295;
export function urgencyPriority(urgency: number): number {
  if (urgency === 0) return 0;
  if (urgency === 31) return PRIORITY_MAX;
  return urgency;
}

/** A config value as a number (conf from the command line arrives as JSON or strings). */
export function confNumber(conf: Readonly<Obj>, key: string, dflt: number, min = -Infinity): number {
  const v = conf[key];
  if (v === undefined) return dflt;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < min) throw new Error(`${key} must be a number${min > -Infinity ? ` >= ${min}` : ''}, got ${JSON.stringify(v)}`);
  return n;
}

/** [job-manager.prolog] / [job-manager.epilog] as the perilog plugin reads them */
export { perilogLogIgnore, perilogSettings, type PerilogKind, type PerilogSettings } from './jobtap/perilog-config';
/** nnodes (when the jobspec has a node level), ncores and ngpus a V1 jobspec asks for */
export { jobSize } from '../../lib/jobspec-size';
