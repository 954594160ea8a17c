/**
 * The jobtap plugin host: loads, lists and removes job-manager plugins and
 * calls their callbacks (plugin-api.ts). The job manager calls the host at
 * the points of a job's life; the host finds the callbacks for a topic (an
 * index rebuilt on load/remove, so a topic nobody handles costs a map lookup),
 * catches what they throw, and turns what they ask into job-manager actions
 * through the JobtapBackend.
 *
 * A new job is admitted before it is stored: job.validate and
 * job.dependency.* run then, and what plugins do to that job meanwhile
 * (dependency-add/remove, events) is held until the job exists (commit) or
 * dropped with job.destroy when the submission fails (abandon).
 */
import { Errno, FluxError, einval, type Handle } from '../../../kernel/api';
import { State, type Job, type StateBit } from '../job';
import {
  PRIORITY_MAX,
  urgencyPriority,
  type JobtapArgs,
  type JobtapCallback,
  type JobtapContext,
  type JobtapHandlers,
  type JobtapPlugin,
  type JobtapService,
  type JobView,
  type LogLevel,
} from '../plugin-api';
import { resolvePlugin } from './resolve';
import { stateName, viewOf } from './view';

type Obj = Record<string, unknown>;

/** What the host asks of the job manager. */
export interface JobtapBackend {
  readonly log: Handle['log'];
  readonly config: Readonly<Obj>;
  job(id: number): Job | undefined;
  activeJobs(): Iterable<Job>;
  dependencyAdd(job: Job, description: string): void;
  dependencyRemove(job: Job, description: string): void;
  postEvent(job: Job, name: string, context?: Obj): void;
  raise(job: Job, type: string, severity: number, note: string): void;
  /** priorities again for these jobs (pending ones; one message to the scheduler) */
  reprioritize(jobs: Iterable<Job>): void;
  /** a prolog or epilog holds the job's start or free (manager.perilogStart/Finish) */
  perilogStart(job: Job, kind: 'prolog' | 'epilog', description: string): void;
  perilogFinish(job: Job, kind: 'prolog' | 'epilog', description: string, status: number): void;
  getattr(name: string): string | undefined;
  /** set a pending job's urgency as the instance owner (posts `urgency`, priorities again) */
  setUrgency(job: Job, urgency: number): void;
  /** the job (in SCHED) runs on R without the scheduler (alloc-bypass.so) */
  allocBypass(job: Job, R: Obj): void;
}

interface Loaded {
  name: string;
  /** the file, or "builtin" */
  path: string;
  builtin: boolean;
  plugin: JobtapPlugin;
  handlers: JobtapHandlers;
  /** compiled topic patterns of its callbacks */
  topics: Array<{ re: RegExp; cb: JobtapCallback }>;
}

type Op = { kind: 'add' | 'remove'; description: string } | { kind: 'event'; name: string; context?: Obj };

/** The job manager's own events: a plugin may not post them. */
const RESERVED_EVENTS = new Set([
  'submit', 'validate', 'invalidate', 'depend', 'priority', 'flux-restart', 'urgency', 'alloc', 'free', 'start',
  'release', 'finish', 'clean', 'exception', 'dependency-add', 'dependency-remove', 'set-flags', 'jobspec-update',
  'resource-update', 'memo', 'prolog-start', 'prolog-finish', 'epilog-start', 'epilog-finish',
]);

