/**
 * How many test brokers this machine can hold, checked before `flux start
 * --test-size=N` starts anything: N broker processes (or N brokers in one
 * process with --test-in-process) that cannot fit would only thrash the host
 * until something kills them. The rule uses what the machine says it has:
 *
 * - separate processes: each is a Node process of ~40-50 MiB resident
 *   (docs/notes/in-process-brokers.md) and ~12 tasks (threads, and the broker's
 *   reaper), against the memory available (MemAvailable, or a cgroup limit
 *   below it) and the tasks RLIMIT_NPROC allows;
 * - in one process: ~150 KiB per broker measured at 1024 brokers, and one
 *   local socket each, against V8's heap limit (and the memory available)
 *   and RLIMIT_NOFILE, less a margin for the process itself and its clients.
 */
import { readLimits } from '../../lib/proc-limits';
import * as os from 'node:os';
import * as v8 from 'node:v8';
import { CommandExit } from '../base-command';

const MiB = 2 ** 20;
/** resident memory of one broker process (rounded up from 40-50 MiB measured) */
export const PROCESS_BYTES = 48 * MiB;
/** tasks one broker process counts against RLIMIT_NPROC: its threads and its reaper */
export const PROCESS_TASKS = 12;
/** heap of one in-process broker (150 KiB measured, rounded up) */
export const INPROC_BYTES = 256 * 1024;
/** descriptors kept free for the process itself and the instance's clients */
export const INPROC_SPARE_FDS = 64;

export interface Machine {
  /** bytes of memory available to new processes */
  available: number;
  /** RLIMIT_NPROC (soft), Infinity when unlimited or unknown */
  nproc: number;
  /** RLIMIT_NOFILE (soft) of this process, Infinity when unlimited or unknown */
  nofile: number;
  /** V8's heap limit for this process, in bytes */
  heapLimit: number;
}

/** What this machine (and this process) has now. */
export function thisMachine(): Machine {
  const limits = readLimits();
  const soft = (name: string) => {
    const v = limits.get(name)?.soft;
    return v === undefined || v < 0 ? Infinity : v;
  };
  const cgroup = process.constrainedMemory?.() ?? 0;
  const available = cgroup > 0 ? Math.min(os.freemem(), cgroup) : os.freemem();
  return {
    available,
    nproc: soft('nproc'),
    nofile: soft('nofile'),
    heapLimit: v8.getHeapStatistics().heap_size_limit,
  };
}

const mib = (bytes: number) => `${Math.floor(bytes / MiB)} MiB`;

/**
 * Why `n` brokers do not fit on machine `m` (one line, for flux-start: ...),
 * or undefined when they do. The bound that bites first is the one named.
 */
export function sizeRefusal(n: number, inProcess: boolean, m: Machine): string | undefined {
  const heap = Math.min(m.heapLimit, m.available);
  const bounds: Array<[number, string]> = inProcess
    ? [
        [Math.floor(heap / INPROC_BYTES), `256 KiB each, ${heap < m.heapLimit ? 'memory available' : 'heap limit'} ${mib(heap)}`],
        [m.nofile - INPROC_SPARE_FDS, `one socket each, RLIMIT_NOFILE ${m.nofile}`],
      ]
    : [
        [Math.floor(m.available / PROCESS_BYTES), `${mib(PROCESS_BYTES)} each, memory available ${mib(m.available)}`],
        [Math.floor(m.nproc / PROCESS_TASKS), `${PROCESS_TASKS} tasks each, RLIMIT_NPROC ${m.nproc}`],
      ];
  const [max, why] = bounds.reduce((a, b) => (b[0] < a[0] ? b : a));
  if (n <= max) return undefined;
  const where = inProcess ? 'one process' : 'this machine';
  const hint = inProcess ? '' : '; --test-in-process runs many brokers in one process';
  return `--test-size=${n}: more brokers than ${where} can hold (at most ${Math.max(max, 0)}: ${why})${hint}`;
}

/** Refuse (flux-start: ..., exit 1) a size this machine cannot hold, before anything starts. */
export function checkSize(n: number, inProcess: boolean): void {
  const why = sizeRefusal(n, inProcess, thisMachine());
  if (why !== undefined) throw new CommandExit(1, `flux-start: ${why}`);
}
