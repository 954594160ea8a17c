/**
 * The fields of `flux jobs -o FORMAT` (flux-jobs(1)): headings, and one row of
 * values per job record. Conversions Flux adds to Python's format (!F fsd,
 * !H h:mm:ss, !D ISO date, !P percent) are applied here, by rewriting
 * `{name!F...}` into a precomputed `{name__F...}` field.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { PyFloat, encodeJobId, fsd } from '../../lib/formats';
import {
  inactiveReason,
  resultAbbrev,
  resultName,
  returnCode,
  stateName,
  stateSingle,
  status,
  statusAbbrev,
  type JobRecord,
} from './job-info';
import { INSTANCE_HEADINGS } from './instance-fields';
import { onCommandReset } from '../command-reset';
import type { FormatSet } from '../named-formats';

export const HEADINGS: Record<string, string> = {
  ...INSTANCE_HEADINGS,
  id: 'JOBID',
  'id.f58': 'JOBID',
  'id.f58plain': 'JOBID',
  'id.dec': 'JOBID',
  'id.hex': 'JOBID',
  'id.dothex': 'JOBID',
  'id.words': 'JOBID',
  'id.kvs': 'JOBID',
  userid: 'UID',
  username: 'USER',
  urgency: 'URG',
  priority: 'PRI',
  state: 'STATE',
  state_single: 'S',
  name: 'NAME',
  cwd: 'CWD',
  queue: 'QUEUE',
  project: 'PROJECT',
  bank: 'BANK',
  ntasks: 'NTASKS',
  ncores: 'NCORES',
  duration: 'DURATION',
  nnodes: 'NNODES',
  ranks: 'RANKS',
  nodelist: 'NODELIST',
  success: 'SUCCESS',
  result: 'RESULT',
  result_abbrev: 'RS',
  status: 'STATUS',
  status_abbrev: 'ST',
  waitstatus: 'WSTATUS',
  returncode: 'RC',
  exception: 'EXCEPTION',
  'exception.occurred': 'EXCEPTION-OCCURRED',
  'exception.severity': 'EXCEPTION-SEVERITY',
  'exception.type': 'EXCEPTION-TYPE',
  'exception.note': 'EXCEPTION-NOTE',
  t_submit: 'T_SUBMIT',
  t_depend: 'T_DEPEND',
  t_run: 'T_RUN',
  t_cleanup: 'T_CLEANUP',
  t_inactive: 'T_INACTIVE',
  runtime: 'RUNTIME',
  expiration: 'EXPIRATION',
  t_remaining: 'T_REMAINING',
  annotations: 'ANNOTATIONS',
  // RFC 27's pre-defined annotations, and the user's memos (flux job memo)
  'annotations.sched.t_estimate': 'T_ESTIMATE',
  'annotations.sched.reason_pending': 'REASON',
  'annotations.sched.resource_summary': 'RESOURCES',
  sched: 'SCHED',
  'sched.t_estimate': 'T_ESTIMATE',
  'sched.reason_pending': 'REASON',
  'sched.resource_summary': 'RESOURCES',
  user: 'USER',
  uri: 'URI',
  'uri.local': 'URI',
  dependencies: 'DEPENDENCIES',
  contextual_info: 'INFO',
  contextual_time: 'TIME',
  inactive_reason: 'INACTIVE-REASON',
};

/** flux-jobs' named formats (`-o NAME`), with the descriptions `-o help` lists */
export const JOB_FORMATS: FormatSet = {
  tool: 'flux-jobs',
  formats: {
    default: {
      description: 'Default flux-jobs format string',
      format:
        '{id.f58:>12} ?:{queue:<8.8} +:{username:<8} {name:<10.10+} {status_abbrev:>2.2} {ntasks:>6} {nnodes:>6h} {contextual_time!F:>8h} {contextual_info}',
    },
    long: {
      description: 'Extended flux-jobs format string',
      format:
        '{id.f58:>12} ?:{queue:<8.8} +:{username:<8} {name:<10.10+} {status:>9.9} {ntasks:>6} {nnodes:>6h} {t_submit!d:%b%d %R::>12} {t_remaining!F:>12h} {contextual_time!F:>8h} {contextual_info}',
    },
    deps: {
      description: 'Show job urgency, priority, and dependencies',
      format: '{id.f58:>12} ?:{queue:<8.8} {name:<10.10+} {urgency:<3} {priority:<12} {state:<8.8} {dependencies}',
    },
    endreason: {
      description: 'Show why each job ended',
      format: '{id.f58:>12} ?:{queue:<8.8} +:{username:<8} {name:<10.10+} {t_inactive!d:%b%d %R::>12h} {status_abbrev:>2.2} {inactive_reason:<20}',
    },
  },
};