const EVENT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/** fnmatch-style topic glob (`*`, `?`) as a regex */
function globRe(pattern: string): RegExp {
  const src = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${src}$`);
}

const isGlob = (s: string) => /[*?[]/.test(s);

/** a plugin listed as `perilog.so` (Flux's name) answers to `perilog` too, and the other way round */
const sameName = (a: string, b: string) => a === b || `${a}.so` === b || a === `${b}.so`;

/** Job id from its kvs directory (`job.0000.0004.b200.0000`). */
function idOfKvsdir(kvsdir: string): number {
  return Number.parseInt(kvsdir.slice(4).replace(/\./g, ''), 16);
}

function checkDescription(d: unknown): string {
  if (typeof d !== 'string' || d.length === 0 || d.length > 256) throw einval('prolog/epilog description must be a string of 1-256 characters');
  return d;
}

function checkStatus(st: unknown): number {
  if (typeof st !== 'number' || !Number.isInteger(st)) throw einval('prolog/epilog status must be an integer');
  return st;
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const isThenable = (x: unknown): x is PromiseLike<unknown> => typeof (x as { then?: unknown } | null)?.then === 'function';

export class JobtapHost {
  private readonly plugins: Loaded[] = [];
  /** topic -> its callbacks in load order (cleared on load/remove) */
  private readonly index = new Map<string, Array<{ p: Loaded; cb: JobtapCallback }>>();
  /** jobs being admitted: what plugins did to them, replayed at commit */
  private readonly held = new Map<number, Op[]>();
  private reprioScheduled = false;
  /** nesting of event callbacks (a plugin that posts from job.event.* must not loop forever) */
  private eventDepth = 0;
  /** builtins removed by name may be loaded again by name */
  private readonly builtins = new Map<string, JobtapPlugin>();
  /** NAME.METHOD -> what a plugin serves (JobtapContext.serve) */
  private readonly services = new Map<string, JobtapService>();

  constructor(private readonly be: JobtapBackend) {}

  // ------------------------------------------------------------ load, remove, list

  /** Load a builtin (a leading `.` in its name; hidden from `flux jobtap list` without -a). */
  loadBuiltin(plugin: JobtapPlugin): void {
    const name = plugin.name ?? '';
    this.builtins.set(name, plugin);
    this.add(plugin, name, 'builtin', true, {});
  }

  /**
   * Load by name (plugins/jobtap/NAME, or a removed builtin `.NAME`) or path,
   * with its config. Returns the name it is listed under.
   */
  async load(spec: string, conf: Readonly<Obj> = {}): Promise<string> {
    if (typeof conf !== 'object' || conf === null || Array.isArray(conf)) throw einval(`${spec}: config must be a table`);
    const builtin = this.builtins.get(spec);
    if (builtin) {
      if (this.find(spec)) throw new FluxError(Errno.EEXIST, `${spec} already loaded`);
      this.add(builtin, spec, 'builtin', true, conf);
      return spec;
    }
    const r = await resolvePlugin(spec);
    const name = r.plugin.name ?? r.defaultName;
    if (this.find(name)) throw new FluxError(Errno.EEXIST, `${name} already loaded`);
    this.add(r.plugin, name, r.path, false, conf);
    this.be.log('debug', `jobtap: loaded ${name} from ${r.path}`);
    return name;
  }

  /** Load a plugin object already in memory (tests, embedders); listed as not builtin. */
  loadObject(plugin: JobtapPlugin, conf: Readonly<Obj> = {}, file = 'inline'): string {
    const name = plugin.name ?? file;
    if (this.find(name)) throw new FluxError(Errno.EEXIST, `${name} already loaded`);
    this.add(plugin, name, file, false, conf);
    return name;
  }

  private add(plugin: JobtapPlugin, name: string, file: string, builtin: boolean, conf: Readonly<Obj>): void {
    const known = plugin.options ?? [];
    for (const k of Object.keys(conf)) {
      if (!known.includes(k)) {
        throw einval(`${name}: unknown config key '${k}' (${known.length > 0 ? `it takes: ${known.join(', ')}` : 'it takes none'})`);
      }
    }
    let handlers: JobtapHandlers;
    try {
      handlers = plugin.create(this.context(name), conf);
    } catch (e) {
      throw einval(`${name}: ${errText(e)}`);
    }
    if (typeof handlers !== 'object' || handlers === null || isThenable(handlers)) throw einval(`${name}: create() must return a table of callbacks (not a promise)`);
    const topics: Loaded['topics'] = [];
    for (const [topic, cb] of Object.entries(handlers)) {
      if (typeof cb !== 'function') throw einval(`${name}: callback for ${topic} is not a function`);
      if (topic.startsWith('plugin.')) continue;
      topics.push({ re: globRe(topic), cb: cb as JobtapCallback });
    }
    this.plugins.push({ name, path: file, builtin, plugin, handlers, topics });
    this.index.clear();
    if (topics.some((t) => t.re.test('job.priority.get'))) this.reprioritizeAll();
  }

  private find(name: string): Loaded | undefined {
    return this.plugins.find((p) => sameName(p.name, name));
  }

  /**
   * Remove plugins: `all` (every one not builtin), a glob (the matching ones
   * not builtin, unless the glob starts with `.`), or a name. Throws ENOENT
   * when nothing matches (but `all` with nothing loaded is fine).
   */
  remove(pattern: string): number {
    let sel: Loaded[];
    if (pattern === 'all') sel = this.plugins.filter((p) => !p.builtin);
    else if (isGlob(pattern)) {
      const re = globRe(pattern);
      sel = this.plugins.filter((p) => re.test(p.name) && (!p.builtin || pattern.startsWith('.')));
    } else sel = this.plugins.filter((p) => sameName(p.name, pattern));
    if (sel.length === 0 && pattern !== 'all') throw new FluxError(Errno.ENOENT, `${pattern} not found`);
    for (const p of sel) {
      this.plugins.splice(this.plugins.indexOf(p), 1);
      this.dropServices(p.name);
      try {
        this.settle(p, 'plugin.remove', p.handlers['plugin.remove']?.());
      } catch (e) {
        this.be.log('err', `jobtap: ${p.name}: plugin.remove: ${errText(e)}`);
      }
    }
    this.index.clear();
    if (sel.some((p) => p.topics.some((t) => t.re.test('job.priority.get')))) this.reprioritizeAll();
    return sel.length;
  }

  /**
   * A builtin's method (`service.METHOD` in its table), as the job manager
   * serves it under `job-manager.NAME.METHOD` (NAME without the leading dot);
   * ENOSYS while the plugin is not loaded, as for a method nobody serves.
   */
  service(name: string, method: string): JobtapService {
    const fn = this.services.get(`${name}.${method}`);
    if (!fn || !this.plugins.some((p) => p.name.replace(/^\./, '') === name)) throw new FluxError(Errno.ENOSYS, 'Function not implemented');
    return fn;
  }

  private dropServices(name: string): void {
    const prefix = `${name.replace(/^\./, '')}.`;
    for (const k of [...this.services.keys()]) if (k.startsWith(prefix)) this.services.delete(k);
  }

  /** Names in load order (builtins too). */
  list(): string[] {
    return this.plugins.map((p) => p.name);
  }

  /** `flux jobtap query NAME`: name, path and what its plugin.query adds. */
  query(name: string): Obj {
    const p = this.find(name);
    if (!p) throw new FluxError(Errno.ENOENT, `${name}: plugin not found`);
    let extra: Obj = {};
    try {
      const q = p.handlers['plugin.query']?.();
      if (isThenable(q)) {
        this.settle(p, 'plugin.query', q);
        extra = { error: 'plugin.query answered asynchronously' };
      } else if (q && typeof q === 'object') extra = q;
    } catch (e) {
      extra = { error: errText(e) };
    }
    return { ...extra, name: p.name, path: p.path };
  }

  /** Remove everything (module unload), so plugins clear their timers. */
  shutdown(): void {
    for (const p of [...this.plugins].reverse()) {
      try {
        this.settle(p, 'plugin.remove', p.handlers['plugin.remove']?.());
      } catch {
        /* unloading anyway */
      }
    }
    this.plugins.length = 0;
    this.index.clear();
  }

  // ------------------------------------------------------------ calling

  private callbacks(topic: string): Array<{ p: Loaded; cb: JobtapCallback }> {
    let list = this.index.get(topic);
    if (!list) {
      list = [];
      for (const p of this.plugins) for (const t of p.topics) if (t.re.test(topic)) list.push({ p, cb: t.cb });
      this.index.set(topic, list);
    }
    return list;
  }

  /** Call every callback for topic; what they throw is logged. */
  private notify(topic: string, job: Job, args: JobtapArgs = {}): void {
    const list = this.callbacks(topic);
    if (list.length === 0) return;
    const v = viewOf(job);
    for (const { p, cb } of list) {
      try {
        this.settle(p, topic, cb(v, args, topic));
      } catch (e) {
        this.be.log('err', `jobtap: ${p.name}: ${topic}: ${errText(e)}`);
      }
    }
  }

  /** An async callback: its failure is logged (never an unhandled rejection); its answer is not waited for. */
  private settle(p: Loaded, topic: string, r: unknown): void {
    if (!isThenable(r)) return;
    Promise.resolve(r).catch((e: unknown) => this.be.log('err', `jobtap: ${p.name}: ${topic}: ${errText(e)}`));
  }

  /** Any plugin listening on topic? (so callers skip building arguments) */
  listens(topic: string): boolean {
    return this.callbacks(topic).length > 0;
  }

  // ------------------------------------------------------------ a new job

  /**
   * job.validate then job.dependency.* for each job of a submission; a
   * rejection throws EINVAL with the plugin's message and abandons them all.
   * Returns the ids that plugins acted on (held: they enter DEPEND).
   */
  admit(jobs: readonly Job[]): Set<number> {
    for (const job of jobs) this.held.set(job.id, []);
    try {
      for (const job of jobs) {
        this.validate(job);
        this.dependencies(job);
      }
    } catch (e) {
      this.abandon(jobs);
      throw e;
    }
    const acted = new Set<number>();
    for (const job of jobs) if ((this.held.get(job.id) ?? []).length > 0) acted.add(job.id);
    return acted;
  }

  private validate(job: Job): void {
    const v = viewOf(job);
    for (const { p, cb } of this.callbacks('job.validate')) {
      let r: unknown;
      try {
        r = cb(v, { jobspec: job.jobspec, userid: job.userid, urgency: job.urgency, flags: job.flags }, 'job.validate');
      } catch (e) {
        throw einval(errText(e));
      }
      if (typeof r === 'string' && r.length > 0) throw einval(r);
      if (isThenable(r)) {
        // a validator must answer at once: an async one would let every job through
        this.settle(p, 'job.validate', r);
        throw einval(`job.validate of plugin ${p.name} answered asynchronously: refused (a validator must return at once)`);
      }
      if (r !== undefined && typeof r !== 'string') this.be.log('warning', `jobtap: ${p.name}: job.validate returned ${typeof r}, not a message: ignored`);
    }
  }

  /**
   * Each RFC 26 dependency of the job goes to job.dependency.SCHEME. A scheme
   * no plugin takes, or a malformed entry, rejects the job.
   */
  private dependencies(job: Job): void {
    const sys = (((job.jobspec?.['attributes'] ?? {}) as Obj)['system'] ?? {}) as Obj;
    const deps = sys['dependencies'];
    if (deps === undefined) return;
    if (!Array.isArray(deps)) throw einval('attributes.system.dependencies must be an array');
    const v = viewOf(job);
    for (const d of deps as unknown[]) {
      if (typeof d !== 'object' || d === null || Array.isArray(d)) throw einval('dependency must be an object');
      const o = d as Obj;
      const scheme = o['scheme'];
      if (typeof scheme !== 'string') throw einval('dependency: missing scheme');
      if (typeof o['value'] !== 'string') throw einval(`dependency: ${scheme}: missing value`);
      const topic = `job.dependency.${scheme}`;
      const list = this.callbacks(topic);
      if (list.length === 0) throw einval(`dependency scheme "${scheme}" not supported`);
      for (const { p, cb } of list) {
        try {
          this.settle(p, topic, cb(v, o, topic));
        } catch (e) {
          throw e instanceof FluxError ? e : einval(errText(e));
        }
      }
    }
  }

  /** The job is stored and in the job list: apply what plugins did while it was admitted. */
  commit(job: Job): void {
    const ops = this.held.get(job.id);
    this.held.delete(job.id);
    for (const op of ops ?? []) this.apply(job, op);
  }

  /** The submission failed: plugins forget the jobs (job.destroy). */
  abandon(jobs: readonly Job[]): void {
    for (const job of jobs) {
      this.held.delete(job.id);
      this.notify('job.destroy', job);
    }
  }

  /** Dependencies of a pending job of an earlier run (restart): as at submit, applied at once; throws on a bad one. */
  redoDependencies(job: Job): void {
    this.held.set(job.id, []);
    try {
      this.dependencies(job);
    } catch (e) {
      this.held.delete(job.id);
      this.notify('job.destroy', job);
      throw e;
    }
    this.commit(job);
  }

  // ------------------------------------------------------------ job life

  newJob(job: Job): void {
    this.notify('job.new', job);
  }

  /** The job is inactive, or an inactive job of an earlier run was read back (restart). */
  inactiveAdd(job: Job): void {
    this.notify('job.inactive-add', job);
  }

  /** An inactive job is purged. */
  inactiveRemove(job: Job): void {
    this.notify('job.inactive-remove', job);
  }

  state(job: Job, prev: StateBit): void {
    this.notify(`job.state.${stateName(job.state).toLowerCase()}`, job, { prev_state: stateName(prev) });
  }

  /** The job went through these states in one step (no dependency: DEPEND, PRIORITY, SCHED): each one's callbacks in turn. */
  passed(job: Job, from: StateBit, states: readonly StateBit[]): void {
    let prev = from;
    for (const s of states) {
      this.notify(`job.state.${stateName(s).toLowerCase()}`, job, { prev_state: stateName(prev) });
      prev = s;
    }
  }

  /** EventPoster's observer: job.event.NAME */
  event(kvsdir: string, name: string, context?: Obj): void {
    const topic = `job.event.${name}`;
    if (!this.listens(topic) || this.eventDepth > 8) return;
    const job = this.be.job(idOfKvsdir(kvsdir));
    if (!job) return;
    this.eventDepth++;
    try {
      this.notify(topic, job, context ?? {});
    } finally {
      this.eventDepth--;
    }
  }

  /** The job's priority: the last plugin that answers job.priority.get, else urgency-based. */
  priority(job: Job): number {
    let prio: number | undefined;
    const v = viewOf(job);
    for (const { p, cb } of this.callbacks('job.priority.get')) {
      try {
        const r = cb(v, {}, 'job.priority.get');
        if (r === undefined) continue;
        this.settle(p, 'job.priority.get', r);
        if (typeof r === 'number' && Number.isInteger(r) && r >= 0 && r <= PRIORITY_MAX) prio = r;
        else this.be.log('err', `jobtap: ${p.name}: job.priority.get returned ${JSON.stringify(r)}: not a priority (0-${PRIORITY_MAX})`);
      } catch (e) {
        this.be.log('err', `jobtap: ${p.name}: job.priority.get: ${errText(e)}`);
      }
    }
    return prio ?? urgencyPriority(job.urgency);
  }

  /** Ask every pending job's priority again, once this turn. */
  reprioritizeAll(): void {
    if (this.reprioScheduled) return;
    this.reprioScheduled = true;
    setImmediate(() => {
      this.reprioScheduled = false;
      this.be.reprioritize(this.be.activeJobs());
    });
  }

  // ------------------------------------------------------------ the context

  private apply(job: Job, op: Op): void {
    if (op.kind === 'event') this.be.postEvent(job, op.name, op.context);
    else if (op.kind === 'add') this.be.dependencyAdd(job, op.description);
    else this.be.dependencyRemove(job, op.description);
  }

  /** an op on job id: held while it is admitted, else applied (unknown ids are ignored) */
  private op(id: number, op: Op): void {
    const held = this.held.get(id);
    if (held) {
      held.push(op);
      return;
    }
    const job = this.be.job(id);
    if (job) this.apply(job, op);
  }

  private context(name: string): JobtapContext {
    const be = this.be;
    const active = (id: number, what: string): Job => {
      const job = be.job(id);
      if (!job || job.state === State.INACTIVE) throw einval(`${what}: job ${id} is not active`);
      return job;
    };
    return {
      name,
      config: be.config,
      log: (level: LogLevel, text: string) => be.log(level, `jobtap: ${name}: ${text}`),
      job: (id: number): JobView | undefined => {
        const j = be.job(id);
        return j ? viewOf(j) : undefined;
      },
      activeJobs: function* () {
        for (const j of be.activeJobs()) yield viewOf(j);
      },
      dependencyAdd: (id: number, description: string) => {
        if (typeof description !== 'string' || description.length === 0 || description.length > 256) throw einval('dependency description must be a string of 1-256 characters');
        this.op(id, { kind: 'add', description });
      },
      dependencyRemove: (id: number, description: string) => this.op(id, { kind: 'remove', description }),
      postEvent: (id: number, evname: string, context?: Obj) => {
        if (typeof evname !== 'string' || !EVENT_NAME.test(evname)) throw einval(`invalid event name '${String(evname)}'`);
        if (RESERVED_EVENTS.has(evname) || evname.startsWith('debug.')) throw einval(`event '${evname}' is the job manager's own`);
        if (context !== undefined && (typeof context !== 'object' || context === null || JSON.stringify(context).length > 4096)) {
          throw einval('event context must be an object of at most 4 KiB');
        }
        if (!this.held.has(id)) active(id, 'postEvent');
        this.op(id, { kind: 'event', name: evname, ...(context !== undefined ? { context } : {}) });
      },
      raise: (id: number, type: string, severity: number, note: string) => {
        if (typeof type !== 'string' || !/^[^\s=]+$/.test(type)) throw einval('invalid exception type');
        if (!Number.isInteger(severity) || severity < 0 || severity > 7) throw einval('invalid exception severity');
        be.raise(active(id, 'raise'), type, severity, String(note ?? ''));
      },
      reprioritizeAll: () => this.reprioritizeAll(),
      prologStart: (id, description) => be.perilogStart(active(id, 'prologStart'), 'prolog', checkDescription(description)),
      prologFinish: (id, description, status) => be.perilogFinish(active(id, 'prologFinish'), 'prolog', String(description), checkStatus(status)),
      epilogStart: (id, description) => be.perilogStart(active(id, 'epilogStart'), 'epilog', checkDescription(description)),
      epilogFinish: (id, description, status) => be.perilogFinish(active(id, 'epilogFinish'), 'epilog', String(description), checkStatus(status)),
      getattr: (attr: string) => be.getattr(attr),
      setUrgency: (id: number, urgency: number) => be.setUrgency(active(id, 'setUrgency'), urgency),
      allocBypass: (id: number, R: Obj) => {
        if (typeof R !== 'object' || R === null || Array.isArray(R)) throw einval('allocBypass: R must be an object');
        be.allocBypass(active(id, 'allocBypass'), R);
      },
      serve: (method: string, fn: JobtapService) => {
        if (typeof method !== 'string' || !/^[a-z][a-z0-9-]*$/.test(method) || typeof fn !== 'function') throw einval('serve: a method name and a function');
        const key = `${name.replace(/^\./, '')}.${method}`;
        if (this.services.has(key)) throw new FluxError(Errno.EEXIST, `job-manager.${key} is already served`);
        this.services.set(key, fn);
        this.be.log('debug', `jobtap plugin ${name} registered method job-manager.${key}`);
      },
      now: () => Date.now() / 1000,
    };
  }
}
