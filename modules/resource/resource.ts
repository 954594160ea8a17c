/**
 * The resource module. Every rank discovers its own resources; followers push
 * their report to rank 0, which builds R (RFC 20 v1), tracks drain and
 * online/offline and torpid state, serves the status/drain RPCs of `flux
 * resource`, and publishes `resource.update {R, down}` whenever the schedulable
 * set changes. A torpid rank (the overlay's `broker.torpid` group) is down for
 * the scheduler while it stays silent; it is not drained, and jobs already
 * running there keep running.
 */
import {
  Errno,
  FluxError,
  MsgFlag,
  NO_RESPONSE,
  einval,
  hostlist,
  idset,
  methods,
  rlistSummary,
  rv1Build,
  rv1Expand,
  type BrokerModule,
  type ConnectInstance,
  type ConfigApply,
  type Handle,
  type HandlerTable,
  type Message,
  type RankResources,
  type Rv1,
} from '../../kernel/api';
import * as fs from 'node:fs';
import { discover, type LocalReport } from '../../lib/resource/discover';
import { parseReserve, reserveUnknownRanks, withoutReserved, type ReserveWord } from '../../lib/resource/reserve';
import { readScheduling, type ResourceConfig } from './config';
import { excludedRanks, fromConfigEntries, fromR } from './configured';
import { DrainSet, plural, type DrainMode } from './drain';
import { parseTargets } from './targets';
import { excludeChange } from './reconfig';
import { Journal } from './journal';
import { KvsRecord } from './kvs-record';
import { enclosingJobResources } from './enclosing-job';
import { misfit, verifyPolicy } from './verify';
import { DrainWriter, loadDrains } from './drain-store';
import type {
  Empty,
  ResourceDrainRequest,
  ResourceProtocol,
  ResourceRegisterRequest,
  ResourceReloadRequest,
  ResourceSchedStatusResponse,
  ResourceStatusResponse,
  ResourceUndrainRequest,
} from '../../lib/protocol/resource';
import type { OverlayOnlineEvent, OverlayTorpidEvent } from '../../lib/protocol/overlay';
import { ownerEvent } from '../../lib/owner-event';

/** handler entries checked against modules/resource/protocol.avsc */
const method = methods<ResourceProtocol>();

/** a drain request's mode, EINVAL naming it when it is none of them */
function drainMode(mode: string | null | undefined): DrainMode {
  if (mode === undefined || mode === null) return undefined;
  if (mode === 'overwrite' || mode === 'force-overwrite' || mode === 'update') return mode;
  throw einval(`invalid drain mode ${mode}`);
}

const POLL_MS = 1000;
const POLL_FAST_MS = 100;

/** Why a broker's discovered resources do not fit what the config describes for its rank (undefined: they do). */
function toRank(r: LocalReport): RankResources {
  return {
    rank: r.rank,
    hostname: r.hostname,
    cores: [...Array(r.ncores).keys()],
    gpus: [...Array(r.gpus).keys()],
  };
}

export class ResourceModule implements BrokerModule {
  readonly handlers: HandlerTable;
  private readonly local: LocalReport;
  private readonly reports = new Map<number, LocalReport>();
  private readonly drains = new DrainSet();
  /** rank 0 keeps the drain set in the kvs (drain-store.ts) */
  private readonly drainWriter: DrainWriter;
  private online: number[] = [];
  private torpid: number[] = [];
  private readonly starttime = Date.now() / 1000;
  private timer: NodeJS.Timeout | undefined;
  private lastPublished = '';
  private stopped = false;
  private unsubscribe: (() => void) | undefined;
  /** resources the site described ([resource] config or path, or flux resource reload); undefined: discovered */
  private described: RankResources[] | undefined;
  /** the described resources are the enclosing job's R (resource-define method="job-info") */
  private fromJob = false;
  private excluded: number[] = [];
  /** [resource] reserve: cores the scheduler is not given */
  private readonly reserve: ReserveWord[];
  /** monitor-force-up: ranks that have had a broker online (only those can be offline) */
  private readonly seen = new Set<number>();
  /** the resource journal (rank 0): flux resource eventlog */
  private readonly journal: Journal;
  /** rank 0's resource.R and resource.eventlog in the kvs */
  private readonly record: KvsRecord | undefined;
  /** R's expiration: the enclosing job's, when this instance is one (set-expiration), else 0 */
  private expiration = 0;
  /** the online and torpid sets the journal last reported */
  private journaled = { online: new Set<number>(), torpid: new Set<number>() };

