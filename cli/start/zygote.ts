/**
 * The front end's side of the broker zygote (cli/broker-zygote.ts,
 * native/zygote.h, ADR 0024): one Node process that forks ranks 1 to N-1 of
 * a test instance. Each rank's PMI socket and guard pipe are made here, as
 * for a spawned broker, and passed to the zygote at its spawn; a rank is
 * started by writing its number on the control socket, and its pid and
 * wait status come back on it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as net from 'node:net';
import { nativeAddon } from '../../lib/native';
import { signalName } from '../../lib/strsignal';

/** what a started rank hears: its pid, then its end (exit code, or the signal that killed it) */
export interface ForkedBroker {
  onStart(pid: number): void;
  onFail(errno: number): void;
  onExit(code: number | null, signal: NodeJS.Signals | null): void;
}

/**
 * the V8 flags of the zygote (see native/zygote.h): no work on threads a fork
 * loses. --single-threaded-gc leaves the sweeping of array buffers concurrent:
 * a sweep begun by the zygote's last collection and cut off by the fork was
 * waited for at the child's first full collection, forever (an idle follower
 * hung when its idle reduction came). None of them changes V8's flag hash:
 * the bundle's code cache stays valid.
 */
const ZYGOTE_FLAGS = ['--single-threaded-gc', '--no-concurrent-recompilation', '--no-concurrent-array-buffer-sweeping'];
/** the first rank's PMI descriptor in the zygote (3 is the control socket) */
const PAIR_LO = 4;
/** ranks one zygote forks at most (its descriptors: two a rank) */
export const ZYGOTE_MAX_RANKS = 4095;

/** Whether this build forks brokers: the addon's fork server and exit hook, and the zygote's entry. */
export function zygoteAvailable(): boolean {
  const a = nativeAddon<{ zygoteServe: unknown; zygoteRetitle: unknown; exitWithoutTeardown: unknown }>();
  return typeof a?.zygoteServe === 'function' && typeof a.zygoteRetitle === 'function' && typeof a.exitWithoutTeardown === 'function' && fs.existsSync(zygoteEntry());
}

const zygoteEntry = () => path.join(__dirname, '..', 'broker-zygote.js');

export class BrokerZygote {
  private readonly proc: ChildProcess;
  private readonly ctl: net.Socket;
  private readonly waiting = new Map<number, ForkedBroker>();
  private readonly running = new Map<number, ForkedBroker>();
  private partial = '';
  private gone = false;

  /**
   * `size` ranks in all (rank 0 is not the zygote's); `args` every follower's
   * broker arguments; `hosts` each rank's host name (--test-hosts).
   */
  constructor(size: number, args: string[], env: NodeJS.ProcessEnv, hosts: string[] | undefined) {
    const pairs = size - 1;
    const stdio: Array<'inherit' | 'pipe'> = ['inherit', 'inherit', 'inherit', 'pipe'];
    for (let i = 0; i < 2 * pairs; i++) stdio.push('pipe');
    const zenv = { ...env };
    if (hosts !== undefined) zenv['FLUX_ZYGOTE_HOSTS'] = JSON.stringify(hosts);
    // room for a rank's digits, which a forked broker writes over it (native/zygote.h)
    zenv['PMI_RANK'] = '#'.repeat(10);
    this.proc = spawn(process.execPath, [...ZYGOTE_FLAGS, '--', zygoteEntry(), String(PAIR_LO), String(PAIR_LO + 2 * pairs - 1), ...args], {
      stdio,
      env: zenv,
      // a terminal's ^C is for the front end and rank 0 (cli/start/test-mode.ts)
      detached: true,
    });
    this.proc.unref();
    this.ctl = this.proc.stdio[3] as net.Socket;
    this.ctl.setEncoding('utf8');
    this.ctl.on('data', (s: string) => this.read(s));
    this.ctl.on('error', () => {});
    this.ctl.on('close', () => this.lost());
    this.proc.on('error', () => this.lost());
  }

  /** rank R's PMI socket and guard pipe, this end */
  sockets(rank: number): { pmi: net.Socket | null; guard: net.Socket | null } {
    const i = PAIR_LO + 2 * (rank - 1);
    return { pmi: this.proc.stdio[i] as net.Socket | null, guard: this.proc.stdio[i + 1] as net.Socket | null };
  }

  start(rank: number, b: ForkedBroker): void {
    if (this.gone) {
      b.onFail(os.constants.errno.ECHILD);
      return;
    }
    this.waiting.set(rank, b);
    this.ctl.write(`${rank}\n`);
  }

  /** No more ranks to start or wait for: the zygote exits. */
  close(): void {
    this.ctl.end();
  }

  private read(s: string): void {
    const lines = (this.partial + s).split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) {
      const [kind, a, b] = line.split(' ');
      const x = Number(a);
      const y = Number(b);
      if (kind === 'P') {
        const br = this.waiting.get(x);
        this.waiting.delete(x);
        if (br === undefined) continue;
        this.running.set(y, br);
        br.onStart(y);
      } else if (kind === 'E') {
        const br = this.waiting.get(x);
        this.waiting.delete(x);
        br?.onFail(y);
      } else if (kind === 'X') {
        const br = this.running.get(x);
        this.running.delete(x);
        if ((y & 0x7f) === 0) br?.onExit((y >> 8) & 0xff, null);
        else br?.onExit(null, signalName(y & 0x7f) ?? null);
      }
    }
  }

  /**
   * The zygote ended while brokers it forked run: their ends can no longer be
   * seen, so they are ended now (SIGKILL) and reported killed.
   */
  private lost(): void {
    if (this.gone) return;
    this.gone = true;
    for (const [pid, br] of this.running) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      br.onExit(null, 'SIGKILL');
    }
    this.running.clear();
    for (const br of this.waiting.values()) br.onFail(os.constants.errno.ECHILD);
    this.waiting.clear();
  }
}
