/**
 * The cron service (flux-cron(1)): entries made by cron.create that run a
 * command through rexec on a timer, an event or a date, listed, stopped,
 * started and deleted by id. With a sync event set (module argument
 * sync=TOPIC, or cron.sync), a task that is due waits for that event unless
 * one came within sync_epsilon seconds (Flux's default 0.015). Timers and
 * subscriptions end with the module; running tasks are sent SIGTERM at
 * CLEANUP and at unload.
 */
import { einval, enoent, fsd, IHandle, IModuleArgs, inject, injectable, methods, parseArgs, FluxError, Errno, type BrokerModule, type Handle } from '../../kernel/api';
import { parseSpec, nextWakeup } from '../../lib/cron/datespec';
import type { CronCreateRequest, CronEntryResponse, CronProtocol, CronSyncRequest, CronSyncResponse } from '../../lib/protocol/cron';
import { Entry, type EntryHost } from './entry';
import { DateTrigger, EventTrigger, IntervalTrigger, type Trigger } from './triggers';

/** handler entries checked against modules/cron/protocol.avsc */
const method = methods<CronProtocol>();

/** how long stop() waits for killed tasks to be reported over */
const KILL_WAIT_MS = 2000;

const now = () => Date.now() / 1000;

function num(args: Record<string, unknown>, key: string, dflt?: number): number {
  const v = args[key];
  if (v === undefined || v === null) {
    if (dflt === undefined) throw einval(`args.${key} is required`);
    return dflt;
  }
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw einval(`args.${key} must be a number >= 0`);
  return v;
}

@injectable()
export class Cron implements BrokerModule, EntryHost {
  private readonly entries = new Map<number, Entry>();
  private nextId = 1;
  private syncEvent: string | undefined;
  private syncEpsilon = 0.015;
  private lastSync = 0;
  private unsubscribeSync: (() => void) | undefined;
  private readonly deferred: Entry[] = [];

  readonly handlers = [
    method('create', (req) => this.create(req)),
    method('delete', (req) => this.remove(req.id, req.kill === true)),
    method('stop', (req) => this.stopEntry(req.id)),
    method('start', (req) => this.startEntry(req.id)),
    method('list', () => ({ entries: [...this.entries.values()].map((e) => e.toJson()) })),
    method('sync', (req) => this.sync(req)),
  ];

  constructor(
    @inject(IHandle) readonly h: Handle,
    @inject(IModuleArgs) args: readonly string[],
  ) {
    for (const [k, v] of parseArgs(args)) {
      if (k === 'sync') this.setSync(v);
      else if (k === 'sync_epsilon') {
        const e = fsd.tryParse(v);
        if (e === undefined) throw einval(`sync_epsilon: invalid duration '${v}'`);
        this.syncEpsilon = e;
      } else throw einval(`unknown option '${k}' (cron takes sync=TOPIC and sync_epsilon=DURATION)`);
    }
  }

  private find(id: number): Entry {
    const e = this.entries.get(id);
    // a deleted entry whose task still runs stays listed (and can be deleted again with --kill) until the task is over
    if (!e) throw enoent(`cron-${id}: No such cron entry found`);
    return e;
  }

  private answer(e: Entry): CronEntryResponse {
    return { entry: e.toJson() };
  }

  private trigger(e: Entry, req: CronCreateRequest): Trigger {
    const args = req.args as Record<string, unknown>;
    switch (req.type) {
      case 'interval': {
        const seconds = num(args, 'interval');
        return new IntervalTrigger(seconds, num(args, 'after', seconds), () => e.schedule());
      }
      case 'event': {
        const topic = args['topic'];
        if (typeof topic !== 'string' || topic === '') throw einval('args.topic must be a non-empty string');
        const int = (k: string) => {
          const v = num(args, k, 0);
          if (!Number.isInteger(v)) throw einval(`args.${k} must be an integer >= 0`);
          return v;
        };
        return new EventTrigger(this.h, topic, int('nth'), int('after'), num(args, 'min_interval', 0), () => e.stats.lastrun, () => e.schedule(), e.id);
      }
      case 'datetime': {
        const fields: Record<string, string | number> = {};
        for (const [k, v] of Object.entries(args)) {
          if (typeof v !== 'string' && typeof v !== 'number') throw einval(`args.${k} must be a string or a number`);
          fields[k] = v;
        }
        let spec;
        try {
          spec = parseSpec(fields);
        } catch (err) {
          throw einval((err as Error).message);
        }
        if (nextWakeup(spec, now()) === undefined) throw einval('no date in the next two years matches that time');
        return new DateTrigger(
          spec,
          () => e.schedule(),
          () => {
            this.h.log('err', `cron-${e.id}: Unable to get next wakeup. Stopping.`);
            // not from inside the trigger's own start(): on the next turn
            setImmediate(() => e.stop());
          },
        );
      }
    }
  }