  constructor(
    private readonly h: Handle,
    private readonly cfg: ResourceConfig = { noverify: false, norestrict: false },
    /** the enclosing instance, for a nested instance's R (enclosing-job.ts) */
    private readonly connect?: ConnectInstance,
  ) {
    this.drainWriter = new DrainWriter(h);
    this.record = h.rank === 0 ? new KvsRecord(h) : undefined;
    this.journal = new Journal(h, (e) => this.record?.log(e), cfg.journalMax);
    this.local = discover(h.rank, process.env, cfg.norestrict);
    if (cfg.config !== undefined || cfg.path !== undefined) {
      // a described host is checked by the broker's own name (flux start --test-hosts gives each its own)
      this.local.hostname = h.getattr('hostname') ?? this.local.hostname;
    }
    if (cfg.config !== undefined) this.described = fromConfigEntries(cfg.config);
    this.reserve = cfg.reserve === undefined ? [] : parseReserve(cfg.reserve);
    const leaderOnly = { ownerOnly: false };
    this.handlers = [
      method('discover', () => this.local, { ownerOnly: false }),
      method('register', (req) => this.register(req)),
      // {down: true}: the ranks the scheduler may not use too (the scheduler at its start)
      method('set-expiration', (req) => this.leader(() => this.setExpiration(req.expiration)), leaderOnly),
      method('get', (req) => this.leader(() => (req.down === true ? { R: this.schedR(), down: idset.encode(this.down()), drained: idset.encode(this.drainedOnly()) } : this.schedR())), leaderOnly),
      method('status', () => this.leader(async () => (await this.refreshOnline(), this.status())), leaderOnly),
      method('sched-status', () => this.leader(async () => (await this.refreshOnline(), this.schedStatus())), leaderOnly),
      method('acquire-mute', () => this.leader(() => this.mute())),
      method('drain', (req) => this.leader(() => this.drain(req))),
      method('undrain', (req) => this.leader(() => this.undrain(req))),
      method('reload', (req) => this.leader(() => this.reload(req))),
      method('journal', (_req, m) => this.leader(() => this.watchJournal(m)), leaderOnly),
      method(
        'disconnect',
        (_req, m) => {
          this.journal.disconnect(m.route[0] ?? '');
          return NO_RESPONSE;
        },
        { ownerOnly: false },
      ),
    ];
  }

