/**
 * One running job as rank 0's job-exec sees it: fans `job-exec.shell-start` out
 * to every rank of R, turns the shells' reports into the exec protocol
 * responses to job-manager (start, exception, finish, release), writes the
 * output log, enforces the time limit and the kill escalation, and fails the
 * job when a rank is lost.
 *
 * Output: the files the output goes to (the job's output log, the plugins'
 * --output/--error file of the whole job) are opened before any shell starts,
 * as Flux's shell opens them in its init, so a job whose output cannot be
 * written never runs (a file per node or per task is its node's shell's,
 * opened there before that node's tasks start: shell-outputs.ts);
 * a FIFO waits for its reader (a cancel gives up). Each batch of output a
 * shell sends is acknowledged (`job-exec.shell-ack`) once every file has it,
 * which is what lets the shell read its tasks' pipes again. An error of any of
 * those files is the job's exception; it is posted before the job finishes.
 *
 * This is the leader side of the job shell's plugin host (plugin-host.ts): the
 * plugins' leader callbacks run here (shell.init before any file opens,
 * shell.start, task.exit, shell.exit, job.event; output for redirection);
 * taskmap, doom (exit-timeout) and signal are such plugins.
 */
import { readBoundedFile } from '../../lib/read-bounded';
import * as path from 'node:path';
import { Errno, encodeF58, encodeF58Plain, encodeKvs, hostlist, idset, longTimeout, type Handle, type LongTimer, type Message } from '../../kernel/api';
import { shellOptions, ShellError, type LeaderCallbacks, type LeaderContext, type ShellPlugin, type Stream } from './plugin-api';
import { bindStack, callTopic, loadPluginFile, pluginOption, pluginStack, PluginFailure, type Bound } from './plugin-host';
import type { StackEntry } from './plugins';
import { FileSink } from './file-sink';
import { UserFileSink } from './user-sink';
import { checkJobTemplates, expandTemplate, jobName, templateNode } from './template';
import { OutputLog } from './output-log';
import { PmiExchange } from './pmi-exchange';
import { ExecEventlog, blockTaskmap } from './exec-eventlog';
import { placementPmiMapping, placementTaskmap } from './rfc34';
import { OutputLimit, chooseLimit } from './output-limit';
import { verbosity } from './verbose';
import type { OutEvent } from './shell';
import { decodeData, encodeData } from '../../lib/io-data';
import { tooManyTasks } from '../../lib/task-fds';
import { hostOf, placeTasks, type Jobspec, type R, type ShellPlacement } from './taskmap';
import { OWNER_UID } from '../../lib/owner-uid';
import { eventTime } from '../../lib/event-time';
import { DEFAULT_EXEC, type ExecSettings } from './config';

/** job-exec's own expiration fires this long after job-manager's */
const EXPIRE_GRACE_MS = 250;
const SIGALRM = 14;

interface ShellLink {
  p: ShellPlacement;
  host: string;
  started: boolean;
  exited: boolean;
  cancel?: () => void;
}

export class ExecJob {
  readonly placements: ShellPlacement[];
  readonly shells = new Map<number, ShellLink>();
  readonly output: OutputLog;
  /** the exec eventlog (init ... done) */
  private readonly execlog: ExecEventlog;
  /** PMI barriers across this job's shells */
  readonly pmi: PmiExchange;
  private readonly size: number;
  private nstarted = 0;
  private nexited = 0;
  private status = 0;
  private fatal = false;
  /** finish() has begun: the shells are done, the files are being flushed */
  private ending = false;
  /** the final responses are out */
  private finished = false;
  /** files are opening: no shell has started yet */
  private preparing = true;
  /** the plugins' output files */
  private readonly sinks: Array<FileSink | UserFileSink> = [];
  /** exception responses, in order, each after the output before it */
  private exceptions: Promise<void> = Promise.resolve();
  /** resolves kill-timeout after a fatal exception: output files still not written are given up */
  private readonly giveUp: Promise<void>;
  private giveUpNow!: () => void;
  private killTimer: NodeJS.Timeout | undefined;
  /** [exec] barrier-timeout: armed when the first of several shells has started */
  private barrierTimer: NodeJS.Timeout | undefined;
  private expireTimer: LongTimer | undefined;
  /** start() has read R's expiration (a later change re-arms the timer) */
  private expiryRead = false;
  private readonly eofs = new Set<string>();
  /** this job's plugins, leader side, in call order */
  private stack: Array<Bound<LeaderCallbacks>> = [];
  /** a job.event callback is running (its failure is raised without another job.event) */
  private inJobEvent = false;
  private readonly cwd: string;
  /** shell option output.limit, or its default (output-limit.ts) */
  private outLimit: OutputLimit | undefined;
  /** a taskmap scheme placed the tasks (not block) */
  private remapped = false;
  /** refused before any task could start: no per-task eofs at the end */
  private noTasks = false;

