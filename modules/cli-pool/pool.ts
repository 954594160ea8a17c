/**
 * Keeps `size` warm clients (cli/pool/worker) waiting on a listening socket
 * beside the broker's local socket. The socket is bound under a private name
 * and renamed to `<local-uri path>.pool`, where launchers look, once the first
 * client is ready: until then a launcher finds nothing and starts Node at once
 * instead of waiting. The first clients start a moment after the module (an
 * instance that only runs `true` never pays for them, and brokers starting
 * beside it keep the CPU). A client says "ready" and later "taken" on a pipe;
 * when one is taken the pool starts the next at once, and the client belongs to
 * the command (it exits with it). Idle clients die with the broker
 * (PR_SET_PDEATHSIG) and are stopped when the module is removed. Without the
 * native parts (no C compiler at build time) the pool stays off and `flux`
 * starts Node for every command, as before.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { methods, type BrokerModule, type Handle } from '../../kernel/api';
import type { CliPoolProtocol, CliPoolStatsGetResponse } from '../../lib/protocol/cli-pool';

/** handler entries checked against modules/cli-pool/protocol.avsc */
const method = methods<CliPoolProtocol>();

interface ListenAddon {
  listen(path: string): number;
}

/** Consecutive clients that die before taking a command, before the pool gives up. */
const MAX_FAILURES = 3;
/** How long after the module starts the first clients are started. */
const FIRST_SPAWN_MS = 500;

const distDir = path.join(__dirname, '..', '..');

/** what stats-get answers (modules/cli-pool/protocol.avsc) */
export type PoolStats = CliPoolStatsGetResponse;

export class CliPool implements BrokerModule {
  readonly handlers = [method('stats-get', () => this.stats())];
  private listenFd = -1;
  private boundPath = '';
  private socketPath = '';
  private published = false;
  private readonly starting = new Set<ChildProcess>();
  private readonly ready = new Set<ChildProcess>();
  private served = 0;
  private started = 0;
  private failed = 0;
  private failures = 0;
  private stopping = false;
  private firstTimer: NodeJS.Timeout | undefined;

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
    this.firstTimer = setTimeout(() => {
      for (let i = 0; i < this.size; i++) this.spawnOne();
    }, FIRST_SPAWN_MS);
    this.firstTimer.unref();
  }

  stop(): void {
    this.stopping = true;
    clearTimeout(this.firstTimer);
    this.close();
    for (const c of [...this.starting, ...this.ready]) c.kill('SIGTERM');
    this.starting.clear();
    this.ready.clear();
  }

  private stats(): PoolStats {
    return {
      size: this.size,
      idle: this.ready.size,
      pids: [...this.ready].map((c) => c.pid ?? 0),
      starting: this.starting.size,
      served: this.served,
      started: this.started,
      failed: this.failed,
      socket: this.published ? this.socketPath : '',
    };
  }

  /** Launchers may connect from now on. */
  private publish(): void {
    if (this.published || this.listenFd < 0) return;
    fs.renameSync(this.boundPath, this.socketPath);
    this.boundPath = this.socketPath;
    this.published = true;
  }

  /** No more clients: launchers then find no socket and start Node themselves. */
  private close(): void {
    if (this.listenFd < 0) return;
    fs.rmSync(this.boundPath, { force: true });
    fs.closeSync(this.listenFd);
    this.listenFd = -1;
    this.published = false;
  }

  private spawnOne(): void {
    if (this.stopping || this.listenFd < 0) return;
    const child = spawn(process.execPath, [path.join(distDir, 'cli', 'pool', 'worker-entry.js')], {
      stdio: ['ignore', 'ignore', 'pipe', this.listenFd, 'pipe'],
      detached: true,
      env: { ...process.env, FLUX_CLI_POOL_PARENT: String(process.pid) },
    });
    this.started++;
    this.starting.add(child);
    let errText = '';
    let taken = false;
    child.stderr!.on('data', (d: Buffer) => {
      if (errText.length < 2000) errText += d.toString();
    });
    const pipe = child.stdio[4] as NodeJS.ReadableStream;
    pipe.on('data', (d: Buffer) => {
      for (const ch of d.toString()) {
        if (ch === 'r' && this.starting.delete(child)) {
          this.ready.add(child);
          this.publish();
        } else if (ch === 'b' && !taken) {
          taken = true;
          this.starting.delete(child);
          this.ready.delete(child);
          this.served++;
          this.failures = 0;
          this.spawnOne();
        }
      }
    });
    pipe.on('error', () => undefined);
    child.on('error', (e) => {
      this.h.log('err', `cli-pool: cannot start a warm client: ${e.message}`);
    });
    child.on('exit', (code, sig) => {
      const wasIdle = this.starting.delete(child) || this.ready.delete(child);
      if (taken || !wasIdle || this.stopping) return;
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
    child.unref();
  }
}