  async start(): Promise<void> {
    if (this.h.rank === 0) {
      if (this.cfg.path !== undefined) await this.readPath(this.cfg.path);
      if (this.cfg.scheduling !== undefined) this.scheduling = await readScheduling(this.cfg.scheduling);
      await this.fromEnclosingJob();
      if (this.cfg.forceUp && !this.described && this.h.size === 1) {
        throw einval('resource: monitor-force-up: every rank already has its broker (size 1, resources discovered): nothing to force up');
      }
      if (this.cfg.forceUp) this.h.log('info', 'monitor-force-up: ranks without a broker are up');
      this.excluded = this.excludedOf(this.cfg.exclude, this.ranks());
      const all = this.ranks();
      const unknown = reserveUnknownRanks(this.reserve, all.map((r) => r.rank));
      if (unknown.length > 0) throw einval(`resource.reserve: ${idset.encode(unknown)}: not a rank of the instance (ranks ${idset.encode(all.map((r) => r.rank))})`);
      if (this.reserve.length > 0) this.h.log('info', `reserve: ${rlistSummary(all)} -> ${rlistSummary(withoutReserved(all, this.reserve))} for the scheduler`);
      // drained before a restart: still drained, with the same reason and time
      await loadDrains(this.h, this.drains, Math.max(this.h.size, ...all.map((r) => r.rank + 1)));
      // monitor-force-up: every rank starts up, as Flux's restart event says (online=all)
      const forced = this.cfg.forceUp ? all.map((r) => r.rank) : [];
      this.journal.post('restart', {
        ranks: idset.encode(all.map((r) => r.rank)),
        online: idset.encode(forced),
        nodelist: hostlist.compress(all.map((r) => r.hostname)),
      });
      this.journaled.online = new Set(forced);
      this.journal.post('resource-define', { method: this.fromJob ? 'job-info' : this.described ? 'configuration' : 'dynamic-discovery' });
      // drained before a restart, excluded now: undrained (as Flux: a node is never both)
      this.undrainExcluded();
      this.reports.set(0, this.local);
      this.verify(0, this.local);
      this.online = [...Array(this.h.size).keys()];
      await this.refreshOnline();
      if (this.h.size > 1) {
        // the overlay announces every change of the online set; polling stays as a backstop
        // the overlay's (the owner's): a guest's is ignored
        const offOnline = this.h.subscribe('overlay.online', ownerEvent(this.h, (_m, ev) => this.onOnline(ev)));
        const offTorpid = this.h.subscribe('overlay.torpid', ownerEvent(this.h, (_m, ev) => this.onTorpid(ev)));
        this.unsubscribe = () => {
          offOnline();
          offTorpid();
        };
        this.poll();
      }
    } else {
      void this.push(0);
    }
  }

  /**
   * A nested instance takes its job's expiration, and its job's R as its
   * resources unless the config describes them or asks to rediscover
   * (enclosing-job.ts); one that cannot, discovers (with a log line).
   */
  private async fromEnclosingJob(): Promise<void> {
    if (this.connect === undefined) return;
    const got = await enclosingJobResources(this.h, this.connect);
    if (got === undefined) return;
    if (typeof got !== 'string') this.expiration = got.expiration;
    if (this.described !== undefined || this.cfg.rediscover) return;
    const ranks = typeof got === 'string' ? got : got.ranks;
    if (typeof ranks === 'string') {
      this.h.log('info', `resources discovered, not the job's: ${ranks}`);
      return;
    }
    this.described = ranks;
    this.fromJob = true;
  }

  /** [resource] scheduling, read at load (rank 0) */
  private scheduling: unknown;

