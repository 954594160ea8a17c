/**
 * The uid this process runs as: the instance owner's, for a broker (a job
 * run as a guest runs under the IMP, another process). getuid() is a system
 * call; the job path asked it several times a job.
 */
export const OWNER_UID = process.getuid?.() ?? 0;
