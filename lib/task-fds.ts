/**
 * How many tasks one broker can start at once, from its open-file limit
 * (RLIMIT_NOFILE, `ulimit -n`). A task's pipes are the broker's descriptors:
 * while it starts, both ends of its stdin, stdout, stderr and status pipes
 * and of its PMI socketpair, and the pidfd that watches its flux-task (11:
 * native/task-spawn.h makes them in the loop that starts the job's tasks,
 * before any is handed over; 10.8 a task measured at 1000 tasks), one more
 * to spare; while it runs, about 6. So a node runs at most
 * (limit - TASK_FD_RESERVE) / FDS_PER_TASK tasks of one job; more could never
 * all start (the job would fail with EMFILE, after the broker has spent
 * its loop and its descriptors on them). job-ingest refuses such a job at
 * submit, job-exec at its start (docs/man1/flux-submit.md, "LIMITS").
 */
import { readLimits } from './proc-limits';

/** the broker's descriptors per task while it starts (see above) */
export const FDS_PER_TASK = 12;
/** the broker's own descriptors: sockets, modules, the kvs, warm clients */
export const TASK_FD_RESERVE = 128;

let cached: number | null | undefined;

/** The soft open-file limit of this process; null if unknown or unlimited. */
export function openFileLimit(): number | null {
  if (cached === undefined) {
    // read once, when the first job is checked: the broker's own limit does not change
    const soft = readLimits().get('nofile')?.soft;
    cached = soft === undefined || soft < 0 ? null : soft;
  }
  return cached;
}

/** The most tasks one broker can start for a job; undefined when there is no known limit. */
export function maxTasksPerNode(limit = openFileLimit()): number | undefined {
  if (limit === null) return undefined;
  return Math.max(1, Math.floor((limit - TASK_FD_RESERVE) / FDS_PER_TASK));
}

/**
 * The one-line reason `ntasks` on one node is too many (`where` names the
 * node), or undefined when they fit.
 */
export function tooManyTasks(ntasks: number, where: string): string | undefined {
  const limit = openFileLimit();
  const max = maxTasksPerNode(limit);
  if (max === undefined || limit === null || ntasks <= max) return undefined;
  return `too many tasks: ${ntasks} ${where}, at most ${max} with an open-file limit of ${limit} (ulimit -n: ${FDS_PER_TASK} descriptors a task, ${TASK_FD_RESERVE} for the broker)`;
}
