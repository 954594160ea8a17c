/**
 * The shell option `cpu-affinity` (Flux's default `on`; `off` disables): each
 * task is bound to the cores its shell was given, so what it starts sees only
 * those (a Flux instance started as the job discovers its allocation, not the
 * whole node). Core i of R is the i-th CPU this broker may use. The binding is
 * made right after the spawn, with the flux-ts addon (dist/native/flux-ts.node);
 * without the addon (no C compiler at build time) tasks are not bound.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { idset } from '../../kernel/api';

interface AffinityAddon {
  setAffinity(pid: number, cpus: number[]): void;
}

let addon: AffinityAddon | null | undefined;
let brokerCpus: number[] | undefined;

function loadAddon(): AffinityAddon | null {
  if (addon === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      addon = require(path.join(__dirname, '..', '..', 'native', 'flux-ts.node')) as AffinityAddon;
    } catch {
      addon = null;
    }
  }
  return addon;
}

/** The CPUs this process may run on (Cpus_allowed_list), in order. */
function allowedCpus(): number[] {
  if (brokerCpus === undefined) {
    try {
      const m = /^Cpus_allowed_list:\s*(\S+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
      brokerCpus = m ? idset.decode(m[1]!) : [];
    } catch {
      brokerCpus = [];
    }
  }
  return brokerCpus;
}

/** The CPUs to bind this shell's tasks to, or undefined: no binding (off, whole node, unknown). */
export function taskCpus(option: unknown, cores: string): number[] | undefined {
  if (option === 'off' || !cores || loadAddon() === null) return undefined;
  const cpus = allowedCpus();
  const mine = idset.decode(cores).map((i) => cpus[i]).filter((c): c is number => c !== undefined);
  if (mine.length === 0 || mine.length >= cpus.length) return undefined;
  return mine;
}

/** Bind a task; a task that already exited is no error. */
export function bindTask(pid: number, cpus: readonly number[]): void {
  try {
    loadAddon()?.setAffinity(pid, [...cpus]);
  } catch {
    /* gone already */
  }
}
