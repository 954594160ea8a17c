/**
 * The shell options `cpu-affinity` and `gpu-affinity` (flux-shell-options(7)):
 *
 *   on        (the default) every task of a shell is bound to the cores its
 *             shell was given / sees the GPUs its shell was given
 *   off       no binding / CUDA_VISIBLE_DEVICES is left as the job's environment has it
 *             (with `on` or `per-task`, a shell given no GPUs sets it to -1: none)
 *   per-task  the shell's cores (GPUs) are divided among its tasks, in order
 *   map:LIST  task i of the shell gets the i-th entry of LIST, a `;`-separated
 *             list of idsets (`0-1;2-3`) or hex masks (`0x3;0xc`) of CPUs (GPUs)
 *
 * Core i of R is the i-th CPU this broker may use (Cpus_allowed_list). This
 * file is the policy; the binding is the host's (modules/job-exec/bind-cpus.ts).
 */
import { idset } from '../../../kernel/api';
import { allowedCpus, cpuBindingAvailable } from '../../../modules/job-exec/plugin-api';

/** Whether an affinity option's value is one the shell knows (job-ingest checks the same). */
export function affinitySyntaxError(name: string, v: unknown): string | undefined {
  if (v === undefined || v === 'on' || v === 'off' || v === 'per-task') return undefined;
  if (typeof v === 'string' && v.startsWith('map:')) {
    try {
      parseMap(v.slice(4));
      return undefined;
    } catch (e) {
      return `${name}: ${(e as Error).message}`;
    }
  }
  return `${name}: invalid option ${JSON.stringify(v)} (expected on, off, per-task or map:LIST)`;
}

/** `0-1;2-3` or `0x3;0xc`: one set of ids per task. */
export function parseMap(list: string): number[][] {
  if (list === '') throw new Error('map: empty list');
  return list.split(';').map((entry) => {
    const e = entry.trim();
    if (/^0x[0-9a-f]+$/i.test(e)) {
      const bits = BigInt(e);
      const out: number[] = [];
      for (let i = 0; bits >> BigInt(i) > 0n; i++) if ((bits >> BigInt(i)) & 1n) out.push(i);
      if (out.length === 0) throw new Error(`map: empty mask '${e}'`);
      return out;
    }
    if (!/^[0-9][0-9,-]*$/.test(e)) throw new Error(`map: invalid entry '${e}'`);
    try {
      const ids = idset.decode(e);
      if (ids.length === 0) throw new Error('empty');
      return ids;
    } catch {
      throw new Error(`map: invalid entry '${e}'`);
    }
  });
}

/** `ids` divided among `ntasks` tasks, in order (tasks share ids when there are fewer ids than tasks). */
export function divide(ids: readonly number[], ntasks: number): number[][] {
  const n = ids.length;
  const out: number[][] = [];
  for (let i = 0; i < ntasks; i++) {
    if (n === 0) out.push([]);
    else if (ntasks <= n) out.push(ids.slice(Math.floor((i * n) / ntasks), Math.floor(((i + 1) * n) / ntasks)));
    else out.push([ids[Math.floor((i * n) / ntasks)]!]);
  }
  return out;
}

/**
 * The CPUs each of a shell's `ntasks` tasks is bound to (undefined: not bound),
 * from the option and the shell's cores (an idset of R's core indexes). A map
 * that names a CPU this broker cannot use, or has fewer entries than tasks,
 * throws: the shell fails with that line.
 */
export function taskCpuSets(option: unknown, cores: string, ntasks: number): Array<number[] | undefined> {
  const none = () => Array.from({ length: ntasks }, () => undefined);
  if (option === 'off') return none();
  if (!cpuBindingAvailable()) {
    if (option === undefined || option === 'on') return none();
    throw new Error(`cpu-affinity=${String(option)}: not available: flux-ts was built without its native addon`);
  }
  const cpus = allowedCpus();
  if (typeof option === 'string' && option.startsWith('map:')) {
    const map = parseMap(option.slice(4));
    if (map.length < ntasks) throw new Error(`cpu-affinity: map has ${map.length} entries for ${ntasks} tasks`);
    const allowed = new Set(cpus);
    for (const set of map) {
      const bad = set.find((c) => !allowed.has(c));
      if (bad !== undefined) throw new Error(`cpu-affinity: map: cpu ${bad} is not available (this broker has ${idset.encode(cpus)})`);
    }
    return map.slice(0, ntasks);
  }
  const mine = cores ? idset.decode(cores).map((i) => cpus[i]).filter((c): c is number => c !== undefined) : [];
  if (mine.length === 0) return none();
  if (option === 'per-task') return divide(mine, ntasks);
  // on: the shell's cores (the whole of what the broker may use needs no binding)
  if (mine.length >= cpus.length) return none();
  return Array.from({ length: ntasks }, () => mine);
}

/**
 * CUDA_VISIBLE_DEVICES of each task (undefined: left as the environment has
 * it), from `gpu-affinity` and the shell's GPUs (an idset).
 */
export function taskGpuSets(option: unknown, gpus: string, ntasks: number): Array<string | undefined> {
  const mine = gpus ? idset.decode(gpus) : [];
  if (option === 'off') return Array.from({ length: ntasks }, () => undefined);
  if (typeof option === 'string' && option.startsWith('map:')) {
    const map = parseMap(option.slice(4));
    if (map.length < ntasks) throw new Error(`gpu-affinity: map has ${map.length} entries for ${ntasks} tasks`);
    return map.slice(0, ntasks).map((s) => s.join(','));
  }
  // a shell without GPUs: its tasks must not use the node's (as Flux: -1)
  if (mine.length === 0) return Array.from({ length: ntasks }, () => '-1');
  if (option === 'per-task') return divide(mine, ntasks).map((s) => (s.length > 0 ? s.join(',') : '-1'));
  return Array.from({ length: ntasks }, () => mine.join(','));
}

