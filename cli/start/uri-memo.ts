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
      // the connection stays open while the job's expiration is followed (followExpiration)
      void Promise.all([memo, expiration.then((e) => e.following)]).finally(() => h.close());
      return expiration.then(() => undefined);
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
async function inheritExpiration(b: Broker, parent: Client, jobid: string): Promise<{ following: Promise<void> }> {
  const none = { following: Promise.resolve() };
  const id = tryParseJobId(jobid);
  if (id === undefined) return none;
  const set = (expiration: number) => b.self.rpc('resource.set-expiration', { expiration }, { timeoutMs: 5000 });
  try {
    const R = (await parent.rpc<{ value?: { execution?: { expiration?: unknown } } }>('kvs.get', { key: `${encodeKvs(id)}.R` }, { timeoutMs: 5000 })).value;
    const expiration = R?.execution?.expiration;
    if (typeof expiration === 'number' && expiration > 0) await set(expiration);
  } catch (e) {
    b.log(7, 'broker', `expiration of job ${jobid}: ${(e as Error).message}`);
    return none;
  }
  // an object, not the promise itself: the kernel waits for the first expiration, not for the job's end
  return { following: followExpiration(b, parent, `${encodeKvs(id)}.eventlog`, set) };
}

/**
 * `flux update JOBID duration=...` of the running job posts `resource-update
 * expiration=T` on its eventlog in the enclosing instance: the instance takes
 * each one as its own expiration, as Flux's resource module does from its
 * watch of the job's R. Ends (and the parent connection closes) when the
 * job's eventlog does, or when this broker leaves RUN.
 */
function followExpiration(b: Broker, parent: Client, key: string, set: (expiration: number) => Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve) => {
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      resolve();
    };
    b.sm.watch((s) => {
      if (s !== 'run') end();
      return done;
    });
    parent
      .rpcStream('kvs.watch', { key }, (p) => {
        for (const e of (p as { entries?: { name?: string; context?: { expiration?: unknown } }[] }).entries ?? []) {
          const t = e.context?.expiration;
          if (e.name !== 'resource-update' || typeof t !== 'number' || !(t >= 0) || done) continue;
          set(t).catch((err: Error) => b.log(4, 'broker', `expiration update of the enclosing job: ${err.message}`));
        }
      })
      .then(end, end);
  });
}