  private create(req: CronCreateRequest): CronEntryResponse {
    const count = (v: number | null | undefined, name: string, dflt: number) => {
      if (v === undefined || v === null) return dflt;
      if (!Number.isInteger(v) || v < 0) throw einval(`${name} must be an integer >= 0`);
      return v;
    };
    if (req.timeout !== undefined && req.timeout !== null && !(req.timeout >= 0)) throw einval('timeout must be a number >= 0');
    const e = new Entry(this, {
      id: this.nextId,
      name: req.name,
      command: req.command,
      type: req.type,
      repeat: count(req.repeat, 'repeat', 0),
      rank: count(req.rank, 'rank', 0),
      timeout: req.timeout ?? undefined,
      historyCount: count(req.task_history_count, 'task-history-count', 1),
      stopOnFailure: count(req.stop_on_failure, 'stop-on-failure', 0),
      cwd: req.cwd ?? undefined,
      env: req.environ ?? undefined,
    });
    e.trigger = this.trigger(e, req);
    this.nextId++;
    this.entries.set(e.id, e);
    e.start();
    return this.answer(e);
  }

  private remove(id: number, kill: boolean): CronEntryResponse {
    const e = this.find(id);
    const out = this.answer(e);
    if (kill) e.task?.kill(15);
    if (e.destroyed) return out;
    e.stop();
    e.trigger.destroy();
    e.destroyed = true;
    const i = this.deferred.indexOf(e);
    if (i >= 0) this.deferred.splice(i, 1);
    // a deferred task never ran: nothing to wait for
    if (e.task && !e.task.started) e.task = undefined;
    if (!e.task) this.gone(e);
    return out;
  }

  private stopEntry(id: number): CronEntryResponse {
    const e = this.find(id);
    if (!e.stop()) throw new FluxError(Errno.EINVAL, `cron-${id}: entry is already stopped`);
    return this.answer(e);
  }

  private startEntry(id: number): CronEntryResponse {
    const e = this.find(id);
    if (!e.start()) throw new FluxError(Errno.EINVAL, `cron-${id}: entry is not stopped`);
    return this.answer(e);
  }

  gone(e: Entry): void {
    this.entries.delete(e.id);
  }

  defer(e: Entry): void {
    if (this.syncEvent === undefined || now() - this.lastSync < this.syncEpsilon) {
      e.runTask();
      return;
    }
    this.deferred.push(e);
    e.stats.deferred++;
    this.h.log('debug', `deferring cron-${e.id} to next ${this.syncEvent} event`);
  }

  private runDeferred(): void {
    for (const e of this.deferred.splice(0)) e.runTask();
  }

  private setSync(topic: string | undefined): void {
    this.unsubscribeSync?.();
    this.unsubscribeSync = undefined;
    this.syncEvent = topic;
    if (topic === undefined) return;
    this.h.log('info', `synchronizing cron tasks to event ${topic}`);
    this.unsubscribeSync = this.h.subscribe(topic, (msg) => {
      if (msg.topic !== topic) return;
      this.lastSync = now();
      this.runDeferred();
    });
  }

  private sync(req: CronSyncRequest): CronSyncResponse {
    const before = this.syncEvent !== undefined;
    if (req.sync_epsilon !== undefined && req.sync_epsilon !== null && !(req.sync_epsilon >= 0)) throw einval('sync_epsilon must be a number >= 0');
    if (req.disable) this.setSync(undefined);
    else if (req.topic) this.setSync(req.topic);
    if (req.sync_epsilon !== undefined && req.sync_epsilon !== null) this.syncEpsilon = req.sync_epsilon;
    if (this.syncEvent !== undefined) return { sync_event: this.syncEvent, sync_epsilon: this.syncEpsilon };
    // nothing would run the tasks that waited for the old event: run them now
    if (before) this.runDeferred();
    return { sync_disabled: true };
  }

  /** Stop every trigger, SIGTERM the running tasks, and wait a little for them to be over. */
  private async quiesce(): Promise<number> {
    this.setSync(undefined);
    this.deferred.length = 0;
    const running: Array<Promise<void>> = [];
    for (const e of this.entries.values()) {
      e.stop();
      e.trigger.destroy();
      const t = e.task;
      if (t && t.kill(15)) {
        running.push(
          new Promise<void>((res) => {
            const poll = setInterval(() => {
              if (t.completed) {
                clearInterval(poll);
                res();
              }
            }, 20);
            setTimeout(() => {
              clearInterval(poll);
              res();
            }, KILL_WAIT_MS).unref();
          }),
        );
      }
    }
    await Promise.all(running);
    return running.length;
  }

  /** rank 0's CLEANUP: no task outlives the instance (every rank is still up to kill its own). */
  async cleanup(): Promise<undefined> {
    const n = await this.quiesce();
    if (n > 0) this.h.log('info', `killed ${n} running cron task${n === 1 ? '' : 's'}`);
    return undefined;
  }

  async stop(): Promise<void> {
    await this.quiesce();
    for (const e of this.entries.values()) e.task?.abandon();
    this.entries.clear();
  }
}
