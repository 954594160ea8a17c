/**
 * One test at a time for a machine-wide peer (the Slurm of ../shared/peers/slurm
 * is started and stopped by t0102 and t1113, which the runner may run side by
 * side): a lock file holding the owner's pid, taken with O_EXCL, waited for
 * while another live test holds it, and taken over from a holder that died.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitUntil } from './wait';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryTake(file: string): boolean {
  try {
    fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    const holder = Number(fs.readFileSync(file, { encoding: 'utf8', flag: 'r' }) || 0);
    if (holder > 0 && !alive(holder)) fs.rmSync(file, { force: true });
    return false;
  }
}

/** run fn while holding the lock named `name` (waits up to 10 minutes for another holder) */
export async function withPeerLock<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const file = path.join(os.tmpdir(), `flux-ts-peer-${name}.lock`);
  await waitUntil(() => tryTake(file), { what: `the ${name} peer lock (${file})`, timeoutMs: 600_000, intervalMs: 250 });
  try {
    return await fn();
  } finally {
    fs.rmSync(file, { force: true });
  }
}
