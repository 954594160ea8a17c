/**
 * A job's guest namespace, `job-<decimal id>` (flux-kvs(1), RFC 16): the
 * namespace its shells and tasks are given in FLUX_KVS_NAMESPACE. In Flux
 * job-exec creates it at the start and, at the end, copies it to
 * `job.<id>.guest` in the primary namespace and removes it. Here the job's
 * guest data is written to `job.<id>.guest` in the primary namespace all
 * along (no namespace, copy or removal a job: issue 13), and `job-<id>` is a
 * view of that directory: a request naming it is made in the primary
 * namespace with its keys below `job.<id>.guest` (keys in the answer and in
 * errors are relative to it again). Its version is the primary namespace's.
 *
 * It exists while the job runs, from job-exec's first exec.eventlog entry
 * until that log is closed at the end of the job; before and after, it is
 * ENOTSUP, as a namespace that does not exist. Its owner is the job's user:
 * the instance owner may do anything in it, the job's user too, and any
 * other guest nothing (EPERM).
 */
import { Errno, FluxError, Role, encodeKvs, type Message } from '../../kernel/api';
import type { Store } from './store';
import { submitter } from './guest-read';

const NAME_RE = /^job-([1-9]\d{0,19}|0)$/;
const EXEC_LOG = '.guest.exec.eventlog';
const U64_MAX = (1n << 64n) - 1n;

/** a job namespace a request names, resolved */
export interface JobSpace {
  readonly name: string;
  /** its directory in the primary namespace, `job.<dothex id>.guest` */
  readonly prefix: string;
  /** the job's user */
  readonly owner: number;
}

/** the job directory (`job.<dothex>`) a `job-<decimal id>` name stands for, else undefined */
export function jobDirOf(name: string): string | undefined {
  const m = NAME_RE.exec(name);
  if (!m) return undefined;
  const id = BigInt(m[1]!);
  return id > U64_MAX ? undefined : encodeKvs(id);
}

/** `job.<dothex>.guest.exec.eventlog` → `job-<decimal>` */
function nameOf(execLog: string): string {
  const hex = execLog.slice(4, 4 + 19).replace(/\./g, '');
  return `job-${BigInt('0x' + hex).toString(10)}`;
}

export class JobSpaces {
  /** exec eventlogs that are open (candidates for namespace-list; checked again there) */
  private readonly open = new Set<string>();

  /** an eventlog was appended to (n: its entry count after): a job's exec log's first entry opens its namespace */
  appended(key: string, n: number): void {
    if (n === 1 && key.endsWith(EXEC_LOG) && key.length === 4 + 19 + EXEC_LOG.length) this.open.add(key);
  }

  /** an eventlog was closed */
  closed(key: string): void {
    if (this.open.size > 0) this.open.delete(key);
  }

  /**
   * The job namespace `name` names, for the request `msg`; undefined when
   * the name is not a job's. ENOTSUP when the job is not running, EPERM for
   * a guest that is not the job's user.
   */
  resolve(store: Store, name: string, msg: Message, topic: string): JobSpace | undefined {
    const dir = jobDirOf(name);
    if (dir === undefined) return undefined;
    const log = dir + EXEC_LOG;
    if (!store.isLog(log) || store.isClosed(log)) throw new FluxError(Errno.EOPNOTSUPP, `${topic}: namespace ${name} does not exist`);
    const owner = submitter(store, dir);
    if (owner === undefined) throw new FluxError(Errno.EOPNOTSUPP, `${topic}: namespace ${name} does not exist`);
    if ((msg.rolemask & Role.Owner) === 0 && !((msg.rolemask & Role.User) !== 0 && msg.userid === owner)) {
      throw new FluxError(Errno.EPERM, `${topic}: namespace ${name} belongs to uid ${owner}`);
    }
    return { name, prefix: `${dir}.guest`, owner };
  }

  /** the namespaces of the running jobs, for namespace-list */
  list(store: Store): Array<{ namespace: string; owner: number; flags: number }> {
    const out: Array<{ namespace: string; owner: number; flags: number }> = [];
    for (const log of this.open) {
      if (!store.isLog(log) || store.isClosed(log)) {
        this.open.delete(log);
        continue;
      }
      const owner = submitter(store, log.slice(0, 4 + 19));
      if (owner !== undefined) out.push({ namespace: nameOf(log), owner, flags: 0 });
    }
    return out;
  }
}
