/**
 * An output log outlives its job (it serves reads until the purge): once
 * closed, it must not keep the job alive through its error callback (a kept
 * inactive job cost 18.7 KiB with the job held, 9.5 without: issue 13).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import type { Handle } from '../../../kernel/api';
import { OutputLog } from '../../../modules/job-exec/output-log';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-output-log-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** the kvs copy's appends are answered at once; its close is sent */
const handle = { rpc: () => Promise.resolve({}), send: () => undefined } as unknown as Handle;

/** a log whose error callback holds a job that nothing else holds: the job, as a WeakRef */
function logOfAJob(hold: boolean, notes: string[]): { log: OutputLog; job: WeakRef<{ big: number[] }> } {
  const job = { big: new Array<number>(1000).fill(1) };
  const log = new OutputLog(handle, 1000, dir, 'job.x.guest.output', (note) => notes.push(`${job.big.length}: ${note}`), hold);
  return { log, job: new WeakRef(job) };
}

for (const hold of [false, true]) {
  test(`a closed log (hold ${String(hold)}) lets its job go`, async () => {
    const notes: string[] = [];
    const { log, job } = logOfAJob(hold, notes);
    assert.ok(await log.open());
    log.append([{ timestamp: 1, name: 'header', context: { version: 1 } }]);
    await log.close();
    // WeakRef targets are kept until the end of the turn that made them
    await new Promise((r) => setImmediate(r));
    gc();
    assert.is(job.deref(), undefined, 'the job is still reachable from its closed output log');
    assert.equal(notes, []);
    assert.ok(log.sizeNow().complete);
  });
}

test.run();
