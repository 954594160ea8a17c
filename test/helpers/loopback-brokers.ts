/**
 * Brokers of one static config on loopback, told apart by -Shostname (the
 * multi-broker tests without network namespaces): a port nothing listens on,
 * `flux start` as one broker in its own process group with its stderr kept
 * and its exit code, and the end of that group. A broker not given a rundir
 * gets one of its own, which its end removes: a broker killed with SIGKILL
 * cannot remove the one it would have made in /tmp.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { FLUX, ROOT } from './flux';

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface LoopbackBroker {
  proc: ChildProcess;
  stderr(): string;
  /** its exit code (128 + the signal), once it has exited */
  code(): number | undefined;
  /** the rundir made for it (none when ARGS set one) */
  rundir?: string;
}

/** `flux start ARGS PROGRAM` in its own process group, its stderr kept. */
export function startBroker(args: readonly string[], program: readonly string[] = ['true']): LoopbackBroker {
  const rundir = args.some((a) => a.includes('-Srundir=')) ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'flux-lb-'));
  const proc = spawn(FLUX, ['start', ...args, ...(rundir ? [`-o,-Srundir=${rundir}`] : []), ...program], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
    env: { ...process.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}` },
  });
  let err = '';
  let code: number | undefined;
  proc.stderr!.on('data', (d) => (err += d));
  proc.on('exit', (c, sig) => (code = c ?? 128 + (sig ? (os.constants.signals[sig] ?? 0) : 0)));
  return { proc, stderr: () => err, code: () => code, rundir };
}

/** SIGKILL to the broker's whole process group (nothing left behind, on failure too). */
export function killGroup(b: LoopbackBroker | undefined): void {
  try {
    if (b) process.kill(-b.proc.pid!, 'SIGKILL');
  } catch {
    /* gone */
  }
  if (b?.rundir) fs.rmSync(b.rundir, { recursive: true, force: true });
}
