/**
 * CPU binding, the mechanism (the affinity plugin, plugins/shell/affinity, is
 * the policy: which CPUs a task gets). The binding is made by flux-task
 * (native/flux-task.c) before the task's exec, so a task never runs a moment
 * unbound; without the addon (no C compiler at build time) the task is bound
 * right after its spawn, through bindTask.
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
export function allowedCpus(): number[] {
  if (brokerCpus === undefined) {
    try {
      // the broker's own /proc entry, read once
      const m = /^Cpus_allowed_list:\s*(\S+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
      brokerCpus = m ? idset.decode(m[1]!) : [];
    } catch {
      brokerCpus = [];
    }
  }
  return brokerCpus;
}

/** Whether tasks can be bound to CPUs here (the native addon is built). */
export function cpuBindingAvailable(): boolean {
  return loadAddon() !== null;
}

/** Bind a task; a task that already exited is no error. */
export function bindTask(pid: number, cpus: readonly number[]): void {
  try {
    loadAddon()?.setAffinity(pid, [...cpus]);
  } catch {
    /* gone already */
  }
}
