/**
 * Local resource discovery for one broker: hostname, cores and NVIDIA GPUs.
 * GPUs are counted from /proc/driver/nvidia/gpus or `nvidia-smi -L`; none found
 * (or no driver) is simply zero, never an error.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { spawnSync } from 'node:child_process';

export interface LocalReport {
  rank: number;
  hostname: string;
  ncores: number;
  gpus: number;
}

/** Cores this process may run on, or (norestrict) every core of the host. */
export function countCores(norestrict = false): number {
  const n = !norestrict && typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, n);
}

/** Is there an executable `name` in a PATH directory (as execvp would search)? */
function onPath(name: string): boolean {
  for (const d of process.env['PATH']!.split(':')) {
    try {
      fs.accessSync(`${d || '.'}/${name}`, fs.constants.X_OK);
      return true;
    } catch {
      /* not here */
    }
  }
  return false;
}

/** the host's GPUs, counted once per process (brokers sharing a process share the host) */
let gpusSeen: number | undefined;

export function countGpus(): number {
  gpusSeen ??= countGpusNow();
  return gpusSeen;
}

function countGpusNow(): number {
  try {
    const ents = fs.readdirSync('/proc/driver/nvidia/gpus');
    if (ents.length > 0) return ents.length;
  } catch {
    /* no driver */
  }
  // Look on PATH first: a failed spawn still costs a fork on every broker's start.
  if (process.env['PATH'] !== undefined && !onPath('nvidia-smi')) return 0;
  try {
    const r = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 5000 });
    if (r.status === 0 && r.stdout) return r.stdout.split('\n').filter((l) => /^GPU \d+/.test(l)).length;
  } catch {
    /* not installed */
  }
  return 0;
}

/** Discover this rank's resources (FLUX_RESOURCE_FAKE_GPUS / _CORES override, for tests). */
export function discover(rank: number, env: NodeJS.ProcessEnv = process.env, norestrict = false): LocalReport {
  const fakeCores = Number(env['FLUX_RESOURCE_FAKE_CORES'] ?? '');
  const fakeGpus = Number(env['FLUX_RESOURCE_FAKE_GPUS'] ?? '');
  return {
    rank,
    hostname: os.hostname(),
    ncores: Number.isInteger(fakeCores) && fakeCores > 0 ? fakeCores : countCores(norestrict),
    gpus: Number.isInteger(fakeGpus) && fakeGpus >= 0 && env['FLUX_RESOURCE_FAKE_GPUS'] ? fakeGpus : countGpus(),
  };
}
