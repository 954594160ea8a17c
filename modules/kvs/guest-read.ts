/**
 * What a guest may read from the kvs (flux-config-access(5)): the keys of its
 * own jobs, `job.<id>.*` (eventlog, jobspec, R, output, exec eventlog), as
 * Flux's job-info lets a guest read its own jobs. Every other key, and every
 * write, stays the instance owner's (the module host refuses guests for the
 * methods that are not marked for them). The job's user is the `userid` of
 * the submit event that opens its eventlog, which job-ingest wrote from the
 * credentials of the submitting connection.
 */
import { Errno, FluxError, Role, type Message } from '../../kernel/api';
import type { Store } from './store';

/** job.0000.0000.075b.cd15: the five components of a job's directory */
const JOB_DIR_PARTS = 5;

/** Throw EPERM unless the sender is the instance owner or `key` belongs to a job it submitted. */
export function checkGuestRead(store: Store, msg: Message, topic: string, key: string): void {
  if (msg.rolemask & Role.Owner) return;
  const parts = key.split('.');
  if (parts[0] === 'job' && parts.length > JOB_DIR_PARTS && submitter(store, parts.slice(0, JOB_DIR_PARTS).join('.')) === msg.userid) return;
  throw new FluxError(Errno.EPERM, `${topic}: ${key}: guests can only read the keys of their own jobs`);
}

/** the userid of the job whose kvs directory is `dir`, from its submit event */
export function submitter(store: Store, dir: string): number | undefined {
  const log = `${dir}.eventlog`;
  if (!store.has(log) || !store.isLog(log)) return undefined;
  const text = store.get(log) as string;
  const nl = text.indexOf('\n');
  try {
    const first = JSON.parse(nl < 0 ? text : text.slice(0, nl)) as { name?: unknown; context?: { userid?: unknown } };
    return first.name === 'submit' && typeof first.context?.userid === 'number' ? first.context.userid : undefined;
  } catch {
    return undefined;
  }
}
