/**
 * `flux jobs --json`: a job as Flux's JobInfo.to_dict() has it, so that
 * scripts written against Flux (jq '.jobs[].state') read the same keys and
 * values: state, result and status as names, the job's username, runtime,
 * returncode and t_remaining, its exception as an object, `uri` from its
 * memo; empty values, unset times and a zero runtime or expiration left out.
 */
import { PyFloat } from '../../lib/formats';
import { resultName, returnCode, stateName, status, type JobRecord } from './job-info';

type Obj = Record<string, unknown>;

/** floats as Python keeps them (`0.0`), the rest as is */
const f = (v: number | undefined): PyFloat | undefined => (v === undefined ? undefined : new PyFloat(v));

export function jobDict(j: JobRecord, username: string, nowSec: number): Obj {
  const inactive = j.state === 64;
  const runtime = j.t_run !== undefined ? (j.t_cleanup ?? nowSec) - j.t_run : 0;
  const remaining = j.expiration && j.state & 48 && !inactive ? Math.max(0, j.expiration - nowSec) : 0;
  // a copy: the uri memo is taken out of it below
  const annotations: Obj = structuredClone(j.annotations ?? {});
  const user = annotations['user'] as Obj | undefined;
  const uri = typeof user?.['uri'] === 'string' ? (user['uri'] as string) : undefined;
  // Flux's key order: its defaults, then its other properties, then the objects
  const all: Array<[string, unknown]> = [
    ['t_depend', f(j.t_depend ?? 0)],
    ['t_run', f(j.t_run ?? 0)],
    ['t_cleanup', f(j.t_cleanup ?? 0)],
    ['t_inactive', f(j.t_inactive ?? 0)],
    ['duration', f(j.duration ?? 0)],
    ['expiration', f(j.expiration ?? 0)],
    ['name', j.name],
    ['cwd', j.cwd ?? ''],
    ['queue', j.queue ?? ''],
    ['project', ''],
    ['bank', ''],
    ['ntasks', j.ntasks ?? ''],
    ['ncores', j.ncores ?? ''],
    ['nnodes', j.nnodes ?? ''],
    ['priority', j.priority < 0 ? '' : j.priority],
    ['ranks', j.ranks ?? ''],
    ['nodelist', j.nodelist ?? ''],
    ['success', inactive ? j.success === true : ''],
    ['result', inactive ? resultName(j.result) : ''],
    ['waitstatus', j.waitstatus ?? ''],
    ['id', j.id],
    ['t_submit', f(j.t_submit)],
    ['t_remaining', f(remaining)],
    ['state', stateName(j.state)],
    ['username', username],
    ['userid', j.userid],
    ['urgency', j.urgency],
    ['runtime', f(runtime)],
    ['status', status(j)],
    ['returncode', returnCode(j) ?? ''],
    ['dependencies', j.dependencies ?? []],
  ];
  const out: Obj = {};
  for (const [k, v] of all) {
    const zero = v instanceof PyFloat && Number(v.valueOf()) === 0 && (k.startsWith('t_') || k === 'runtime' || k === 'expiration');
    if (v === '' || zero) continue;
    out[k] = v;
  }
  // the uri is its own key, not also a memo
  if (uri !== undefined && user) {
    delete user['uri'];
    if (Object.keys(user).length === 0) delete annotations['user'];
  }
  out['annotations'] = annotations;
  out['exception'] = j.exception_occurred
    ? { occurred: true, severity: j.exception_severity ?? 0, type: j.exception_type ?? '', note: j.exception_note ?? '' }
    : { occurred: false };
  if (uri !== undefined) out['uri'] = uri;
  return out;
}
