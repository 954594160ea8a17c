/**
 * An instance that runs as a job tells its parent where it can be reached:
 * when rank 0 enters RUN, it posts `memo {uri: "ssh://HOST/PATH"}` on its job in
 * the enclosing instance (job-manager.memo), which `flux uri`, `flux proxy`,
 * `flux shutdown` and `flux alloc --bg` read. Best effort: a parent that does
 * not answer only costs a debug log line. Given to the kernel as the broker's
 * onRun hook, so the kernel itself knows nothing of jobs.
 */
import * as os from 'node:os';
import type { Broker } from '../../kernel/broker';
import { Client } from '../api/client';

export function postUriMemo(b: Broker): void {
  const jobid = b.attrs.get('jobid');
  const parent = b.attrs.get('parent-uri');
  const local = b.attrs.get('local-uri');
  if (jobid === undefined || parent === undefined || local === undefined) return;
  const uri = `ssh://${b.attrs.get('hostname') ?? os.hostname()}${local.slice('local://'.length)}`;
  const note = (why: string) => b.log(7, 'broker', `memo uri on job ${jobid}: ${why}`);
  Client.connect(parent).then(
    (h) =>
      h
        .rpc('job-manager.memo', { id: jobid, memo: { uri } }, { timeoutMs: 5000 })
        .catch((e: Error) => note(e.message))
        .finally(() => h.close()),
    (e: Error) => note(e.message),
  );
}
