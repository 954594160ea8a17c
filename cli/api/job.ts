/**
 * Jobs from a script, as Flux's Python `flux.job`: submit a Jobspec, wait for
 * it, get its result, cancel or signal it, and follow its eventlogs and output
 * as async iterators that end where the log ends. Job ids are numbers (FLUIDs);
 * `jobid(id)` gives the ƒ58 form Flux prints and `parseJobId` reads any form.
 * Errors are FluxError: the service's errno and one-line message.
 */
import * as os from 'node:os';
import { Errno } from '../../lib/errno';
import { FluxError } from '../../lib/errors';
import { encodeJobId, encodeKvs, tryParseJobId, type JobIdEncoding } from '../../lib/formats';
import { parseUrgency, SUBMIT_FLAGS } from '../jobspec/build';
import { STATES } from '../jobspec/job-info';
import type { Client } from './client';
import { Jobspec, type JobspecV1 } from './jobspec';
import { watchKvs, type EventLogEntry } from './watch';
import { service } from './protocol';
import { submitJob } from './sign';
import type { JobManagerProtocol } from '../../lib/protocol/job-manager';

const jobManager = service<JobManagerProtocol>('job-manager');


export type { EventLogEntry } from './watch';

export type JobId = number;

const einval = (what: string, msg: string) => new FluxError(Errno.EINVAL, `${what}: ${msg}`);

/** The id in an encoding Flux uses (default ƒ58, plain `f` where the locale is not UTF-8). */
export function jobid(id: JobId, encoding: JobIdEncoding = 'f58'): string {
  return encodeJobId(id, encoding);
}

/** Any encoding of a job id (ƒ58, decimal, hex, dothex, kvs, words) as a number; EINVAL if malformed. */
export function parseJobId(text: string): JobId {
  const v = typeof text === 'string' ? tryParseJobId(text) : undefined;
  if (v === undefined || v > BigInt(Number.MAX_SAFE_INTEGER)) throw einval('parseJobId', `invalid job id ${JSON.stringify(text)}`);
  return Number(v);
}

function checkId(what: string, id: unknown): JobId {
  if (typeof id === 'string') return parseJobId(id);
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw einval(what, `invalid job id ${String(id)}`);
  return id;
}

function checkKeys(what: string, opts: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (opts === undefined) return {};
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw einval(what, 'options must be an object');
  for (const [k, v] of Object.entries(opts)) if (v !== undefined && !allowed.includes(k)) throw einval(what, `unknown option '${k}'`);
  return opts as Record<string, unknown>;
}

export interface SubmitOptions {
  /** 0-31, or hold (0), default (16), expedite (31); above 16 only for the instance owner */
  urgency?: number | 'hold' | 'default' | 'expedite';
  /** the job can be waited for with wait() (instance owner only, as in Flux) */
  waitable?: boolean;
  /** the debug submit flag */
  debug?: boolean;
  /** skip the validator (instance owner only) */
  novalidate?: boolean;
}

/** Submit a jobspec; resolves with the new job's id. */
export async function submit(h: Client, jobspec: Jobspec | JobspecV1 | string, opts?: SubmitOptions): Promise<JobId> {
  const what = 'submit';
  const o = checkKeys(what, opts, ['urgency', 'waitable', 'debug', 'novalidate']);
  const js = jobspec instanceof Jobspec ? jobspec : new Jobspec(jobspec);
  let urgency = 16;
  if (o['urgency'] !== undefined) {
    const u = o['urgency'];
    if (typeof u !== 'number' && typeof u !== 'string') throw einval(what, 'urgency must be a number or hold, default, expedite');
    try {
      urgency = parseUrgency({ value: String(u), typed: `urgency=${String(u)}` });
    } catch (e) {
      throw einval(what, (e as Error).message);
    }
  }
  let flags = 0;
  for (const f of ['waitable', 'debug', 'novalidate'] as const) {
    const v = o[f];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') throw einval(what, `${f} must be true or false`);
    if (v) flags |= SUBMIT_FLAGS[f]!;
  }
  const r = await submitJob(h, { jobspec: js.jobspec, urgency, flags });
  return r.id;
}

export interface WaitResult {
  id: JobId;
  /** the job completed with exit code 0 and no fatal exception */
  success: boolean;
  /** why it did not succeed ('' if it did) */
  errstr: string;
}

/**
 * Wait for a waitable job (submitted with `waitable: true`) to end, or with no
 * id for any one of them; each can be waited for once. ECHILD: none to wait for.
 */