const users = new Map<number, string>();
onCommandReset(() => users.clear());
export function username(uid: number): string {
  const c = users.get(uid);
  if (c !== undefined) return c;
  let name = String(uid);
  try {
    if (uid === os.userInfo().uid) name = os.userInfo().username;
    else {
      const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[2] === String(uid));
      if (line) name = line.split(':')[0]!;
    }
  } catch {
    /* keep the number */
  }
  users.set(uid, name);
  return name;
}

const CONVERSIONS = ['F', 'H', 'D', 'P'];

/** The fields flux-jobs holds as Python floats: `{duration}` prints `30.0`, `{t_run}` of a job not run `0.0`. */
const FLOAT_FIELDS = new Set(['t_submit', 't_depend', 't_run', 't_cleanup', 't_inactive', 'runtime', 'duration', 'expiration', 't_remaining', 'contextual_time']);

/**
 * The heading of an annotation field of any name, as Flux makes it:
 * `annotations.KEY...` -> `KEY...` upper-cased, `sched.KEY` and `user.KEY`
 * upper-cased whole; undefined for any other unknown name.
 */
function annotationHeading(name: string): string | undefined {
  if (name.startsWith('annotations.')) return name.slice('annotations.'.length).toUpperCase();
  if (name.startsWith('sched.') || name.startsWith('user.')) return name.toUpperCase();
  return undefined;
}