  /** `[resource] path`: an R file, read without blocking the broker; a bad one fails the load with one line. */
  private async readPath(file: string): Promise<void> {
    let text: string;
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch (e) {
      throw einval(`resource.path ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw einval(`resource.path ${file}: not JSON`);
    }
    try {
      this.described = fromR(doc, `resource.path ${file}`);
    } catch (e) {
      throw einval((e as Error).message);
    }
  }

  /**
   * A broker's report against the description of its rank: a misfit drains
   * the rank with the reason (unless noverify), as Flux does.
   */
  private verify(rank: number, rep: LocalReport): void {
    // the job's R is what the enclosing instance gave: not checked against the node (as Flux, unless configured)
    if (!this.described || this.fromJob) return;
    const want = this.described.find((r) => r.rank === rank);
    if (!want) return;
    const why = misfit(rank, want, rep, verifyPolicy(this.cfg.verify, this.cfg.noverify));
    // an excluded rank is never drained (as Flux): its misfit is only logged
    if (why === undefined || this.drains.has(rank)) return;
    if (this.excluded.includes(rank)) {
      this.h.log('err', `not draining excluded rank: ${why}`);
      return;
    }
    this.h.log('err', `draining: ${why}`);
    this.drains.drain([rank], why, 'update');
    this.drainWriter.save(this.drains);
    this.journal.post('drain', { idset: String(rank), reason: why, overwrite: 0 });
  }

  /** flux resource reload: replace the described resources with an R document. */
  private reload(p: ResourceReloadRequest): Empty {
    let ranks: RankResources[];
    try {
      ranks = fromR(p.R, 'reload');
    } catch (e) {
      throw einval((e as Error).message);
    }
    const beyond = ranks.filter((r) => r.rank >= this.h.size).map((r) => r.rank);
    if (beyond.length > 0 && p.force !== true) {
      throw einval(`R has ranks ${idset.encode(beyond)} beyond the instance (size ${this.h.size}); use --force to describe them anyway`);
    }
    const excluded = this.excludedOf(this.cfg.exclude, ranks);
    this.described = ranks;
    this.fromJob = false;
    this.excluded = excluded;
    this.undrainExcluded();
    for (const [rank, rep] of this.reports) this.verify(rank, rep);
    this.h.log('info', `reload: ${rlistSummary(ranks)}`);
    this.publishIfChanged();
    return {};
  }

  /** the ranks an exclude value names among `ranks`: EINVAL (one line) for a rank or host not among them */
  private excludedOf(exclude: string | undefined, ranks: readonly RankResources[]): number[] {
    try {
      return excludedRanks(exclude, ranks);
    } catch (e) {
      throw einval((e as Error).message);
    }
  }

  /**
   * flux config load/reload: a new `[resource] exclude` applies at once (rank
   * 0: newly excluded ranks leave the scheduler's pool, jobs running there
   * keep running; ranks no longer excluded come back); a bad one is refused
   * and the old one kept. Other [resource] keys are read at load (reconfig.ts).
   */
  configReload(next: Readonly<Record<string, unknown>>, prev: Readonly<Record<string, unknown>>): ConfigApply {
    const change = excludeChange(next, prev);
    if (!change) return undefined;
    if (this.h.rank !== 0) return () => void (this.cfg.exclude = change.exclude);
    const excluded = this.excludedOf(change.exclude, this.ranks());
    return () => {
      this.cfg.exclude = change.exclude;
      this.excluded = excluded;
      this.h.log('info', `config reload: exclude=${excluded.length > 0 ? idset.encode(excluded) : '(none)'}`);
      this.undrainExcluded();
      this.publishIfChanged();
    };
  }

  /** overlay.online event: take the new online set at once (no await: before anything is rescheduled). */
  private onOnline(ev: OverlayOnlineEvent): void {
    this.online = idset.decode(ev.members).filter((x) => x < this.h.size);
    this.publishIfChanged();
    if (this.online.some((r) => !this.reports.has(r))) void this.pullMissing().then(() => this.publishIfChanged());
  }

  /** overlay.torpid event: ranks silent for tbon.torpid_max leave (or rejoin) the schedulable set at once */
  private onTorpid(ev: OverlayTorpidEvent): void {
    this.torpid = idset.decode(ev.members).filter((x) => x < this.h.size);
    this.publishIfChanged();
  }

  /** the hosts of ranks, as a hostlist */
  private nodelistOf(ranks: readonly number[]): string {
    const byRank = new Map(this.ranks().map((r) => [r.rank, r.hostname]));
    return hostlist.compress(ranks.map((r) => byRank.get(r) ?? '').filter((h) => h !== ''));
  }

  /** resource.journal: must be streaming (the backlog, an empty batch, then each new event) */
  private watchJournal(msg: Message): typeof NO_RESPONSE {
    if (!(msg.flags & MsgFlag.Streaming)) throw new FluxError(Errno.EPROTO, 'resource.journal: request must be streaming');
    this.journal.watch(msg);
    return NO_RESPONSE;
  }

  /** post online/offline and torpid/lively for what changed since the journal last said */
  private journalState(): void {
    const diff = (now: Set<number>, before: Set<number>) => [...now].filter((r) => !before.has(r)).sort((a, b) => a - b);
    const online = new Set(this.upRanks());
    const up = diff(online, this.journaled.online);
    const gone = diff(this.journaled.online, online);
    if (up.length > 0) this.journal.post('online', { idset: idset.encode(up) });
    if (gone.length > 0) this.journal.post('offline', { idset: idset.encode(gone) });
    const torpid = new Set(this.torpid);
    const slow = diff(torpid, this.journaled.torpid);
    const back = diff(this.journaled.torpid, torpid);
    if (slow.length > 0) this.journal.post('torpid', { idset: idset.encode(slow) });
    if (back.length > 0) this.journal.post('lively', { idset: idset.encode(back) });
    this.journaled = { online, torpid };
  }

  stop(): void {
    this.journal.close();
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.stopped = true;
  }

  /** Watch broker.online: fast while some rank is offline, slower once all are up. */
  private poll(): void {
    if (this.stopped) return;
    const ms = this.offline().length > 0 ? POLL_FAST_MS : POLL_MS;
    this.timer = setTimeout(() => {
      void this.refreshOnline()
        .catch(() => {})
        .finally(() => this.poll());
    }, ms);
    this.timer.unref();
  }

  /** Follower: send our report to rank 0, retrying while its resource module is not up yet. */
  private async push(attempt: number): Promise<void> {
    try {
      await this.h.rpc('resource.register', this.local, { nodeid: 0, timeoutMs: 10_000 });
    } catch (e) {
      if (attempt < 30) {
        setTimeout(() => void this.push(attempt + 1), 500).unref();
      } else {
        this.h.log('err', `could not register with rank 0: ${(e as Error).message}`);
      }
    }
  }

  private async leader<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.h.rank !== 0) throw new FluxError(Errno.EPROTO, 'resource: this request must go to rank 0');
    return fn();
  }

  private register(r: ResourceRegisterRequest): Empty {
    if (r.rank < 0 || r.rank >= this.h.size) throw einval('resource.register: bad rank');
    this.reports.set(r.rank, r);
    this.verify(r.rank, r);
    this.publishSoon();
    return {};
  }

  /** Followers register together (a thousand brokers starting): one update for all of this turn's. */
  private publishSoon(): void {
    if (this.publishPending) return;
    this.publishPending = true;
    setImmediate(() => {
      this.publishPending = false;
      if (!this.stopped) this.publishIfChanged();
    });
  }
  private publishPending = false;

  /**
   * Per-rank resources; ranks that have not reported yet take rank 0's shape.
   * Every rank is named from the instance's host list (bootstrap config, PMI
   * business cards, flux start --test-hosts), not by the name it discovered.
   */
  private ranks(): RankResources[] {
    if (this.described) return this.described.map((r) => ({ ...r, cores: [...r.cores], gpus: [...r.gpus] }));
    const out: RankResources[] = [];
    const names = this.bootHosts();
    for (let r = 0; r < this.h.size; r++) {
      const rep = this.reports.get(r) ?? { ...this.local, rank: r, hostname: this.local.hostname };
      // discovered resources take the instance's host names (rank order), as Flux assigns its hostlist to R
      out.push(toRank({ ...rep, hostname: names?.[r] ?? rep.hostname }));
    }
    return out;
  }

  /** The `hostlist` attribute, one name per rank (undefined if it does not cover the instance). */
  private bootHosts(): string[] | undefined {
    if (this.hostNames === undefined) {
      try {
        const names = hostlist.expand(this.h.getattr('hostlist') ?? '');
        this.hostNames = names.length === this.h.size ? names : null;
      } catch {
        this.hostNames = null;
      }
    }
    return this.hostNames ?? undefined;
  }
  private hostNames: string[] | null | undefined;

  /** R as the scheduler is given it: without the reserved cores */
  private schedR(): Rv1 {
    return this.reserve.length === 0 ? this.R() : this.R(withoutReserved(this.ranks(), this.reserve));
  }

  private R(ranks: readonly RankResources[] = this.ranks()): Rv1 {
    const R = rv1Build(ranks, { starttime: this.starttime, expiration: this.expiration });
    // [resource] scheduling: passed on as it was read (the built-in schedulers do not read it, as Flux's sched-simple does not)
    return this.scheduling === undefined ? R : { ...R, scheduling: this.scheduling };
  }

  /**
   * Ranks of R without a broker online (described ranks beyond the instance
   * never have one). With monitor-force-up only a rank whose broker was
   * online and left is offline: the others are up without a broker.
   */
  private offline(): number[] {
    const on = new Set(this.online);
    for (const r of on) this.seen.add(r);
    const all = this.described ? this.described.map((r) => r.rank) : [...Array(this.h.size).keys()];
    if (this.cfg.forceUp) return all.filter((r) => !on.has(r) && this.seen.has(r));
    return all.filter((r) => !on.has(r));
  }

  /** Ranks shown online: those with a broker, and with monitor-force-up every rank of R not offline. */
  private upRanks(): number[] {
    if (!this.cfg.forceUp) return this.online;
    const off = new Set(this.offline());
    const all = this.described ? this.described.map((r) => r.rank) : [...Array(this.h.size).keys()];
    return all.filter((r) => !off.has(r));
  }

  /** Ranks the scheduler may not use: drained, offline, torpid or excluded. */
  private down(): number[] {
    return [...new Set([...this.drains.ranks(), ...this.offline(), ...this.torpid, ...this.excluded])].sort((a, b) => a - b);
  }

  /** Down ranks that are down only because drained (up, lively, not excluded): undraining frees them. */
  private drainedOnly(): number[] {
    const other = new Set([...this.offline(), ...this.torpid, ...this.excluded]);
    return this.drains.ranks().filter((r) => !other.has(r)).sort((a, b) => a - b);
  }

  private async refreshOnline(): Promise<void> {
    try {
      const r = await this.h.rpc<{ members: string }>('groups.get', { name: 'broker.online' }, { nodeid: 0, timeoutMs: 5000 });
      this.online = idset.decode(r.members ?? '').filter((x) => x < this.h.size);
      const t = await this.h.rpc<{ members: string }>('groups.get', { name: 'broker.torpid' }, { nodeid: 0, timeoutMs: 5000 });
      this.torpid = idset.decode(t.members ?? '').filter((x) => x < this.h.size);
    } catch (e) {
      if (e instanceof FluxError && e.errno === Errno.ENOSYS) {
        this.online = [...Array(this.h.size).keys()];
        this.torpid = [];
      } else return;
    }
    // flux start --recovery: every resource stays offline, so that no job starts
    if (this.h.getattr('broker.recovery-mode') === '1') this.online = [];
    await this.pullMissing();
    this.publishIfChanged();
  }

  /** Ask online ranks that have not pushed a report for it. */
  private async pullMissing(): Promise<void> {
    const missing = this.online.filter((r) => !this.reports.has(r));
    await Promise.all(
      missing.map(async (r) => {
        try {
          const rep = await this.h.rpc<LocalReport>('resource.discover', {}, { nodeid: r, timeoutMs: 2000 });
          this.reports.set(r, { ...rep, rank: r });
          this.verify(r, { ...rep, rank: r });
        } catch {
          /* not up yet: keep the placeholder */
        }
      }),
    );
  }

  /** flux resource acquire-mute: the scheduler hears of no change from now on (Flux's shutdown step: brokers leaving are not nodes lost) */
  private muted = false;
  private mute(): Record<string, never> {
    if (!this.muted) this.h.log('info', 'acquire-mute: the scheduler is told of no more resource changes');
    this.muted = true;
    return {};
  }

  private publishIfChanged(): void {
    if (this.h.rank === 0) this.journalState();
    this.record?.saveR(this.R());
    const R = this.schedR();
    const down = idset.encode(this.down());
    const drained = idset.encode(this.drainedOnly());
    const key = JSON.stringify([R.execution.R_lite, R.execution.nodelist, R.execution.expiration, down, drained]);
    if (key === this.lastPublished || this.muted) return;
    this.lastPublished = key;
    void this.h.publish('resource.update', { R, down, drained }).catch(() => {});
  }

  private status(): ResourceStatusResponse {
    return {
      R: this.R(),
      online: idset.encode(this.upRanks()),
      offline: idset.encode(this.offline()),
      torpid: idset.encode(this.torpid),
      drain: this.drains.toObject(),
      exclude: idset.encode(this.excluded),
      allocated: '',
    };
  }

  private async allocatedRanks(): Promise<RankResources[]> {
    try {
      const r = await this.h.rpc<{ allocated?: Rv1 }>('sched.resource-status', {}, { timeoutMs: 5000 });
      return r.allocated ? rv1Expand(r.allocated) : [];
    } catch {
      return [];
    }
  }

  private async schedStatus(): Promise<ResourceSchedStatusResponse> {
    const all = withoutReserved(this.ranks(), this.reserve);
    const downSet = new Set(this.down());
    const allocated = await this.allocatedRanks();
    const host = new Map(all.map((r) => [r.rank, r.hostname]));
    for (const a of allocated) a.hostname = host.get(a.rank) ?? a.hostname;
    const opts = { starttime: this.starttime, expiration: this.expiration };
    return {
      all: rv1Build(all, opts),
      allocated: rv1Build(allocated, opts),
      down: rv1Build(
        all.filter((r) => downSet.has(r.rank)),
        opts,
      ),
    };
  }

  /**
   * Drained ranks the config now excludes are undrained, with an undrain
   * event in resource.eventlog (as Flux: a node cannot be both, and one
   * excluded later on is not drained when it comes back).
   */
  private undrainExcluded(): void {
    const both = this.drains.ranks().filter((r) => this.excluded.includes(r));
    if (both.length === 0) return;
    this.drains.undrain(both, true);
    this.drainWriter.save(this.drains);
    this.journal.post('undrain', { idset: idset.encode(both), nodelist: this.nodelistOf(both) });
    this.h.log('info', `undrain ${idset.encode(both)}: excluded by configuration`);
  }

  private async drain(p: ResourceDrainRequest): Promise<Empty> {
    const mode = drainMode(p.mode);
    const ranks = parseTargets(p.targets, this.ranks().map((r) => r.hostname));
    // as Flux: an excluded rank may not be drained, whatever the mode (EEXIST when some are drained too)
    const excluded = ranks.filter((r) => this.excluded.includes(r));
    if (excluded.length > 0) {
      const drained = mode === undefined ? ranks.filter((r) => this.drains.has(r)) : [];
      const bad = [...new Set([...drained, ...excluded])].sort((a, b) => a - b);
      throw new FluxError(drained.length > 0 ? Errno.EEXIST : Errno.EINVAL, `${plural(bad)} ${drained.length > 0 ? 'already drained or ' : ''}excluded`);
    }
    this.drains.drain(ranks, p.reason ?? '', mode);
    this.drainWriter.save(this.drains);
    this.journal.post('drain', {
      idset: idset.encode(ranks),
      nodelist: this.nodelistOf(ranks),
      reason: p.reason ?? '',
      overwrite: mode === 'overwrite' ? 1 : mode === 'force-overwrite' ? 2 : 0,
    });
    this.h.log('info', `drain ${idset.encode(ranks)}${p.reason ? ` ${p.reason}` : ''}`);
    this.publishIfChanged();
    return {};
  }

  private async undrain(p: ResourceUndrainRequest): Promise<Empty> {
    const ranks = parseTargets(p.targets, this.ranks().map((r) => r.hostname));
    this.drains.undrain(ranks, p.mode === 'force' || p.mode === 'update');
    this.drainWriter.save(this.drains);
    this.journal.post('undrain', { idset: idset.encode(ranks), nodelist: this.nodelistOf(ranks), ...(p.reason ? { reason: p.reason } : {}) });
    this.h.log('info', `undrain ${idset.encode(ranks)}${p.reason ? ` ${p.reason}` : ''}`);
    this.publishIfChanged();
    return {};
  }

  private setExpiration(expiration: number): Empty {
    if (!Number.isFinite(expiration) || expiration < 0) throw einval(`set-expiration: ${expiration} is not a time (epoch seconds >= 0)`);
    if (expiration === this.expiration) return {};
    // the first is the expiration the instance started with; a later one is the enclosing job's `flux update`
    if (this.expiration > 0) this.journal.post('resource-update', { expiration });
    this.expiration = expiration;
    this.h.log('info', expiration > 0 ? `expiration: ${new Date(expiration * 1000).toISOString()} (the enclosing job's)` : 'expiration: none');
    this.publishIfChanged();
    return {};
  }

  /** for logs: `rank[0-2]/core[0-1]` */
  summary(): string {
    return rlistSummary(this.ranks());
  }
}