  /** the job's signed jobspec (a guest's job: the IMP verifies it), set before start() */
  J: string | undefined;
  /** rank 0's IMP (`[exec] imp`) for a guest's job: its output files are written as the guest (user-sink.ts) */
  imp: string | undefined;

  constructor(
    private readonly h: Handle,
    readonly id: number,
    private readonly req: Message,
    readonly R: R,
    readonly jobspec: Jobspec,
    /** the submitter (exec-service: the instance owner, or a guest when [exec] imp is set) */
    private readonly userid: number,
    outputDir: string,
    private readonly onDone: (job: ExecJob) => void,
    /** the site's shell plugin files (`[exec] shell-plugins`) */
    private readonly sitePlugins: readonly string[] = [],
    /** this broker's IShellPlugins registry as the job starts: built-ins and what modules provide */
    private readonly registered: readonly StackEntry[],
    /** a fatal exception's signals and the time between them ([exec] kill-timeout ...) */
    private readonly settings: ExecSettings = DEFAULT_EXEC,
  ) {
    this.placements = placeTasks(R, jobspec);
    this.size = this.placements.reduce((n, p) => n + p.count, 0);
    const hosts = hostOf(R, hostlist.expand);
    for (const p of this.placements) {
      this.shells.set(p.rank, { p, host: hosts.get(p.rank) ?? String(p.rank), started: false, exited: false });
    }
    this.giveUp = new Promise((r) => (this.giveUpNow = r));
    // small output held in memory while the job runs; its kvs copy is the log once that is all of it (output-log.ts)
    this.output = new OutputLog(h, id, outputDir, `${encodeKvs(id)}.guest.output`, (note) => this.raise('exec', note), true);
    this.pmi = new PmiExchange(h, this.placements.length);
    this.execlog = new ExecEventlog(h, id);
    const sys = jobspec.attributes?.system ?? {};
    this.cwd = typeof sys['cwd'] === 'string' ? (sys['cwd'] as string) : '/tmp';
  }

  /** total task count */
  get ntasks(): number {
    return this.size;
  }

  private respond(type: string, data: Record<string, unknown> = {}): void {
    this.h.respond(this.req, { ...data, id: this.id, type, data });
  }

  start(): void {
    this.run().catch((e: Error) => {
      // a bug must fail this job, not the broker
      this.h.log('err', `job ${encodeF58(this.id)}: ${e.stack ?? e.message}`);
      this.raise('exec', `internal error: ${e.message}`);
      void this.finish();
    });
  }