export async function wait(h: Client, id?: JobId | string): Promise<WaitResult> {
  const payload = id === undefined ? {} : { id: checkId('wait', id) };
  const r = await h.rpc<WaitResult>('job-manager.wait', payload);
  return { id: r.id, success: r.success, errstr: r.errstr ?? '' };
}

export type ResultName = 'COMPLETED' | 'FAILED' | 'CANCELED' | 'TIMEOUT';
export type StateName = 'NEW' | 'DEPEND' | 'PRIORITY' | 'SCHED' | 'RUN' | 'CLEANUP' | 'INACTIVE';

/** What job-manager knows of a job, as `flux jobs` shows it. */
export interface JobInfo {
  id: JobId;
  /** the id in ƒ58 */
  jobid: string;
  userid: number;
  urgency: number;
  priority: number;
  state: StateName;
  name: string;
  queue?: string;
  cwd?: string;
  /** undefined until the job has resources when only they tell it (--tasks-per-core with -N) */
  ntasks?: number;
  nnodes?: number;
  ncores?: number;
  duration?: number;
  ranks?: string;
  nodelist?: string;
  /** epoch seconds of each transition reached */
  t_submit: number;
  t_depend?: number;
  t_run?: number;
  t_cleanup?: number;
  t_inactive?: number;
  /** once inactive */
  result?: ResultName;
  success?: boolean;
  /**
   * as flux jobs shows it: the highest exit code of the job's shells (128+N when
   * signal N killed a task), -N when a shell was killed by signal N, -128 when
   * canceled before it ran, 1 for another fatal exception (undefined while active)
   */
  returncode?: number;
  /** the wait status of the job's tasks, if they ran */
  waitstatus?: number;
  exception: { occurred: boolean; type?: string; severity?: number; note?: string };
  annotations?: Record<string, unknown>;
  dependencies?: string[];
  /** seconds it ran (t_cleanup - t_run), once it has */
  runtime?: number;
}

interface JobRecord {
  id: number;
  userid: number;
  urgency: number;
  priority: number;
  state: number;
  name: string;
  [k: string]: unknown;
}

const STATE_NAMES: Record<number, StateName> = { 1: 'NEW', 2: 'DEPEND', 4: 'PRIORITY', 8: 'SCHED', 16: 'RUN', 32: 'CLEANUP', 64: 'INACTIVE' };
const RESULT_NAMES: Record<number, ResultName> = { 1: 'COMPLETED', 2: 'FAILED', 4: 'CANCELED', 8: 'TIMEOUT' };

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** returncode as flux jobs computes it (cli/jobspec/job-info.ts returnCode) */
function returnCode(j: JobRecord): number | undefined {
  if (j.state !== 64) return undefined;
  const ws = num(j['waitstatus']);
  const exc = j['exception_occurred'] === true;
  if (ws !== undefined) {
    const sig = ws & 0x7f;
    if (sig !== 0) return -sig;
    const code = (ws >> 8) & 0xff;
    if (code === 0 && exc && (num(j['exception_severity']) ?? 0) === 0) return 1;
    return code;
  }
  if (exc) return j['exception_type'] === 'cancel' ? -128 : 1;
  return 0;
}

export function toJobInfo(j: JobRecord): JobInfo {
  const info: JobInfo = {
    id: j.id,
    jobid: jobid(j.id),
    userid: j.userid,
    urgency: j.urgency,
    priority: j.priority,
    state: STATE_NAMES[j.state] ?? 'NEW',
    name: j.name,
    t_submit: num(j['t_submit']) ?? 0,
    exception: { occurred: j['exception_occurred'] === true },
  };
  for (const k of ['queue', 'cwd', 'ranks', 'nodelist'] as const) {
    const v = str(j[k]);
    if (v !== undefined) info[k] = v;
  }
  for (const k of ['ntasks', 'nnodes', 'ncores', 'duration', 't_depend', 't_run', 't_cleanup', 't_inactive', 'waitstatus'] as const) {
    const v = num(j[k]);
    if (v !== undefined) info[k] = v;
  }
  if (info.exception.occurred) {
    info.exception.type = str(j['exception_type']);
    info.exception.severity = num(j['exception_severity']);
    info.exception.note = str(j['exception_note']) ?? '';
  }
  if (j.state === 64) {
    const r = num(j['result']);
    if (r !== undefined) info.result = RESULT_NAMES[r];
    info.success = j['success'] === true;
    info.returncode = returnCode(j);
  }
  if (info.t_run !== undefined && info.t_cleanup !== undefined) info.runtime = info.t_cleanup - info.t_run;
  if (typeof j['annotations'] === 'object' && j['annotations'] !== null) info.annotations = j['annotations'] as Record<string, unknown>;
  if (Array.isArray(j['dependencies'])) info.dependencies = j['dependencies'] as string[];
  return info;
}

