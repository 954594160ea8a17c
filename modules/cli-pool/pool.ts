/**
 * Keeps `size` warm clients (cli/pool/worker) waiting on a listening socket
 * beside the broker's local socket. The socket is bound under a private name
 * and renamed to `<local-uri path>.pool`, where launchers look, once the first
 * client is ready: until then a launcher finds nothing and starts Node at once
 * instead of waiting. The first clients start a moment after the instance is
 * up (the broker's RUN state: an instance that only runs `true` never pays
 * for them, and brokers starting beside it keep the CPU). A client serves
 * commands in turn: it says "ready" when it waits for one and "taken" when it
 * has one, on a socket to the module. A command that is over in a moment
 * (most are) gives its client back before anyone needs another, so the pool
 * starts a new client only when none is left (at once) or one has been busy
 * a while (REFILL_MS); a client coming back to a pool that has `size` idle
 * ones already is told to exit ("q"). Idle clients die with the broker
 * (PR_SET_PDEATHSIG, or the end of that socket) and are stopped when the
 * module is removed. Without the native parts (no C compiler at build time)
 * the pool stays off and `flux` starts Node for every command, as before.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import { STATE_NUMBER, methods, type BrokerModule, type BrokerState, type Handle } from '../../kernel/api';
import type { CliPoolProtocol, CliPoolStatsGetResponse } from '../../lib/protocol/cli-pool';
import { parkForNode } from '../../lib/node-env';

/** handler entries checked against modules/cli-pool/protocol.avsc */
const method = methods<CliPoolProtocol>();

interface ListenAddon {
  listen(path: string): number;
}

/** Consecutive clients that die before taking a command, before the pool gives up. */
const MAX_FAILURES = 3;
/** How long after the instance is up (the broker's RUN state) the first clients are started. */
const FIRST_SPAWN_MS = 500;
/** How often the pool asks whether its broker is up yet (state-machine.get), until it is. */
const UP_POLL_MS = 100;
/**
 * How long the pool may be short of idle clients before it starts more: with
 * none idle, a moment (the busy one is most likely back by then, and a
 * launcher that comes meanwhile waits for it or for the new one); short of
 * `size`, longer.
 */
const EMPTY_MS = 250;
const REFILL_MS = 1000;
/**
 * A client that cannot be started at all (the broker is out of file
 * descriptors or processes: EMFILE, EAGAIN) is tried again after this long,
 * doubled on each failure up to RETRY_MAX_MS; commands start Node meanwhile.
 */
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30000;

type State = 'starting' | 'idle' | 'busy' | 'leaving';

interface Client {
  proc: ChildProcess;
  state: State;
  /** commands it took */
  taken: number;
  /** when it took its current command (ms) */
  busySince: number;
  /** the socket to it ("r", "b" from it; "q" to it) */
  ctl: Duplex;
}

const distDir = path.join(__dirname, '..', '..');

/** what stats-get answers (modules/cli-pool/protocol.avsc) */
export type PoolStats = CliPoolStatsGetResponse;