  private async run(): Promise<void> {
    this.post('init');
    if (await this.refuseTooMany()) return;
    const opts = shellOptions(this.jobspec);
    const out: OutEvent[] = [this.header()];
    // {{id}} in file names as the submitter saw the id (its locale, from the job's environment)
    const env = this.jobspec.attributes?.system?.['environment'] as Record<string, string | null> | undefined;
    const tctx = { id: this.id, name: jobName(this.jobspec), size: this.size, nnodes: this.placements.length, env };
    const sorted = [...this.placements].sort((a, b) => a.shellRank - b.shellRank);
    const hosts = sorted.map((p) => this.shells.get(p.rank)!.host);
    const templates = checkJobTemplates(this.jobspec, env);
    for (const w of templates.warnings) out.push(this.logEvent(w, 4));
    const lctx: LeaderContext = {
      id: this.id,
      options: opts,
      cwd: this.cwd,
      ntasks: this.size,
      nnodes: this.placements.length,
      allRanks: idset.encode(Array.from({ length: this.size }, (_, i) => i), { brackets: true }),
      placements: this.placements,
      hosts,
      expand: (t, at) => expandTemplate(t, at ? { ...tctx, node: templateNode(sorted[at.shellRank]!, hosts[at.shellRank]!), task: at.task } : tctx),
      openOutput: (file, o) => this.openSink(file, o.append, o.display),
      readFile: (file, max) => this.readSmallFile(file, max),
      log: (level, message) => this.leaderLog(level, message),
      raise: (note) => this.raise('exec', note),
      kill: (signum) => {
        if (!this.fatal && !this.ending) this.kill(signum);
      },
      expiration: () => this.R.execution.expiration ?? 0,
    };
    try {
      const files = [...this.sitePlugins, ...pluginOption(opts['plugin'])];
      // the site's plugins are the owner's; a job's own are its owner's code
      if (files.length > this.sitePlugins.length) this.checkOwner();
      const extra: ShellPlugin[] = [];
      for (const file of files) extra.push(await loadPluginFile(file, this.cwd));
      this.stack = bindStack(pluginStack(this.registered, extra), (pl) => pl.leader?.(lctx), 'leader');
      await callTopic(this.stack, 'shell.init');
    } catch (e) {
      if (!(e instanceof PluginFailure) && !(e instanceof ShellError)) throw e;
      out.push(this.logEvent(e.message, 2));
      this.output.append(out);
      this.raise('exec', e.message);
      await this.finish();
      return;
    }
    this.remapped = this.placements.some((p) => p.ranks !== undefined);
    for (const b of this.stack) {
      for (const ev of b.cbs.startEvents?.() ?? []) out.push({ timestamp: eventTime(), ...ev });
    }
    const setupError = templates.error ?? this.setupOptions(opts, out);
    if (setupError !== undefined) {
      out.push(this.logEvent(setupError, 2));
      this.output.append(out);
      this.raise('exec', setupError);
      await this.finish();
      return;
    }
    this.output.append(out);
    const expiration = this.R.execution.expiration ?? 0;
    const duration = Number(this.jobspec.attributes?.system?.['duration'] ?? 0);
    const limitMs = expiration > 0 ? expiration * 1000 - Date.now() : duration > 0 ? duration * 1000 : 0;
    // job-manager raises the timeout at expiration; ours is the backstop, a little later
    // a long timer: a limit of 25 days is longer than one setTimeout can wait
    if (limitMs > 0) this.expireTimer = longTimeout(() => this.expire(), limitMs + EXPIRE_GRACE_MS);
    this.expiryRead = true;
    // every file opens first; an error has raised the job's exception already
    const opened = await Promise.all([this.output.open(), ...this.sinks.map((k) => k.open())]);
    this.preparing = false;
    if (this.fatal || opened.includes(false)) {
      await this.finish();
      return;
    }
    this.post('starting');
    // the shells run in their brokers: each is set up as its shell-start request arrives
    const userid = this.userid;
    this.post('shell.init', {
      service: `${userid}-shell-${encodeF58Plain(this.id)}`,
      'leader-rank': this.placements[0]?.rank ?? 0,
      size: this.placements.length,
    });
    for (const s of this.shells.values()) this.startShell(s);
  }

  /** the output log's first event */
  private header(): OutEvent {
    return {
      timestamp: eventTime(),
      name: 'header',
      context: { version: 1, encoding: { stdout: 'UTF-8', stderr: 'UTF-8' }, count: { stdout: this.size, stderr: this.size }, options: {} },
    };
  }

