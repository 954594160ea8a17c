/**
 * A task that could not start because the node is out of descriptors or
 * processes (EMFILE, ENFILE, EAGAIN): not this task's fault but the job's
 * size, so the job gets one exception that says so (not one per task), and
 * its other tasks are killed (shell.ts). lib/task-fds.ts refuses most such
 * jobs before they start; this is what is left (other jobs' tasks, a lower
 * limit on this node).
 */
/** what each shortage is, as the job's note says it (strerror's words, but EAGAIN's: a fork's) */
const SHORTAGE: Readonly<Record<string, string>> = {
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in system',
  EAGAIN: 'out of processes (EAGAIN)',
};

/** The job's one note for a start that failed with a shortage, or undefined for any other failure. */
export function shortageNote(e: NodeJS.ErrnoException, host: string, ntasks: number): string | undefined {
  const what = e.code !== undefined && Object.hasOwn(SHORTAGE, e.code) ? SHORTAGE[e.code] : undefined;
  if (what === undefined) return undefined;
  return `host ${host}: start failed: ${what} (job has ${ntasks} task${ntasks === 1 ? '' : 's'} on this node)`;
}
