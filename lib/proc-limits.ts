/**
 * A process's resource limits as /proc/PID/limits shows them (Linux): each
 * RLIMIT_* name with its number and the label of its line, and a reader of
 * the soft and hard values (-1 = unlimited). One parser for the submitting
 * CLI (the submitter's limits go with a job), the job shell's rlimit plugin
 * (the broker's hard limits), the task limit a broker can start
 * (lib/task-fds.ts) and flux start's size check.
 */
import * as fs from 'node:fs';

/** Linux's RLIMIT_* numbers and the /proc/PID/limits label of each, in Flux's order of names. */
export const RLIMITS: Readonly<Record<string, readonly [number, string]>> = {
  cpu: [0, 'Max cpu time'],
  fsize: [1, 'Max file size'],
  data: [2, 'Max data size'],
  stack: [3, 'Max stack size'],
  core: [4, 'Max core file size'],
  rss: [5, 'Max resident set'],
  nproc: [6, 'Max processes'],
  nofile: [7, 'Max open files'],
  memlock: [8, 'Max locked memory'],
  as: [9, 'Max address space'],
  locks: [10, 'Max file locks'],
  sigpending: [11, 'Max pending signals'],
  msgqueue: [12, 'Max msgqueue size'],
  nice: [13, 'Max nice priority'],
  rtprio: [14, 'Max realtime priority'],
  rttime: [15, 'Max realtime timeout'],
};

export interface Limit {
  /** -1 = unlimited */
  soft: number;
  hard: number;
}

/**
 * The limits of process `pid` by RLIMIT name (a name /proc does not show, or
 * a system without /proc, is absent). A small read of the kernel's own
 * entry, never of a path a job or client names.
 */
export function readLimits(pid: number | 'self' = 'self'): Map<string, Limit> {
  const out = new Map<string, Limit>();
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/limits`, 'utf8');
  } catch {
    return out;
  }
  const lines = text.split('\n');
  const value = (v: string | undefined) => (v === 'unlimited' ? -1 : v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
  for (const [name, [, label]] of Object.entries(RLIMITS)) {
    const line = lines.find((l) => l.startsWith(label + ' '));
    if (!line) continue;
    const [soft, hard] = line.slice(label.length).trim().split(/\s+/).map(value);
    if (soft !== undefined && hard !== undefined) out.set(name, { soft, hard });
  }
  return out;
}
