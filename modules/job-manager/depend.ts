/**
 * Job dependencies (RFC 26) as flux-core's dependency-after and begin-time
 * jobtap plugins do them: `after`/`afterstart`, `afterany`, `afterok`,
 * `afternotok`, `afterexcept` on another job of the same user, and
 * `begin-time` (hold until an epoch time). Pure bookkeeping: the job manager is
 * the host that posts dependency-add / dependency-remove and raises the fatal
 * `dependency` exceptions, so this file runs (and is tested) without a broker.
 */
import { einval, longTimeout, parseJobId, type LongTimer } from '../../kernel/api';

type Obj = Record<string, unknown>;

/** The after* dependency kinds (flux-core's after_type). */
export type AfterType = 'start' | 'any' | 'success' | 'failure' | 'except';

/** scheme → kind; `after` is the deprecated alias of `afterstart` */
const AFTER_SCHEMES: Readonly<Record<string, AfterType>> = {
  after: 'start',
  afterstart: 'start',
  afterany: 'any',
  afterok: 'success',
  afternotok: 'failure',
  afterexcept: 'except',
};

/** The description prefix of each kind (dependency-add `description` = `<prefix>=<value>`). */
const DESCRIPTION: Readonly<Record<AfterType, string>> = {
  start: 'after-start',
  any: 'after-finish',
  success: 'after-success',
  failure: 'after-failure',
  except: 'after-except',
};

/** What a dependency needs to know about its target job. */
export interface TargetInfo {
  userid: number;
  /** the target is INACTIVE */
  inactive: boolean;
  /** resources were allocated (the `alloc` event was posted) */
  alloc: boolean;
  /** the `start` event was posted */
  started: boolean;
  /** inactive with result COMPLETED (status 0, no fatal exception) */
  completed: boolean;
  /** a fatal exception moved it to CLEANUP (its end event is `exception`) */
  endedByException: boolean;
}

/** One validated dependency of a new job. */
export type Plan =
  | { kind: 'after'; type: AfterType; scheme: string; value: string; target: number; description: string }
  | { kind: 'begin-time'; at: number; description: string };

/** What the tracker asks of the job manager. */
export interface DependHost {
  /** look a job up (undefined: unknown or purged) */
  lookup(id: number): TargetInfo | undefined;
  /** post `dependency-add {description}` (a repeated description is ignored) */
  add(job: number, description: string): void;
  /** post `dependency-remove {description}`; the last one lets the job go on */
  remove(job: number, description: string): void;
  /** raise a fatal exception type=dependency with this note */
  raise(job: number, note: string): void;
}

interface Waiter {
  job: number;
  type: AfterType;
  description: string;
}

/** Whether an after* dependency of this kind is satisfied by an INACTIVE target. */
export function satisfiedByInactive(type: AfterType, t: TargetInfo): boolean {
  if (type === 'any') return true;
  if (!t.alloc) return false;
  switch (type) {
    case 'start':
      return t.started;
    case 'success':
      return t.completed;
    case 'failure':
      return !t.completed;
    case 'except':
      return !t.completed && t.endedByException;
  }
}

/** The submission error for an after* dependency whose target is already inactive and does not satisfy it. */
export function inactiveRejection(type: AfterType, value: string, t: TargetInfo): string {
  if (!t.alloc || (type === 'start' && !t.started)) return `dependency: after: ${value} never started`;
  if (type === 'success') return `dependency: afterok: job ${value} failed or was canceled`;
  if (type === 'failure') return `dependency: afternotok: job ${value} succeeded`;
  return `dependency: afterexcept: job ${value}: no exception`;
}

/** The exception note on a dependent job when its target went inactive without satisfying it. */
export function unsatisfiedNote(description: string, t: TargetInfo): string {
  return `dependency ${description} ${t.alloc ? 'can never be satisfied' : 'job never started'}`;
}

/** `begin-time=%.3f` as flux-core's begin-time plugin writes it. */
export function beginTimeDescription(at: number): string {
  return `begin-time=${at.toFixed(3)}`;
}

/**
 * Validate a job's `attributes.system.dependencies` (RFC 26) and return what to
 * register. Throws EINVAL with flux-core's one-line reason; nothing is changed.
 */
export function planDependencies(deps: unknown, userid: number, lookup: DependHost['lookup']): Plan[] {
  if (deps === undefined) return [];
  if (!Array.isArray(deps)) throw einval('attributes.system.dependencies must be an array');
  return deps.map((d: unknown) => planOne(d, userid, lookup));
}

function planOne(d: unknown, userid: number, lookup: DependHost['lookup']): Plan {
  if (typeof d !== 'object' || d === null || Array.isArray(d)) throw einval('dependency must be an object');
  const o = d as Obj;
  const scheme = o['scheme'];
  const value = o['value'];
  if (typeof scheme !== 'string') throw einval('dependency: missing scheme');
  if (typeof value !== 'string') throw einval(`dependency: ${scheme}: missing value`);
  if (scheme === 'begin-time') {
    const at = /^\s*[0-9.eE+-]+$/.test(value) ? Number(value) : NaN;
    if (!Number.isFinite(at) || at < 0) throw einval(`Invalid begin-time=${value}`);
    return { kind: 'begin-time', at, description: beginTimeDescription(at) };
  }
  const type = AFTER_SCHEMES[scheme];
  if (type === undefined) throw einval(`dependency scheme "${scheme}" not supported`);
  let target: number;
  try {
    target = Number(parseJobId(value));
  } catch {
    throw einval(`dependency: ${scheme}: "${value}" is not a valid jobid`);
  }
  const t = lookup(target);
  if (!t) throw einval(`dependency: ${scheme}: id ${value}: job not found`);
  if (t.userid !== userid) throw einval(`${scheme}: Permission denied for job ${value}`);
  if (t.inactive && !satisfiedByInactive(type, t)) throw einval(inactiveRejection(type, value, t));
  return { kind: 'after', type, scheme, value, target, description: `${DESCRIPTION[type]}=${value}` };
}

