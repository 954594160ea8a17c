/**
 * An instance that runs as a job tells its parent where it can be reached:
 * when rank 0 enters RUN, it posts `memo {uri: "ssh://HOST/PATH"}` on its job in
 * the enclosing instance (job-manager.memo), which `flux uri`, `flux proxy`,
 * `flux shutdown` and `flux alloc --bg` read. Best effort: a parent that does
 * not answer only costs a debug log line. It also takes the job's expiration
 * as the instance's own (inheritExpiration). Given to the kernel as the broker's
 * onRun hook, so the kernel itself knows nothing of jobs.
 */
import * as os from 'node:os';
import type { Broker } from '../../kernel/broker';
import { Client } from '../api/client';
import { encodeKvs, tryParseJobId } from '../../lib/formats';

export function postUriMemo(b: Broker): Promise<void> | void {
  const jobid = b.attrs.get('jobid');
  const parent = b.attrs.get('parent-uri');
  const local = b.attrs.get('local-uri');
  if (jobid === undefined || parent === undefined || local === undefined) return;
  const uri = `ssh://${b.attrs.get('hostname') ?? os.hostname()}${local.slice('local://'.length)}`;
  const note = (why: string) => b.log(7, 'broker', `memo uri on job ${jobid}: ${why}`);
  // the kernel waits for the expiration (the initial program's `flux job timeleft` must see it), not for the memo
  return Client.connect(parent).then(
    (h) => {
      const memo = h.rpc('job-manager.memo', { id: jobid, memo: { uri } }, { timeoutMs: 5000 }).catch((e: Error) => note(e.message));
      const expiration = inheritExpiration(b, h, jobid);
      void Promise.all([memo, expiration]).finally(() => h.close());
      return expiration;
    },
    (e: Error) => note(e.message),
  );
}

/**
 * The job's expiration (its R's, in the enclosing instance) becomes this
 * instance's R expiration (resource.set-expiration), as in Flux: `flux job
 * timeleft` inside a batch job tells the time left, and the jobs of the
 * instance end no later than it does. Best effort, like the memo: the job's
 * own time limit is enforced by the enclosing instance whatever happens here.
 */
async function inheritExpiration(b: Broker, parent: Client, jobid: string): Promise<void> {
  try {
    const id = tryParseJobId(jobid);
    if (id === undefined) return;
    const R = (await parent.rpc<{ value?: { execution?: { expiration?: unknown } } }>('kvs.get', { key: `${encodeKvs(id)}.R` }, { timeoutMs: 5000 })).value;
    const expiration = R?.execution?.expiration;
    if (typeof expiration !== 'number' || !(expiration > 0)) return;
    await b.self.rpc('resource.set-expiration', { expiration }, { timeoutMs: 5000 });
  } catch (e) {
    b.log(7, 'broker', `expiration of job ${jobid}: ${(e as Error).message}`);
  }
}
