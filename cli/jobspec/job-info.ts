/**
 * What the job commands share about a job record from `job-manager.list`:
 * state and result names, exit code, inactive reason, and job id argument
 * parsing.
 */
import { strsignal } from '../../lib/strsignal';
import { tryParseJobId } from '../../lib/formats';
import { JobResult, JobState, JobStates } from '../../lib/protocol/job-states';

export interface JobRecord {
  id: number;
  userid: number;
  urgency: number;
  priority: number;
  state: number;
  name: string;
  cwd?: string;
  queue?: string;
  /** absent until the job has resources when only they tell it (--tasks-per-core with -N) */
  ntasks?: number;
  ncores?: number;
  nnodes?: number;
  duration?: number;
  ranks?: string;
  nodelist?: string;
  expiration?: number;
  t_submit: number;
  t_depend?: number;
  t_run?: number;
  t_cleanup?: number;
  t_inactive?: number;
  result?: number;
  success?: boolean;
  waitstatus?: number;
  exception_occurred?: boolean;
  exception_type?: string;
  exception_severity?: number;
  exception_note?: string;
  annotations?: Record<string, unknown>;
  /** outstanding dependency descriptions while in DEPEND */
  dependencies?: string[];
}

export const STATES: Record<string, number> = {
  depend: JobState.DEPEND,
  priority: JobState.PRIORITY,
  sched: JobState.SCHED,
  run: JobState.RUN,
  cleanup: JobState.CLEANUP,
  inactive: JobState.INACTIVE,
  pending: JobStates.PENDING,
  running: JobStates.RUNNING,
  active: JobStates.ACTIVE,
};
export const RESULTS: Record<string, number> = { completed: JobResult.COMPLETED, failed: JobResult.FAILED, canceled: JobResult.CANCELED, timeout: JobResult.TIMEOUT };

/**
 * `-f STATE|RESULT,...` of flux jobs and flux pstree: the state mask and the
 * result mask (a result implies the inactive state), or the word that is
 * neither.
 */
export function parseFilter(filter: string): { states: number; results: number } | { bad: string } {
  let states = 0;
  let results = 0;
  for (const f of filter.split(',')) {
    const k = f.trim().toLowerCase();
    if (k in STATES) states |= STATES[k]!;
    else if (k in RESULTS) results |= RESULTS[k]!;
    else return { bad: f };
  }
  if (results) states |= STATES['inactive']!;
  return { states, results };
}

const STATE_NAME: Record<number, string> = { 1: 'NEW', 2: 'DEPEND', 4: 'PRIORITY', 8: 'SCHED', 16: 'RUN', 32: 'CLEANUP', 64: 'INACTIVE' };
const STATE_SINGLE: Record<number, string> = { 1: 'N', 2: 'D', 4: 'P', 8: 'S', 16: 'R', 32: 'C', 64: 'I' };
const RESULT_NAME: Record<number, string> = { 1: 'COMPLETED', 2: 'FAILED', 4: 'CANCELED', 8: 'TIMEOUT' };
const RESULT_ABBREV: Record<number, string> = { 1: 'CD', 2: 'F', 4: 'CA', 8: 'TO' };

export const stateName = (s: number): string => STATE_NAME[s] ?? '';
export const stateSingle = (s: number): string => STATE_SINGLE[s] ?? '';
export const resultName = (r: number | undefined): string => (r === undefined ? '' : (RESULT_NAME[r] ?? ''));
export const resultAbbrev = (r: number | undefined): string => (r === undefined ? '' : (RESULT_ABBREV[r] ?? ''));

/** ST column: the state letter while active, the result abbreviation once inactive. */
export function statusAbbrev(j: JobRecord): string {
  return j.state === 64 ? resultAbbrev(j.result) : stateSingle(j.state);
}
export function status(j: JobRecord): string {
  return j.state === 64 ? resultName(j.result) : stateName(j.state);
}

/**
 * flux jobs `returncode`: exit code, -signal, -128 canceled before start, 1 other
 * exception; undefined while active. A job that failed (a fatal exception, e.g.
 * its node was lost) never reports 0, even if every shell left to report exited 0.
 */
export function returnCode(j: JobRecord): number | undefined {
  if (j.state !== 64) return undefined;
  if (j.waitstatus !== undefined) {
    const sig = j.waitstatus & 0x7f;
    if (sig !== 0) return -sig;
    const code = (j.waitstatus >> 8) & 0xff;
    if (code === 0 && j.exception_occurred && (j.exception_severity ?? 0) === 0) return 1;
    return code;
  }
  if (j.exception_occurred) return j.exception_type === 'cancel' ? -128 : 1;
  return 0;
}

/** Exit code of a job as `flux submit --wait` / `flux job status` count it. */
export function exitCode(j: JobRecord): number {
  if (j.waitstatus !== undefined) {
    const sig = j.waitstatus & 0x7f;
    if (sig !== 0) return 128 + sig;
    const code = (j.waitstatus >> 8) & 0xff;
    if (code === 0 && j.exception_occurred && (j.exception_severity ?? 0) === 0) return 1;
    return code;
  }
  return j.exception_occurred ? 1 : 0;
}

export { strsignal };

/** flux jobs `inactive_reason`. */
export function inactiveReason(j: JobRecord): string {
  if (j.state !== 64) return '';
  if (j.exception_occurred && j.exception_type === 'cancel') return j.exception_note ? `Canceled: ${j.exception_note}` : 'Canceled';
  if (j.exception_occurred && j.exception_type === 'timeout') return 'Timeout';
  // no exit status, or one that does not say why it failed (all its shells lost)
  const silent = j.waitstatus === undefined || (j.waitstatus === 0 && (j.exception_severity ?? 0) === 0);
  if (j.exception_occurred && silent) {
    return `Exception: type=${j.exception_type ?? ''} note=${j.exception_note ?? ''}`;
  }
  const rc = returnCode(j) ?? 0;
  if (rc < 0) return strsignal(-rc);
  if (rc > 128) return strsignal(rc - 128);
  if (rc === 126) return 'Command invoked cannot execute';
  if (rc === 127) return 'command not found';
  if (rc === 128) return 'Invalid argument to exit';
  return `Exit ${rc}`;
}

/** Parse a job id argument as a number (undefined if malformed). */
export function parseIdArg(s: string): number | undefined {
  const v = tryParseJobId(s);
  if (v === undefined || v > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(v);
}