/** Wait until the job is inactive; resolves with its final record (result, returncode, exception). */
export async function result(h: Client, id: JobId | string): Promise<JobInfo> {
  return toJobInfo(await h.rpc<JobRecord>('job-manager.wait-inactive', { id: checkId('result', id) }));
}

/** Cancel a job (a fatal `cancel` exception, as flux cancel). */
export async function cancel(h: Client, id: JobId | string, reason = ''): Promise<void> {
  if (typeof reason !== 'string') throw einval('cancel', 'reason must be a string');
  await jobManager.call(h, 'raise', { id: checkId('cancel', id), type: 'cancel', severity: 0, note: reason });
}

/** Raise an exception on a job (severity 0 is fatal), as flux job raise. */
export async function raise(h: Client, id: JobId | string, type: string, severity = 0, note = ''): Promise<void> {
  if (typeof type !== 'string' || type === '' || /\s|=/.test(type)) throw einval('raise', 'type must be a word');
  if (!Number.isInteger(severity) || severity < 0 || severity > 7) throw einval('raise', 'severity must be 0-7');
  await jobManager.call(h, 'raise', { id: checkId('raise', id), type, severity, note: String(note) });
}

/** Send a signal (a number, or a name such as 'SIGINT' or 'INT') to a running job's tasks. */
export async function kill(h: Client, id: JobId | string, signal: number | string = 'SIGTERM'): Promise<void> {
  await jobManager.call(h, 'kill', { id: checkId('kill', id), signum: signalNumber(signal) });
}

function signalNumber(signal: number | string): number {
  if (typeof signal === 'number') {
    if (!Number.isInteger(signal) || signal <= 0 || signal >= 65) throw einval('kill', `invalid signal ${signal}`);
    return signal;
  }
  const name = typeof signal === 'string' ? signal.toUpperCase() : '';
  const full = name.startsWith('SIG') ? name : `SIG${name}`;
  const n = os.constants.signals[full as NodeJS.Signals];
  if (n === undefined) throw einval('kill', `invalid signal ${JSON.stringify(signal)}`);
  return n;
}

export interface EventWatchOptions {
  /** which eventlog of the job: 'eventlog' (default), 'guest.exec.eventlog' (or 'exec'), 'guest.output' */
  path?: string;
}

/** Does job-manager know the job? (ENOENT otherwise, with Flux's message) */
async function checkJob(h: Client, id: JobId): Promise<JobInfo> {
  const r = await h.rpc<{ jobs: JobRecord[] }>('job-manager.list', { ids: [id] });
  const j = r.jobs[0];
  if (!j) throw new FluxError(Errno.ENOENT, `${jobid(id)}: unknown job id`);
  return toJobInfo(j);
}

/**
 * The entries of one of the job's eventlogs, as they are posted, until the log
 * ends (the main eventlog ends once the job is inactive; the exec eventlog when
 * the job's execution ends, or at once when it never ran). Breaking out of the
 * loop cancels the watch.
 */
export function eventWatch(h: Client, id: JobId | string, opts?: EventWatchOptions): AsyncIterableIterator<EventLogEntry> {
  const what = 'eventWatch';
  const o = checkKeys(what, opts, ['path']);
  const n = checkId(what, id);
  let path = o['path'] === undefined ? 'eventlog' : o['path'];
  if (typeof path !== 'string' || path === '') throw einval(what, 'path must be a non-empty string');
  if (path === 'exec') path = 'guest.exec.eventlog';
  if (path === 'output') path = 'guest.output';
  const key = `${encodeKvs(n)}.${path}`;
  const main = path === 'eventlog';
  return watchKvs<EventLogEntry>(h, key, {
    before: () => checkJob(h, n),
    waitcreate: !main,
    // a log the job never writes (it never ran): the watch ends once the job is inactive and the log still absent
    giveUpWhen: main ? undefined : async () => {
      await h.rpc('job-manager.wait-inactive', { id: n });
      return !(await exists(h, key));
    },
    unpack: (p) => {
      const entries = (p as { entries?: EventLogEntry[] } | undefined)?.entries;
      return Array.isArray(entries) ? entries : [];
    },
  });
}

