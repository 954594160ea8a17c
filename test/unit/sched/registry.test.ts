/** Policy discovery by folder, unknown names, and a site policy loaded by path. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { availablePolicies, resolvePolicy } from '../../../modules/sched/registry';
import { schedConfig } from '../../../modules/sched/config';

test('policies are discovered from plugins/sched', () => {
  const names = availablePolicies();
  assert.ok(names.includes('fcfs') && names.includes('backfill'), names.join(','));
  assert.is(resolvePolicy('backfill').name, 'backfill');
});

test('an unknown name lists the available ones', () => {
  assert.throws(() => resolvePolicy('easy'), (e: Error) => /^unknown policy "easy" \(available: backfill, fcfs/.test(e.message));
});

test('a site policy loads by path', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sched-site-'));
  try {
    const file = path.join(dir, 'lifo.js');
    fs.writeFileSync(
      file,
      `module.exports = { schedPolicy: 1, name: 'lifo', description: 'test', create: () => ({ name: 'lifo',
        hello() {}, enqueue() {}, cancel() { return false; }, free() {}, schedule() { return []; }, queue() { return []; } }) };`,
    );
    const p = resolvePolicy(file);
    assert.is(p.name, 'lifo');
    assert.is(p.create(new Map()).name, 'lifo');
    const bad = path.join(dir, 'bad.js');
    fs.writeFileSync(bad, 'module.exports = {};');
    assert.throws(() => resolvePolicy(bad), /does not export a flux-ts scheduler policy/);
    assert.throws(() => resolvePolicy(path.join(dir, 'none.js')), /No such file or directory/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('config: [sched] table, args win, default fcfs', () => {
  assert.is(schedConfig({}, []).policy, 'fcfs');
  assert.is(schedConfig({ sched: { policy: 'backfill' } }, []).policy, 'backfill');
  const c = schedConfig({ sched: { policy: 'backfill', select: 'high' } }, ['policy=fcfs']);
  assert.is(c.policy, 'fcfs');
  assert.is(c.options.get('select'), 'high');
});

test.run();
