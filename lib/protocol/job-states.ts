/**
 * RFC 21 job states as the bits job-manager.list, raiseall and the job
 * eventlog's clients use, and RFC 21's results: one definition for the job
 * manager and its clients (no `states: 126` at a call site).
 */
export const JobState = {
  NEW: 1,
  DEPEND: 2,
  PRIORITY: 4,
  SCHED: 8,
  RUN: 16,
  CLEANUP: 32,
  INACTIVE: 64,
} as const;
export type JobStateBit = (typeof JobState)[keyof typeof JobState];

/** state masks */
export const JobStates = {
  PENDING: JobState.DEPEND | JobState.PRIORITY | JobState.SCHED,
  RUNNING: JobState.RUN | JobState.CLEANUP,
  ACTIVE: JobState.DEPEND | JobState.PRIORITY | JobState.SCHED | JobState.RUN | JobState.CLEANUP,
  /** every job the job manager lists: active or inactive (NEW is never seen) */
  ALL: JobState.DEPEND | JobState.PRIORITY | JobState.SCHED | JobState.RUN | JobState.CLEANUP | JobState.INACTIVE,
} as const;

export const JobResult = { COMPLETED: 1, FAILED: 2, CANCELED: 4, TIMEOUT: 8 } as const;
