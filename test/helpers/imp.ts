/**
 * The privileged helper for tests that run jobs as their submitters (issue
 * 12, flux-imp(8)): a munged of the test's own (a fresh key and a private
 * socket, so no system daemon is needed or touched) and the IMP installed
 * setuid root by the install step into a private prefix. Root only.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT, run } from './flux';
import { until } from './wait';

/** why the IMP cannot be used here, or undefined */
export const impMissing: string | undefined =
  process.getuid?.() !== 0
    ? 'needs root (installs a setuid program)'
    : !fs.existsSync(path.join(ROOT, 'dist', 'native', 'flux-imp'))
      ? 'flux-imp is not built (it needs libmunge-dev)'
      : run('sh', ['-c', 'command -v munged && command -v munge']).code !== 0
        ? 'needs munge and munged (apt-get install munge)'
        : undefined;

export interface Munged {
  /** the socket clients and the IMP use (FLUX_MUNGE_SOCKET, --munge-socket) */
  socket: string;
  /** munged's pid (a test's exit handler may kill it) */
  pid: number | undefined;
  stop(): void;
}

/** Start munged in `dir` (created, 0755) with a new key; resolves once its socket is there. */
export async function startMunged(dir: string): Promise<Munged> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'key'), crypto.randomBytes(1024), { mode: 0o400 });
  const socket = path.join(dir, 'socket');
  const files = ['key-file=key', 'pid-file=pid', 'seed-file=seed', 'log-file=log'].map((o) => `--${o.replace('=', `=${dir}/`)}`);
  const p: ChildProcess = spawn('munged', ['-F', '--force', `--socket=${socket}`, ...files], { stdio: 'ignore', detached: true });
  await until(() => fs.existsSync(socket) || p.exitCode !== null, 'munged starts');
  if (!fs.existsSync(socket)) throw new Error('munged did not start');
  return {
    socket,
    pid: p.pid,
    stop: () => {
      if (p.pid !== undefined && p.exitCode === null) process.kill(p.pid, 'SIGTERM');
    },
  };
}

/** `npm run install-imp` into `prefix` for the instance owner `owner`; returns the IMP's path (for `[exec] imp`). */
export function installImp(prefix: string, owner: string, mungeSocket: string): string {
  const r = run(process.execPath, [path.join(ROOT, 'scripts', 'install-imp.js'), `--prefix=${prefix}`, `--owner=${owner}`, `--munge-socket=${mungeSocket}`]);
  if (r.code !== 0) throw new Error(`install-imp: ${r.stderr}`);
  return path.join(prefix, 'libexec', 'flux-ts', 'flux-imp');
}
