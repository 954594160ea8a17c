/**
 * A cron entry (Flux's cron_entry): its command and options, its trigger,
 * its statistics, the task running now and the last finished ones. The
 * module (cron.ts) owns the entries; an entry asks it to run a task
 * (`defer`, which honours the sync event) and tells it when a deleted
 * entry's last task is over (`gone`).
 */
import { strerror, strsignal, type Handle } from '../../kernel/api';
import type { CronEntryJson, CronStatsJson } from '../../lib/cron/types';
import { Task } from './task';
import type { Trigger } from './triggers';

const now = () => Date.now() / 1000;

export interface EntryOptions {
  id: number;
  name: string;
  command: string;
  type: CronEntryJson['type'];
  repeat: number;
  rank: number;
  /** seconds, or undefined for none */
  timeout: number | undefined;
  historyCount: number;
  stopOnFailure: number;
  cwd: string | undefined;
  env: Record<string, string> | undefined;
}

/** What an entry needs of the module. */
export interface EntryHost {
  readonly h: Handle;
  /** run the entry's task now, or when the sync event comes */
  defer(e: Entry): void;
  /** a deleted entry's last task is over: forget the entry */
  gone(e: Entry): void;
}

export class Entry {
  stopped = true;
  destroyed = false;
  trigger!: Trigger;
  task: Task | undefined;
  readonly finished: Task[] = [];
  readonly stats: CronStatsJson = { ctime: now(), starttime: 0, lastrun: 0, count: 0, failcount: 0, total: 0, success: 0, failure: 0, deferred: 0 };

  constructor(
    private readonly host: EntryHost,
    readonly o: EntryOptions,
  ) {}

  get id(): number {
    return this.o.id;
  }

  private log(level: 'info' | 'err' | 'debug', text: string): void {
    this.host.h.log(level, text);
  }

  /** The trigger fired: make a task (one at a time) and run it, or defer it to the sync event. */
  schedule(): void {
    if (this.task) {
      this.log('info', `cron-${this.id}: ${this.o.name}: task still running or scheduled`);
      return;
    }
    const { rank, command, cwd, env, timeout } = this.o;
    this.task = new Task(this.host.h, { rank, command, cwd, env, timeout }, { line: (err, text) => this.line(err, text), done: (t) => this.done(t) });
    this.stats.total++;
    if (++this.stats.count === this.o.repeat) this.stop();
    this.host.defer(this);
  }

  /** Run the current task (called by the module, at once or at the sync event). */
  runTask(): void {
    this.task?.run();
    this.stats.lastrun = now();
  }

  private line(stderr: boolean, text: string): void {
    this.log(stderr ? 'err' : 'info', `cron-${this.id}[${this.o.name}]: rank=${this.o.rank}: command="${this.o.command}": "${text}"`);
  }

  private done(t: Task): void {
    if (t.rexecErrno) {
      this.log('err', `cron-${this.id}: failure running ${this.o.command}: ${strerror(t.rexecErrno)}`);
      this.failed();
    } else if (t.status !== 0) {
      const how = t.status & 0x7f ? strsignal(t.status & 0x7f) : `Exit ${t.code}`;
      this.log('err', `cron-${this.id}: "${this.o.command}": Failed: ${how}`);
      this.failed();
    } else this.stats.success++;
    this.finished.unshift(t);
    this.finished.splice(Math.max(this.o.historyCount, 0));
    if (this.task === t) this.task = undefined;
    if (this.destroyed) this.host.gone(this);
  }

  private failed(): void {
    this.stats.failure++;
    this.stats.failcount++;
    if (this.o.stopOnFailure && this.stats.failcount >= this.o.stopOnFailure && !this.stopped) {
      this.log('err', `cron-${this.id}: exceeded failure limit of ${this.o.stopOnFailure}. stopping`);
      this.stop();
    }
  }

  /** false if it was stopped already */
  stop(): boolean {
    if (this.stopped) return false;
    this.trigger.stop();
    this.stopped = true;
    return true;
  }

  /** false if it was not stopped */
  start(): boolean {
    if (!this.stopped) return false;
    this.stats.starttime = now();
    this.stats.count = 0;
    this.stats.failcount = 0;
    this.stopped = false;
    this.trigger.start();
    return true;
  }

  toJson(): CronEntryJson {
    const o: CronEntryJson = {
      id: this.id,
      rank: this.o.rank,
      name: this.o.name,
      command: this.o.command,
      repeat: this.o.repeat,
      stopped: this.stopped,
      type: this.o.type,
      stats: { ...this.stats },
      typedata: this.trigger.toJson(),
      tasks: [...(this.task ? [this.task] : []), ...this.finished].map((t) => t.toJson()),
    };
    if (this.o.timeout !== undefined) o.timeout = this.o.timeout;
    return o;
  }
}