/** Rewrite `{x!F:...}` into `{x__F:...}`; returns the new format and the headings it needs (annotation fields of any name too). */
export function rewriteConversions(fmt: string): { format: string; headings: Record<string, string> } {
  const headings: Record<string, string> = { ...HEADINGS };
  for (const m of fmt.matchAll(/\{([^{}!:]+)/g)) {
    const h = m[1]! in HEADINGS ? undefined : annotationHeading(m[1]!);
    if (h !== undefined) headings[m[1]!] = h;
  }
  const format = fmt.replace(/\{([^{}!:]+)!([FHDP])/g, (_m, name: string, c: string) => {
    if (!(name in headings)) throw new Error(`Unknown format field: ${name}`);
    headings[`${name}__${c}`] = headings[name]!;
    return `{${name}__${c}`;
  });
  return { format, headings };
}

function hms(x: number): string {
  let s = x > 0 && x < 1 ? 1 : Math.round(x);
  const days = Math.floor(s / 86400);
  s -= days * 86400;
  const t = `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return days > 0 ? `${days} day${days > 1 ? 's' : ''}, ${t}` : t;
}

function iso(x: number): string {
  if (!x) return '';
  const d = new Date(x * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function pct(x: number): string {
  const v = x * 100;
  if (v !== 0 && v < 1) return `${v.toFixed(2)}%`;
  return `${Number(v.toPrecision(3))}%`;
}

function convert(v: unknown, c: string): unknown {
  if (typeof v !== 'number') return v === undefined ? '' : v;
  switch (c) {
    case 'F':
      return fsd.formatPy(v);
    case 'H':
      return hms(v);
    case 'D':
      return iso(v);
    case 'P':
      return pct(v);
  }
  return v;
}

/**
 * An annotation field's value: `annotations.A.B`, `sched[.KEY]` and
 * `user[.KEY]` (the scheduler's and the user's memos), `uri` (the memo a
 * nested instance posts) and `uri.local` (its local:// form); an object as
 * JSON, nothing as empty.
 */
function annotationValue(annotations: Record<string, unknown> | undefined, f: string): unknown {
  let path: string[];
  if (f === 'uri' || f === 'uri.local') path = ['user', 'uri'];
  else if (f.startsWith('annotations.')) path = f.slice('annotations.'.length).split('.');
  else if (f === 'sched' || f === 'user' || f.startsWith('sched.') || f.startsWith('user.')) path = f.split('.');
  else return undefined;
  let v: unknown = annotations;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  if (f === 'uri.local' && typeof v === 'string') v = `local://${v.replace(/^ssh:\/\/[^/]*/, '')}`;
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : v;
}

/** One row of field values for a job. */
/** extra: values of fields the job record does not hold (the instance.* fields of an instance) */
export function rowOf(j: JobRecord, fields: readonly string[], nowSec: number, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const runtime = j.t_run !== undefined ? (j.t_cleanup ?? nowSec) - j.t_run : 0;
  const pending = (j.state & 14) !== 0;
  const info = (): string => {
    if (j.state === 2) return `depends:${(j.dependencies ?? []).join(',')}`;
    if (j.state === 4) return 'priority-wait';
    if (j.state === 8) {
      if (j.urgency === 0) return 'held';
      if (j.priority === 0) return 'priority-hold';
      const eta = (j.annotations?.['sched'] as Record<string, unknown> | undefined)?.['t_estimate'];
      if (typeof eta === 'number') return eta <= nowSec ? 'eta:now' : `eta:${fsd.formatPy(eta - nowSec)}`;
      return '';
    }
    return j.nodelist ?? '';
  };
  const base: Record<string, () => unknown> = {
    id: () => encodeJobId(j.id, 'f58'),
    'id.f58': () => encodeJobId(j.id, 'f58'),
    'id.f58plain': () => encodeJobId(j.id, 'f58plain'),
    'id.dec': () => encodeJobId(j.id, 'dec'),
    'id.hex': () => encodeJobId(j.id, 'hex'),
    'id.dothex': () => encodeJobId(j.id, 'dothex'),
    'id.words': () => encodeJobId(j.id, 'words'),
    'id.kvs': () => encodeJobId(j.id, 'kvs'),
    userid: () => j.userid,
    username: () => username(j.userid),
    urgency: () => j.urgency,
    priority: () => (j.priority < 0 ? '' : j.priority),
    state: () => stateName(j.state),
    state_single: () => stateSingle(j.state),
    name: () => j.name,
    cwd: () => j.cwd ?? '',
    queue: () => j.queue ?? '',
    project: () => '',
    bank: () => '',
    ntasks: () => j.ntasks ?? '',
    ncores: () => j.ncores ?? '',
    duration: () => j.duration ?? 0,
    nnodes: () => j.nnodes ?? '',
    ranks: () => j.ranks ?? '',
    nodelist: () => j.nodelist ?? '',
    success: () => (j.state === 64 ? (j.success ? 'True' : 'False') : ''),
    result: () => resultName(j.result),
    result_abbrev: () => resultAbbrev(j.result),
    status: () => status(j),
    status_abbrev: () => statusAbbrev(j),
    waitstatus: () => j.waitstatus ?? '',
    returncode: () => returnCode(j) ?? '',
    exception: () => (j.exception_occurred ? 'True' : 'False'),
    'exception.occurred': () => (j.state === 64 || j.exception_occurred ? (j.exception_occurred ? 'True' : 'False') : ''),
    'exception.severity': () => j.exception_severity ?? '',
    'exception.type': () => j.exception_type ?? '',
    'exception.note': () => j.exception_note ?? '',
    t_submit: () => j.t_submit,
    t_depend: () => j.t_depend ?? 0,
    t_run: () => j.t_run ?? 0,
    t_cleanup: () => j.t_cleanup ?? 0,
    t_inactive: () => j.t_inactive ?? 0,
    runtime: () => runtime,
    expiration: () => j.expiration ?? 0,
    t_remaining: () => (j.expiration && j.state & 48 && !(j.state === 64) ? Math.max(0, j.expiration - nowSec) : 0),
    annotations: () => (j.annotations ? JSON.stringify(j.annotations) : ''),
    dependencies: () => (j.dependencies ?? []).join(','),
    contextual_info: info,
    contextual_time: () => (pending ? (j.duration ?? 0) : runtime),
    inactive_reason: () => inactiveReason(j),
  };
  const value = (f: string): unknown => (f in extra ? extra[f] : f.startsWith('instance.') ? '' : f in base ? base[f]!() : annotationValue(j.annotations, f));
  const row: Record<string, unknown> = {};
  for (const f of fields) {
    const m = /^(.*)__([FHDP])$/.exec(f);
    if (m && CONVERSIONS.includes(m[2]!)) row[f] = convert(value(m[1]!), m[2]!);
    else {
      const v = value(f);
      row[f] = typeof v === 'number' && FLOAT_FIELDS.has(f) ? new PyFloat(v) : v;
    }
  }
  return row;
}