/**
 * The dependencies still waiting on other jobs or on a time. The job manager
 * calls register() for a new job, and started() / inactive() as other jobs
 * move; forget() when a dependent job leaves DEPEND some other way (canceled).
 */
export class DependencyTracker {
  /** target id → dependents waiting on it */
  private readonly waiting = new Map<number, Waiter[]>();
  /** dependent id → targets it waits on, and its begin-time timers */
  private readonly refs = new Map<number, { targets: Set<number>; timers: LongTimer[] }>();

  constructor(
    private readonly host: DependHost,
    private readonly nowSec: () => number = () => Date.now() / 1000,
  ) {}

  /** Post every dependency-add, satisfy what already is, and wait for the rest. */
  register(job: number, plans: readonly Plan[]): void {
    for (const p of plans) this.host.add(job, p.description);
    for (const p of plans) {
      if (p.kind === 'begin-time') {
        const ms = (p.at - this.nowSec()) * 1000;
        if (ms <= 0) {
          this.host.remove(job, p.description);
          continue;
        }
        // a long timer: a begin-time weeks away is beyond one setTimeout
        const timer = longTimeout(() => {
          const r = this.refs.get(job);
          if (r) r.timers = r.timers.filter((x) => x !== timer);
          this.host.remove(job, p.description);
        }, ms);
        this.ref(job).timers.push(timer);
        continue;
      }
      const t = this.host.lookup(p.target);
      if (!t || t.inactive || (p.type === 'start' && t.started)) {
        // planDependencies() rejected the unsatisfiable inactive cases
        this.host.remove(job, p.description);
        continue;
      }
      const list = this.waiting.get(p.target) ?? [];
      list.push({ job, type: p.type, description: p.description });
      this.waiting.set(p.target, list);
      this.ref(job).targets.add(p.target);
    }
  }

  /** A job posted `start`: release the afterstart dependencies on it. */
  started(target: number): void {
    this.release(target, (w) => w.type === 'start');
  }

  /** A job became INACTIVE: release what it satisfies, raise on the rest, drop its own waits. */
  inactive(target: number, t: TargetInfo): void {
    this.forget(target);
    const list = this.waiting.get(target);
    if (!list) return;
    this.waiting.delete(target);
    const raise: Waiter[] = [];
    for (const w of list) {
      this.unref(w.job, target);
      if (satisfiedByInactive(w.type, t)) this.host.remove(w.job, w.description);
      else raise.push(w);
    }
    for (const w of raise) this.host.raise(w.job, unsatisfiedNote(w.description, t));
  }

  /** A dependent job left DEPEND without its dependencies (e.g. canceled): stop waiting for it. */
  forget(job: number): void {
    const r = this.refs.get(job);
    if (!r) return;
    this.refs.delete(job);
    for (const timer of r.timers) timer.clear();
    for (const target of r.targets) {
      const list = this.waiting.get(target)?.filter((w) => w.job !== job);
      if (list && list.length > 0) this.waiting.set(target, list);
      else this.waiting.delete(target);
    }
  }

  /** Cancel all timers (module unload). */
  shutdown(): void {
    for (const job of [...this.refs.keys()]) this.forget(job);
    this.waiting.clear();
  }

  /** How many dependents wait on other jobs or times (for tests and stats). */
  get size(): number {
    let n = 0;
    for (const l of this.waiting.values()) n += l.length;
    for (const r of this.refs.values()) n += r.timers.length;
    return n;
  }

  private release(target: number, match: (w: Waiter) => boolean): void {
    const list = this.waiting.get(target);
    if (!list) return;
    const done = list.filter(match);
    if (done.length === 0) return;
    const rest = list.filter((w) => !match(w));
    if (rest.length > 0) this.waiting.set(target, rest);
    else this.waiting.delete(target);
    for (const w of done) {
      this.unref(w.job, target);
      this.host.remove(w.job, w.description);
    }
  }

  private ref(job: number): { targets: Set<number>; timers: LongTimer[] } {
    let r = this.refs.get(job);
    if (!r) {
      r = { targets: new Set(), timers: [] };
      this.refs.set(job, r);
    }
    return r;
  }

  private unref(job: number, target: number): void {
    const r = this.refs.get(job);
    if (!r) return;
    // N.B. a job may wait on the same target twice (afterok and afterstart)
    if (!(this.waiting.get(target) ?? []).some((w) => w.job === job)) r.targets.delete(target);
    if (r.targets.size === 0 && r.timers.length === 0) this.refs.delete(job);
  }
}