export class CliPool implements BrokerModule {
  readonly handlers = [method('stats-get', () => this.stats())];
  private listenFd = -1;
  private boundPath = '';
  private socketPath = '';
  private published = false;
  private readonly clients = new Set<Client>();
  private served = 0;
  private started = 0;
  private failed = 0;
  private retired = 0;
  private unused = 0;
  private failures = 0;
  private stopping = false;
  private firstTimer: NodeJS.Timeout | undefined;
  private refillTimer: NodeJS.Timeout | undefined;
  private refillDue = 0;
  /** the next try after a failed spawn (ms; 0 while spawns work) */
  private retryMs = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly h: Handle,
    private readonly size: number,
  ) {}

  start(): void {
    if (this.size === 0) return;
    const addonPath = path.join(distDir, 'native', 'flux-ts.node');
    const launcher = path.join(distDir, 'native', 'flux-launch');
    if (!fs.existsSync(addonPath) || !fs.existsSync(launcher)) {
      this.h.log('info', 'no native launcher was built (npm run build needs a C compiler): every flux command starts Node');
      return;
    }
    const uri = this.h.getattr('local-uri') ?? '';
    if (!uri.startsWith('local://')) return;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const addon = require(addonPath) as ListenAddon;
    this.socketPath = `${uri.slice('local://'.length)}.pool`;
    this.boundPath = `${this.socketPath}-starting`;
    this.listenFd = addon.listen(this.boundPath);
    this.whenUp(() => {
      // asked again then: an instance already shutting down (its program was short) needs none
      this.firstTimer = setTimeout(() => {
        this.whenUp(() => {
          for (let i = 0; i < this.size; i++) this.spawnOne();
        });
      }, FIRST_SPAWN_MS);
      this.firstTimer.unref();
    });
  }

  /**
   * fn once the broker is in RUN. The module starts in rc1, and a broker of a
   * big instance then waits for its peers (seconds at size 64): clients
   * started then took CPU from the brokers still starting, in an instance
   * whose initial program might run no command at all. After RUN (the
   * instance is ending) it never runs.
   */
  private whenUp(fn: () => void): void {
    if (this.stopping) return;
    this.h.rpc<{ state: BrokerState }>('state-machine.get', {}).then(
      (r) => {
        if (this.stopping) return;
        const at = STATE_NUMBER[r.state] - STATE_NUMBER.run;
        if (at === 0) fn();
        else if (at < 0) {
          // still starting: ask again
          this.firstTimer = setTimeout(() => this.whenUp(fn), UP_POLL_MS);
          this.firstTimer.unref();
        }
      },
      (e: Error) => this.h.log('err', `cannot ask the broker's state, no warm clients: ${e.message}`),
    );
  }

  stop(): void {
    this.stopping = true;
    clearTimeout(this.firstTimer);
    clearTimeout(this.refillTimer);
    clearTimeout(this.retryTimer);
    this.close();
    for (const c of this.clients) {
      // idle ones leave at once; busy ones finish their command, then find the socket closed and leave
      if (c.state === 'starting') c.proc.kill('SIGTERM');
      else if (c.state === 'idle') c.ctl.write('q');
      c.ctl.end();
    }
    this.clients.clear();
  }

  private count(state: State): number {
    let n = 0;
    for (const c of this.clients) if (c.state === state) n++;
    return n;
  }

  private stats(): PoolStats {
    const idle = [...this.clients].filter((c) => c.state === 'idle');
    return {
      size: this.size,
      idle: idle.length,
      pids: idle.map((c) => c.proc.pid ?? 0),
      starting: this.count('starting'),
      busy: this.count('busy'),
      served: this.served,
      started: this.started,
      failed: this.failed,
      retired: this.retired,
      unused: this.unused,
      socket: this.published ? this.socketPath : '',
    };
  }

  /** Launchers may connect from now on. */
  private publish(): void {
    if (this.published || this.listenFd < 0) return;
    try {
      fs.renameSync(this.boundPath, this.socketPath);
    } catch (e) {
      // the private name is gone (removed by someone else, or its directory with it): what is
      // there now, if anything, is not ours to remove; the broker goes on without a pool
      this.h.log('err', `cli-pool: cannot publish ${this.socketPath}: ${(e as Error).message}: pool off, flux commands start Node`);
      this.boundPath = '';
      this.stop();
      return;
    }
    this.boundPath = this.socketPath;
    this.published = true;
  }

  /**
   * No client can answer for now: launchers find no socket and start Node at
   * once instead of waiting for one (publish() puts it back).
   */
  private unpublish(): void {
    if (!this.published) return;
    try {
      fs.renameSync(this.socketPath, `${this.socketPath}-starting`);
    } catch (e) {
      this.h.log('warning', `cli-pool: ${(e as Error).message}`);
      return;
    }
    this.boundPath = `${this.socketPath}-starting`;
    this.published = false;
  }

  /** No more clients: launchers then find no socket and start Node themselves. */
  private close(): void {
    if (this.listenFd < 0) return;
    if (this.boundPath !== '') fs.rmSync(this.boundPath, { force: true });
    fs.closeSync(this.listenFd);
    this.listenFd = -1;
    this.published = false;
  }

  /**
   * `size` idle clients, no more: one too many is told to leave (the one that
   * served least: the others have more of their code loaded and compiled);
   * too few, and new ones start if the busy ones are still busy a while later
   * (EMPTY_MS with none idle, else REFILL_MS).
   */
  private balance(): void {
    if (this.stopping || this.listenFd < 0) return;
    const idle = [...this.clients].filter((c) => c.state === 'idle').sort((a, b) => a.taken - b.taken);
    for (let i = 0; i < idle.length - this.size; i++) {
      idle[i]!.state = 'leaving';
      idle[i]!.ctl.write('q');
    }
    const have = Math.min(idle.length, this.size) + this.count('starting');
    if (have >= this.size) return;
    const ms = have === 0 ? EMPTY_MS : REFILL_MS;
    if (this.refillTimer !== undefined && this.refillDue <= Date.now() + ms) return;
    clearTimeout(this.refillTimer);
    this.refillDue = Date.now() + ms;
    this.refillTimer = setTimeout(() => {
      this.refillTimer = undefined;
      this.refill(ms);
    }, ms);
    this.refillTimer.unref();
  }

  /**
   * Start clients up to `size`. After a wait of `waitedMs` (the refill timer), a
   * client that took its command within that wait counts as coming back: it is
   * serving short commands one after another, and a new client would only be
   * told to leave when it returns; the pool looks again a while later.
   */
  private refill(waitedMs = 0): void {
    if (this.stopping || this.listenFd < 0) return;
    const now = Date.now();
    let returning = 0;
    for (const c of this.clients) if (c.state === 'busy' && now - c.busySince < waitedMs) returning++;
    let n = this.count('idle') + this.count('starting');
    for (; n + returning < this.size; n++) this.spawnOne();
    if (n < this.size) this.balance();
  }

  /**
   * A client could not be started (spawn's 'error': EMFILE, ENFILE, EAGAIN
   * ... the broker's own limits, often used up by a job's tasks). Said once
   * until a client starts again; tried again later, with backoff. Never a
   * throw: the broker keeps running, commands start Node meanwhile.
   */
  private spawnFailed(e: Error): void {
    this.failed++;
    if (this.stopping || this.listenFd < 0 || this.retryTimer !== undefined) return;
    if (this.retryMs === 0) this.h.log('err', `cli-pool: cannot start a warm client: ${e.message}: flux commands start Node until one starts (retrying)`);
    this.retryMs = this.retryMs === 0 ? RETRY_FIRST_MS : Math.min(this.retryMs * 2, RETRY_MAX_MS);
    if (this.count('idle') === 0 && this.count('busy') === 0) this.unpublish();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.refill();
    }, this.retryMs);
    this.retryTimer.unref();
  }

  private spawnOne(): void {
    // after a failed spawn, only the retry timer starts clients
    if (this.stopping || this.listenFd < 0 || this.retryTimer !== undefined) return;
    let proc: ChildProcess;
    try {
      proc = spawn(process.execPath, [path.join(distDir, 'cli', 'pool', 'worker-entry.js')], {
        stdio: ['ignore', 'ignore', 'pipe', this.listenFd, 'pipe'],
        detached: true,
        env: { ...parkForNode(process.env), FLUX_CLI_POOL_PARENT: String(process.pid) },
      });
    } catch (e) {
      this.spawnFailed(e as Error);
      return;
    }
    // EMFILE/ENFILE: Node gives up before it makes the pipes (no stdio at all) and emits 'error' next
    if ((proc.stdio as ChildProcess['stdio'] | undefined) === undefined || !proc.stderr || !proc.stdio[4]) {
      proc.once('error', (e) => this.spawnFailed(e));
      return;
    }
    this.started++;
    const c: Client = { proc, state: 'starting', taken: 0, busySince: 0, ctl: proc.stdio[4] as unknown as Duplex };
    this.clients.add(c);
    let errText = '';
    proc.stderr.on('data', (d: Buffer) => {
      if (errText.length < 2000) errText += d.toString();
    });
    c.ctl.on('data', (d: Buffer) => {
      for (const ch of d.toString()) {
        if (ch === 'r' && (c.state === 'starting' || c.state === 'busy')) {
          c.state = 'idle';
          if (this.retryMs > 0) {
            this.retryMs = 0;
            this.h.log('info', 'cli-pool: warm clients start again');
          }
          this.publish();
          this.balance();
        } else if (ch === 'b' && c.state !== 'busy') {
          // a client told to leave may have taken a command first: it leaves after it
          const leaving = c.state === 'leaving';
          c.state = leaving ? 'leaving' : 'busy';
          c.taken++;
          c.busySince = Date.now();
          this.served++;
          this.failures = 0;
          this.balance();
        }
      }
    });
    c.ctl.on('error', () => undefined);
    proc.on('error', (e) => {
      // it never ran ('exit' does not follow)
      if (this.clients.delete(c)) this.spawnFailed(e);
    });
    proc.on('exit', (code, sig) => {
      const known = this.clients.delete(c);
      if (!known || this.stopping) return;
      if (c.taken > 0) {
        this.retired++;
        this.balance();
        return;
      }
      if (c.state === 'leaving') {
        // started, and not needed after all
        this.unused++;
        return;
      }
      this.failed++;
      this.failures++;
      const why = sig !== null ? `signal ${sig}` : `exit ${code}`;
      this.h.log('warning', `cli-pool: a warm client died before taking a command (${why})${errText ? `: ${errText.trim().split('\n')[0]}` : ''}`);
      if (this.failures >= MAX_FAILURES) {
        this.h.log('err', `cli-pool: ${MAX_FAILURES} warm clients in a row failed: pool off, flux commands start Node`);
        this.close();
        return;
      }
      setTimeout(() => this.spawnOne(), 100 * this.failures).unref();
    });
    proc.unref();
  }
}
