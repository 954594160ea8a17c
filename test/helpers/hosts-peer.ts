/**
 * The network-namespace "hosts" of ../shared/peers/hosts for multi-host tests:
 * whether they can be used here (root, iproute2, the peers folder), one test
 * file at a time (a lock, since the hosts are one system-wide resource and the
 * runner runs two files at once), and brokers started inside a host in the
 * background with their stderr captured.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FLUX, ROOT, run, type Result } from './flux';

export const HOSTS = path.resolve(ROOT, '..', 'shared', 'peers', 'hosts');
export const HOSTS_SSH = path.join(path.dirname(HOSTS), 'hosts-ssh');
export const hostsUsable = fs.existsSync(HOSTS) && process.getuid?.() === 0 && run('sh', ['-c', 'command -v ip']).code === 0;
export const haveHydra = hostsUsable && run('sh', ['-c', 'command -v mpiexec.hydra']).code === 0;

const LOCK = path.join(os.tmpdir(), 'flux-ts-peers-hosts.lock');

/** Run `peers/hosts ARGS...` to completion. */
export function hosts(args: readonly string[], timeoutMs = 120_000): Result {
  return run('bash', [HOSTS, ...args], { timeoutMs });
}

function holderAlive(): boolean {
  try {
    const pid = Number(fs.readFileSync(path.join(LOCK, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Take the hosts for this test file (waits while another file holds them; a dead holder's lock is broken). */
export async function lockHosts(limitMs = 600_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    // a holder that died (or has not written its pid yet, for a moment) leaves the directory
    if (!holderAlive() && Date.now() - fs.statSync(LOCK, { throwIfNoEntry: false })!.mtimeMs > 2000) fs.rmSync(LOCK, { recursive: true, force: true });
    if (Date.now() - t0 > limitMs) throw new Error('gave up waiting for the peers/hosts lock');
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function unlockHosts(): void {
  fs.rmSync(LOCK, { recursive: true, force: true });
}

/** A process started in a host in the background. */
export interface HostProc {
  proc: ChildProcess;
  stderr(): string;
  stdout(): string;
  /** resolves with the exit code */
  exited: Promise<number>;
}

/** Start `flux ARGS...` in `host` without waiting for it. */
export function fluxInHost(host: string, args: readonly string[]): HostProc {
  const proc = spawn('bash', [HOSTS, 'exec', host, FLUX, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}` },
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number>((res) => proc.on('exit', (code, sig) => res(code ?? 128 + (sig ? (os.constants.signals[sig] ?? 0) : 0))));
  return { proc, stderr: () => err, stdout: () => out, exited };
}

/** Poll `cond` every 100 ms until it holds; throws naming `what` after `limitMs` (a bound, not a timing). */
export async function until(cond: () => boolean, what: string, limitMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