  /**
   * More tasks on a rank than a broker can start (lib/task-fds.ts; most such
   * jobs were refused at submit): the job fails before any shell starts, and
   * before anything here loops over its tasks.
   */
  private async refuseTooMany(): Promise<boolean> {
    for (const p of this.placements) {
      const why = tooManyTasks(p.count, `on rank ${p.rank} (host ${this.shells.get(p.rank)?.host ?? p.rank})`);
      if (why === undefined) continue;
      const note = `start failed: ${why}`;
      this.noTasks = true;
      this.output.append([this.header(), this.logEvent(note, 2)]);
      this.raise('exec', note);
      await this.finish();
      return true;
    }
    return false;
  }

  /**
   * The shell option rank 0 applies itself: `output.limit` (its log line to
   * `out`). Returns the error that fails the job, if any.
   */
  private setupOptions(opts: Record<string, unknown>, out: OutEvent[]): string | undefined {
    const output = opts['output'] as { limit?: unknown } | undefined;
    // always a limit (1G, a guest's job 10M): the output log of a job nobody reads cannot fill the disk
    const chosen = chooseLimit(output?.limit, this.userid !== OWNER_UID);
    if (typeof chosen === 'string') return chosen;
    const level = chosen.capped ? 4 : 6;
    if (level <= 5 + verbosity(opts['verbose'])) out.push(this.logEvent(chosen.note, level));
    this.outLimit = new OutputLimit(chosen.limit, chosen.display, (m) => this.output.append([this.logEvent(m, 4)]));
    return undefined;
  }

  /**
   * Loading a plugin by path runs its code in this broker (the shell is
   * in-process), so only the instance owner's jobs may: a guest's job is
   * refused, as it would gain the owner's rights.
   */
  private checkOwner(): void {
    if (this.userid !== OWNER_UID) throw new ShellError(`plugin: loading shell plugins by path is for the instance owner's jobs (the shell runs in the broker)`);
  }

  /** a small file a plugin names (relative to the job's cwd: a hostfile), read off the loop and bounded */
  private readSmallFile(file: string, max: number): Promise<string> {
    // O_NONBLOCK: a FIFO named as a hostfile cannot hold a threadpool thread in open()
    return readBoundedFile(path.resolve(this.cwd, file), max);
  }

  /** a log line of the leader shell (rank 0), shown as the shell's verbosity allows */
  private leaderLog(level: number, message: string): void {
    if (level > 5 + verbosity(shellOptions(this.jobspec)['verbose'])) return;
    this.output.append([this.logEvent(message, level)]);
  }

