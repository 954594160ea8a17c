/**
 * What the backing store failed to take after the kvs answered it (a change
 * answered once queued, a removal) is written again from the tree once the
 * store writes again (modules/kvs/repair.ts): the disk ends up as the tree.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Backing } from '../../../modules/kvs/backing';
import { Repairs, tops } from '../../../modules/kvs/repair';
import { Store } from '../../../modules/kvs/store';

const ev = (name: string, t: number) => ({ timestamp: t, name });

/** what a restart would read back from the backing store */
function reload(b: Backing): Store {
  const s = new Store();
  for (const r of b.records()) s.loadRecord(r.key, r.n, r.text);
  s.loaded();
  return s;
}

test('tops keeps the keys no other one is below', () => {
  assert.equal(tops(['job.1.eventlog', 'job.1', 'job.10', 'job.2.R', 'job.2.R']), ['job.1', 'job.10', 'job.2.R']);
});

test('failed writes are written again from the tree: a gap in an eventlog filled, a removed key removed', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-repair-'));
  const b = Backing.open(dir, { sync: false });
  const lines: string[] = [];
  try {
    const tree = new Store();
    tree.loaded();
    // on disk and in the tree: a job's jobspec and its first event
    const first = tree.append('job.1.eventlog', [ev('submit', 1)]);
    tree.put('job.1.jobspec', { tasks: 1 });
    await b.putLogHeader('job.1.eventlog', false);
    await b.appendLog('job.1.eventlog', first.n, first.text);
    await b.putValue('job.1.jobspec', JSON.stringify({ tasks: 1 }));
    // a job whose removal (purge) the store did not take
    await b.putValue('job.2.jobspec', '{}');
    // in the tree only: two later events (their writes failed), the removal
    tree.append('job.1.eventlog', [ev('validate', 2)]);
    const third = tree.append('job.1.eventlog', [ev('depend', 3)]);
    await b.appendLog('job.1.eventlog', third.n, third.text); // the last one made it: a gap before it
    const r = new Repairs(() => tree, b, (_sev, msg) => lines.push(msg));
    r.failed(['job.1.eventlog']);
    r.failed(['job.2']);
    assert.equal(reload(b).entries('job.1.eventlog').map((e) => e.name), ['submit', 'depend'], 'the gap on disk');
    assert.is(r.size, 2);
    await r.flush();
    assert.is(r.size, 0);
    const back = reload(b);
    assert.equal(back.entries('job.1.eventlog').map((e) => e.name), ['submit', 'validate', 'depend']);
    assert.equal(back.get('job.1.jobspec'), { tasks: 1 });
    assert.not.ok(back.has('job.2.jobspec'), 'the removal reached the disk');
    assert.match(lines.join('\n'), /2 keys changed while it could not write are written again/);
    // an append after the repair lands after the text written again
    const fourth = tree.append('job.1.eventlog', [ev('priority', 4)]);
    await b.appendLog('job.1.eventlog', fourth.n, fourth.text);
    assert.equal(reload(b).entries('job.1.eventlog').map((e) => e.name), ['submit', 'validate', 'depend', 'priority']);
  } finally {
    await b.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
