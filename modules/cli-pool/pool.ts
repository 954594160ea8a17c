/**
 * Keeps `size` warm clients (cli/pool/worker) waiting on a listening socket
 * beside the broker's local socket (<local-uri path>.pool). A client that takes
 * a command says so on a pipe, and the pool starts the next one at once; the
 * client then belongs to the command (it exits with it). Idle clients die with
 * the broker (PR_SET_PDEATHSIG) and are stopped when the module is removed.
 * Without the native parts (no C compiler at build time) the pool stays off and
 * `flux` starts Node for every command, as before.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { request, type BrokerModule, type Handle } from '../../kernel/api';

interface ListenAddon {
  listen(path: string): number;
}

/** Consecutive clients that die before taking a command, before the pool gives up. */
const MAX_FAILURES = 3;

const distDir = path.join(__dirname, '..', '..');

export interface PoolStats {
  size: number;
  idle: number;
  pids: number[];
  served: number;
  started: number;
  failed: number;
  socket: string;
}

export class CliPool implements BrokerModule {
  readonly handlers = [request('stats-get', () => this.stats())];
  private listenFd = -1;
  private socketPath = '';
  private readonly idle = new Set<ChildProcess>();
  private served = 0;
  private started = 0;
  private failed = 0;
  private failures = 0;
  private stopping = false;

  constructor(
    private readonly h: Handle,
    private readonly size: number,
  ) {}

  start(): void {
    if (this.size === 0) return;
    const addonPath = path.join(distDir, 'native', 'cli-pool.node');
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
    this.listenFd = addon.listen(this.socketPath);
    for (let i = 0; i < this.size; i++) this.spawnOne();
  }

  stop(): void {
    this.stopping = true;
    this.close();
    for (const c of this.idle) c.kill('SIGTERM');
    this.idle.clear();
  }

  private stats(): PoolStats {
    return { size: this.size, idle: this.idle.size, pids: [...this.idle].map((c) => c.pid ?? 0), served: this.served, started: this.started, failed: this.failed, socket: this.socketPath };
  }

  /** No more clients: launchers then find no socket and start Node themselves. */
  private close(): void {
    if (this.listenFd < 0) return;
    fs.rmSync(this.socketPath, { force: true });
    fs.closeSync(this.listenFd);
    this.listenFd = -1;
  }

  private spawnOne(): void {
    if (this.stopping || this.listenFd < 0) return;
    const child = spawn(process.execPath, [path.join(distDir, 'cli', 'pool', 'worker-entry.js')], {
      stdio: ['ignore', 'ignore', 'pipe', this.listenFd, 'pipe'],
      detached: true,
      env: { ...process.env, FLUX_CLI_POOL_PARENT: String(process.pid) },
    });
    this.started++;
    this.idle.add(child);
    let errText = '';
    let taken = false;
    child.stderr!.on('data', (d: Buffer) => {
      if (errText.length < 2000) errText += d.toString();
    });
    const takenPipe = child.stdio[4] as NodeJS.ReadableStream;
    takenPipe.on('data', () => {
      if (taken) return;
      taken = true;
      this.idle.delete(child);
      this.served++;
      this.failures = 0;
      this.spawnOne();
    });
    takenPipe.on('error', () => undefined);
    child.on('error', (e) => {
      this.h.log('err', `cli-pool: cannot start a warm client: ${e.message}`);
    });
    child.on('exit', (code, sig) => {
      if (taken || !this.idle.delete(child) || this.stopping) return;
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