  /**
   * Call a leader topic on the plugins; a failure (thrown or rejected) is a
   * log line and the job's fatal exception.
   */
  private call(topic: keyof LeaderCallbacks, arg?: unknown): void {
    // a callback's failure, or a bug of ours: the job's exception, never a throw
    const failed = (e: unknown) => {
      const note = e instanceof PluginFailure ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`;
      this.output.append([this.logEvent(note, 2)]);
      this.raise('exec', note);
    };
    try {
      callTopic(this.stack, topic, arg)?.catch(failed);
    } catch (e) {
      failed(e);
    }
  }

  /** an entry of the exec eventlog, also to the plugins' job.event */
  private post(name: string, context?: Record<string, unknown>): void {
    this.execlog.post(name, context);
    this.jobEvent(name, context ?? {});
  }

  private jobEvent(name: string, context: Record<string, unknown>): void {
    if (this.inJobEvent) return;
    this.inJobEvent = true;
    try {
      this.call('job.event', { name, context });
    } finally {
      this.inJobEvent = false;
    }
  }

  /** a plugin's output file: its errors are the job's exception */
  private openSink(file: string, append: boolean, display: string): FileSink | UserFileSink {
    // a guest's file is created and written by a process running as the guest; the owner's by the broker
    const guest = this.imp !== undefined && this.userid !== OWNER_UID;
    const k = guest
      ? new UserFileSink(file, { imp: this.imp!, userid: this.userid, J: this.J ?? '-' }, { what: 'output file', display, append })
      : new FileSink(file, { what: 'output file', display, append });
    k.onError((note) => this.raise('exec', note));
    this.sinks.push(k);
    return k;
  }

  private startShell(s: ShellLink): void {
    const payload = {
      id: this.id,
      jobspec: this.jobspec,
      placement: s.p,
      size: this.size,
      nnodes: this.placements.length,
      hostname: s.host,
      counts: this.placements.map((p) => p.count),
      pmiMapping: this.remapped ? placementPmiMapping(this.placements) : undefined,
      taskmap: (this.remapped ? placementTaskmap(this.placements) : blockTaskmap(this.placements)).map,
      sitePlugins: this.sitePlugins.length > 0 ? this.sitePlugins : undefined,
      userid: this.userid,
      J: this.J,
    };
    const stream = this.h.rpcStream('job-exec.shell-start', payload, {
      nodeid: s.p.rank,
      onResponse: (r) => this.onShell(s, r as ShellReport),
    });
    s.cancel = stream.cancel;
    stream.done.then(
      () => {
        if (!s.exited) this.shellExited(s, 0);
      },
      (e: Error & { errno?: number }) => this.lost(s, e),
    );
  }

  private onShell(s: ShellLink, r: ShellReport): void {
    switch (r.type) {
      case 'started':
        if (s.started) return;
        s.started = true;
        if (this.nstarted === 0 && this.shells.size > 1 && this.settings.barrierTimeoutMs > 0) {
          this.barrierTimer = setTimeout(() => this.barrierTimeout(), this.settings.barrierTimeoutMs);
          this.barrierTimer.unref();
        }
        if (++this.nstarted === this.shells.size) clearTimeout(this.barrierTimer);
        if (this.nstarted === this.shells.size && !this.finished) {
          this.post('shell.start', { taskmap: this.remapped ? placementTaskmap(this.placements) : blockTaskmap(this.placements) });
          this.respond('start');
          this.call('shell.start');
        }
        return;
      case 'output':
        this.onOutput(s, r.events ?? [], r.bytes ?? 0);
        return;
      case 'exception':
        this.raise('exec', r.note ?? '');
        return;
      case 'exit':
        this.shellExited(s, r.status ?? 0);
        return;
      case 'task-exit':
        this.call('task.exit', { rank: r.rank ?? 0, host: s.host, status: r.status ?? 0 });
        return;
    }
  }

  private onOutput(s: ShellLink, evs: OutEvent[], bytes: number): void {
    const keep: OutEvent[] = [];
    for (const e of evs) {
      const c = e.context;
      if (e.name === 'data') {
        if (c['eof']) {
          this.eofs.add(`${c['stream']}:${c['rank']}`);
          // the truncation summary comes before a stream's last eof (attach stops there)
          const m = this.outLimit && this.allEof(String(c['stream'])) ? this.outLimit.summary(String(c['stream'])) : undefined;
          if (m !== undefined) keep.push(this.logEvent(m, 4));
        } else {
          // text, or bytes (encoding base64): a plugin's file gets them as they are
          const data = decodeData(c) ?? '';
          if (this.stack.some((b) => b.cbs.output?.(c['stream'] as Stream, c['rank'] as string, data))) continue;
          if (this.outLimit) {
            const kept = this.outLimit.admit(String(c['stream']), data);
            if (kept.length === 0) continue;
            if (kept !== data) {
              const { encoding: _was, ...rest } = c;
              keep.push({ ...e, context: { ...rest, ...(typeof kept === 'string' ? { data: kept } : encodeData(kept)) } });
              continue;
            }
          }
        }
      }
      keep.push(e);
    }
    this.output.append(keep);
    if (bytes <= 0) return;
    // the shell reads its tasks' pipes again once every file has this batch
    void Promise.all([this.output.flushed(), ...this.sinks.map((k) => k.flushed())]).then(() => {
      if (!s.exited) this.h.send('job-exec.shell-ack', { id: this.id, bytes }, { nodeid: s.p.rank });
    });
  }

  /** every task's `stream` has ended */
  private allEof(stream: string): boolean {
    for (let r = 0; r < this.size; r++) if (!this.eofs.has(`${stream}:${r}`)) return false;
    return true;
  }

  private logEvent(message: string, level: number, rank = '0'): OutEvent {
    return { timestamp: eventTime(), name: 'log', context: { level, message, rank, component: 'shell' } };
  }

  private shellExited(s: ShellLink, status: number): void {
    if (s.exited) return;
    s.exited = true;
    this.status = Math.max(this.status, status);
    if (++this.nexited === this.shells.size) void this.finish();
  }

  /** job-exec is unloading: its shells' streams end without news */
  stopping = false;

  /**
   * [exec] barrier-timeout: the shells that have not started hang (their
   * broker stopped, a mount that does not answer): the job fails, those ranks
   * are drained, as Flux drains them, and their shells are given up (their
   * start is canceled) so that the job can end without them.
   */
  private barrierTimeout(): void {
    const hung = [...this.shells.values()].filter((x) => !x.started);
    if (hung.length === 0 || this.finished) return;
    const ranks = idset.encode(hung.map((x) => x.p.rank));
    this.raise('exec', `start barrier timeout waiting for ${hung.length}/${this.shells.size} nodes (rank${hung.length > 1 ? 's' : ''} ${ranks})`);
    const reason = `job ${encodeF58(this.id)} start barrier timeout`;
    this.h.rpc('resource.drain', { targets: ranks, reason }).catch((e: Error) => this.h.log('err', `${reason}: drain ${ranks}: ${e.message}`));
    for (const x of hung) {
      x.cancel?.();
      this.abandonShell(x);
    }
  }

  /** a shell that will not report again (lost, or hung at start): counted as started and ended, so the job can end */
  private abandonShell(s: ShellLink): void {
    if (!s.started) this.onShell(s, { type: 'started' });
    this.shellExited(s, 0);
  }

  private lost(s: ShellLink, e: Error & { errno?: number }): void {
    if (s.exited || this.stopping) return;
    const why = e.errno === Errno.EHOSTUNREACH || e.errno === Errno.ECONNRESET ? 'lost contact with' : 'error from';
    this.h.log('err', `job ${encodeF58(this.id)}: ${why} job shell on rank ${s.p.rank} (${s.host}): ${e.message}`);
    this.raise('exec', `${why} job shell on broker ${s.host} (rank ${s.p.rank})`);
    this.abandonShell(s);
  }

  /** tell job-manager about an exception; a fatal one kills the job */
  raise(type: string, note: string, severity = 0): void {
    if (this.finished) return;
    this.jobEvent('exception', { type, severity, note });
    // after the output so far (the shell's FATAL log line comes first), and before the job's end
    const flushed = this.output.flushed();
    this.exceptions = Promise.all([this.exceptions, flushed]).then(() => {
      if (!this.finished) this.respond('exception', { type, severity, note });
    });
    if (severity === 0) this.fatalKill(type === 'timeout' ? SIGALRM : this.settings.termSignal);
  }

  /** a fatal exception from anywhere: signal the tasks, kill-signal (SIGKILL) after kill-timeout (5 s) */
  fatalKill(signum = this.settings.termSignal): void {
    if (this.fatal) return;
    this.fatal = true;
    if (this.preparing) {
      // nothing runs yet: stop waiting for files (a FIFO without a reader)
      this.output.abortOpen();
      for (const k of this.sinks) k.abort();
      return;
    }
    // a file that takes nothing (a FIFO whose reader stopped reading) must not keep the job alive
    setTimeout(() => {
      for (const k of this.sinks) k.abort();
      this.giveUpNow();
    }, this.settings.killTimeoutMs).unref();
    if (this.ending) return;
    this.kill(signum);
    this.killTimer = setTimeout(() => this.kill(this.settings.killSignal), this.settings.killTimeoutMs);
  }

  kill(signum: number): void {
    for (const s of this.shells.values()) {
      if (!s.exited) this.h.send('job-exec.shell-kill', { id: this.id, signum }, { nodeid: s.p.rank });
    }
  }

  /**
   * stdin from the attached client to every shell; resolves once each shell
   * has handed it to its tasks (their pipes took it), so the client sends the
   * next chunk only then and a task that does not read its stdin holds up
   * the client, not the broker's memory
   */
  async stdin(data: string | undefined, encoding: 'base64' | undefined, eof: boolean, ranks: string | undefined, winsize?: unknown): Promise<void> {
    const sent = [...this.shells.values()]
      .filter((s) => !s.exited)
      .map((s) =>
        this.h.rpc('job-exec.shell-stdin', { id: this.id, data, encoding, eof, ranks, winsize }, { nodeid: s.p.rank }).catch(() => undefined),
      );
    await Promise.all(sent);
  }

  /** A new expiration (epoch s, 0: none) for the backstop timer. */
  setExpiration(expiration: number): void {
    this.R.execution.expiration = expiration;
    // before the start read R, it reads the new value itself
    if (this.ending || !this.expiryRead) return;
    this.expireTimer?.clear();
    this.expireTimer = undefined;
    if (expiration > 0) this.expireTimer = longTimeout(() => this.expire(), Math.max(0, expiration * 1000 - Date.now()) + EXPIRE_GRACE_MS);
  }

  private expire(): void {
    this.expireTimer = undefined;
    if (this.fatal) return;
    this.raise('timeout', 'resource allocation expired');
  }

  private async finish(): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    if (this.expireTimer) this.expireTimer.clear();
    clearTimeout(this.barrierTimer);
    // a shell that said 'exit' ends its stream itself (ENODATA comes next): no cancel to send
    for (const s of this.shells.values()) if (!s.exited) s.cancel?.();
    this.pmi.abort();
    // eofs for tasks whose shell never sent them (lost rank, launch failure)
    const missing: OutEvent[] = [];
    for (let r = 0; r < (this.noTasks ? 0 : this.size); r++) {
      for (const stream of ['stdout', 'stderr']) {
        if (!this.eofs.has(`${stream}:${r}`)) {
          missing.push({ timestamp: eventTime(), name: 'data', context: { stream, rank: String(r), eof: true } });
        }
      }
    }
    for (const m of this.outLimit?.summaries() ?? []) missing.unshift(this.logEvent(m, 4));
    this.output.append(missing);
    this.call('shell.exit');
    // every file has everything, or its error is the job's exception, before the job ends
    await Promise.race([Promise.all(this.sinks.map((k) => k.close())), this.giveUp]);
    await this.output.close();
    await this.exceptions;
    if (this.killTimer) clearTimeout(this.killTimer);
    this.finished = true;
    if (this.nstarted < this.shells.size && this.nstarted > 0) this.respond('start');
    if (this.nstarted > 0) {
      this.post('complete', { status: this.status << 8 });
      this.respond('finish', { status: this.status << 8 });
    }
    this.post('done');
    // the whole exec eventlog is there, and closed, before the job can be inactive
    await this.execlog.close();
    this.respond('release', { ranks: 'all', final: true });
    this.h.respondError(this.req, Errno.ENODATA);
    this.onDone(this);
  }
}

/** what a shell sends back on its shell-start stream */
export interface ShellReport {
  type: 'started' | 'output' | 'exception' | 'exit' | 'task-exit';
  events?: OutEvent[];
  note?: string;
  status?: number;
  /** task-exit: the task's rank */
  rank?: number;
  /** output: bytes of data in events (acknowledged with shell-ack) */
  bytes?: number;
}