async function exists(h: Client, key: string): Promise<boolean> {
  try {
    await h.rpc('kvs.get', { key });
    return true;
  } catch (e) {
    if (e instanceof FluxError && e.errno === Errno.ENOENT) return false;
    throw e;
  }
}

/** Resolve once the job's eventlog has one of names (true), or ends without (false). */
export async function waitForEvent(h: Client, id: JobId | string, names: readonly string[]): Promise<boolean> {
  for await (const e of eventWatch(h, id)) if (names.includes(e.name)) return true;
  return false;
}

export interface JobListOptions {
  /** state names (depend priority sched run cleanup inactive, or pending running active) or a mask; default all */
  states?: string[] | number;
  /** result names (completed failed canceled timeout): only inactive jobs with one of these */
  results?: string[];
  /** a user id, or 'all'; default: the caller's */
  user?: number | 'all';
  /** at most this many (newest first, as flux jobs orders them) */
  max?: number;
  /** only jobs with this name */
  name?: string;
  /** only jobs in this queue */
  queue?: string;
  /** only jobs that became inactive after this time (epoch seconds), and every active one */
  since?: number;
}

function stateMask(what: string, states: unknown): number {
  if (states === undefined) return 0;
  if (typeof states === 'number') {
    if (!Number.isInteger(states) || states < 0 || states > 127) throw einval(what, `invalid states mask ${states}`);
    return states;
  }
  if (!Array.isArray(states)) throw einval(what, 'states must be an array of state names or a mask');
  let mask = 0;
  for (const s of states) {
    const bit = typeof s === 'string' ? STATES[s.toLowerCase()] : undefined;
    if (bit === undefined) throw einval(what, `invalid state ${JSON.stringify(s)}`);
    mask |= bit;
  }
  return mask;
}

/** Jobs as flux jobs lists them: active first, then inactive, newest first. */
export async function jobList(h: Client, opts?: JobListOptions): Promise<JobInfo[]> {
  const what = 'jobList';
  const o = checkKeys(what, opts, ['states', 'results', 'user', 'max', 'name', 'queue', 'since']);
  let states = stateMask(what, o['states']);
  let results: Set<string> | undefined;
  if (o['results'] !== undefined) {
    const rs = o['results'];
    if (!Array.isArray(rs) || !rs.every((r) => typeof r === 'string' && Object.values(RESULT_NAMES).includes(r.toUpperCase() as ResultName))) {
      throw einval(what, 'results must be an array of completed, failed, canceled, timeout');
    }
    results = new Set((rs as string[]).map((r) => r.toUpperCase()));
    states = states === 0 ? 64 : states;
  }
  const user = o['user'];
  let userid = process.getuid?.() ?? -1;
  if (user === 'all') userid = -1;
  else if (user !== undefined) {
    if (typeof user !== 'number' || !Number.isInteger(user) || user < 0) throw einval(what, "user must be a user id or 'all'");
    userid = user;
  }
  const max = o['max'];
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 0)) throw einval(what, 'max must be an integer >= 0');
  for (const k of ['name', 'queue'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'string') throw einval(what, `${k} must be a string`);
  }
  const since = o['since'];
  if (since !== undefined && typeof since !== 'number') throw einval(what, 'since must be epoch seconds');
  const filtered = results !== undefined || o['name'] !== undefined || o['queue'] !== undefined || since !== undefined;
  const r = await h.rpc<{ jobs: JobRecord[] }>('job-manager.list', { states, userid, max: filtered ? 0 : (max ?? 0) });
  let jobs = r.jobs.map(toJobInfo);
  if (results) jobs = jobs.filter((j) => j.result !== undefined && results.has(j.result));
  if (o['name'] !== undefined) jobs = jobs.filter((j) => j.name === o['name']);
  if (o['queue'] !== undefined) jobs = jobs.filter((j) => j.queue === o['queue']);
  if (since !== undefined) jobs = jobs.filter((j) => j.t_inactive === undefined || j.t_inactive > since);
  if (filtered && typeof max === 'number' && max > 0) jobs = jobs.slice(0, max);
  return jobs;
}

/** One job's record, or undefined if the instance does not know it (never was, or purged). */
export async function getJob(h: Client, id: JobId | string): Promise<JobInfo | undefined> {
  const r = await h.rpc<{ jobs: JobRecord[] }>('job-manager.list', { ids: [checkId('getJob', id)] });
  return r.jobs[0] ? toJobInfo(r.jobs[0]) : undefined;
}
