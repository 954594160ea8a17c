/**
 * An instance that runs as a job tells its parent where it can be reached:
 * when rank 0 enters RUN, it posts `memo {uri: "ssh://HOST/PATH"}` on its job in
 * the enclosing instance (job-manager.memo), which `flux uri`, `flux proxy`,
 * `flux shutdown` and `flux alloc --bg` read. Best effort: a parent that does
 * not answer only costs a debug log line. It also follows updates of the job's
 * expiration (followExpiration). Given to the kernel as the broker's onRun
 * hook, so the kernel itself knows nothing of jobs.
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
  return Client.connect(parent).then(
    (h) => {
      const memo = h.rpc('job-manager.memo', { id: jobid, memo: { uri } }, { timeoutMs: 5000 }).catch((e: Error) => note(e.message));
      const id = tryParseJobId(jobid);
      // the connection stays open while the job's expiration is followed
      const following = id === undefined ? undefined : followExpiration(b, h, `${encodeKvs(id)}.eventlog`);
      void Promise.all([memo, following]).finally(() => h.close());
    },
    (e: Error) => note(e.message),
  );
}

/**
 * The instance started with its job's expiration (the resource module reads
 * the job's R: modules/resource/enclosing-job.ts). `flux update JOBID
 * duration=...` of the running job posts `resource-update expiration=T` on its
 * eventlog in the enclosing instance: the instance takes each one as its own
 * (resource.set-expiration), as Flux's resource module does from its watch of
 * the job's R. Best effort, like the memo: the job's own time limit is
 * enforced by the enclosing instance whatever happens here. Ends (and the
 * parent connection closes) when the job's eventlog does, or when this broker
 * leaves RUN.
 */
function followExpiration(b: Broker, parent: Client, key: string): Promise<void> {
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
          b.self.rpc('resource.set-expiration', { expiration: t }, { timeoutMs: 5000 }).catch((err: Error) => b.log(4, 'broker', `expiration update of the enclosing job: ${err.message}`));
        }
      })
      .then(end, end);
  });
}
