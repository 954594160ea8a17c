/** flux job stats (job-list's counts as JSON) and flux job namespace (a running job's kvs namespace). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startInstance, type Instance } from '../helpers/flux';

let inst: Instance;

test.before(async () => {
  inst = await startInstance();
});
test.after(async () => {
  await inst.stop();
});

function ok(args: string[], input?: string): string {
  const r = inst.flux(args, input === undefined ? {} : { input });
  assert.equal([r.code, r.stderr], [0, ''], `flux ${args.join(' ')}`);
  return r.stdout;
}

test('flux job stats: zeros in a new instance, then counts by state and result', () => {
  const empty = JSON.parse(ok(['job', 'stats']));
  assert.equal(empty, {
    job_states: { depend: 0, priority: 0, sched: 0, run: 0, cleanup: 0, inactive: 0, total: 0 },
    successful: 0,
    failed: 0,
    timeout: 0,
    canceled: 0,
    inactive_purged: 0,
    queues: [],
  });
  ok(['submit', '--wait', 'true']);
  inst.flux(['submit', '--wait', 'false']);
  inst.flux(['submit', '--wait', '-t', '0.01s', 'sleep', '30']);
  const held = ok(['submit', '--urgency=hold', 'true']).trim();
  const running = ok(['submit', '--wait-event=start', 'sleep', '30']).trim();
  const canceled = ok(['submit', '--urgency=hold', 'true']).trim();
  ok(['cancel', canceled]);
  ok(['job', 'wait-event', canceled, 'clean']);
  const s = JSON.parse(ok(['job', 'stats']));
  assert.equal(s.job_states, { depend: 0, priority: 0, sched: 1, run: 1, cleanup: 0, inactive: 4, total: 6 });
  assert.equal([s.successful, s.failed, s.timeout, s.canceled], [1, 1, 1, 1]);
  ok(['cancel', held, running]);
});

test('flux job namespace: job-DECIMAL, ids from stdin, malformed input', () => {
  const id = ok(['submit', 'sh', '-c', 'flux kvs put hello=world; sleep 30']).trim();
  const dec = ok(['job', 'id', id]).trim();
  const ns = ok(['job', 'namespace', id]).trim();
  assert.is(ns, `job-${dec}`);
  assert.is(ok(['job', 'namespace'], `${id}\n${dec}\n`), `job-${dec}\njob-${dec}\n`);
  // the job's own writes land there, readable from outside while it runs
  assert.is(ok(['kvs', 'get', '--waitcreate', '-N', ns, 'hello']), 'world\n');
  const r = inst.flux(['job', 'namespace', id, 'nojob']);
  assert.equal([r.code, r.stdout, r.stderr], [1, `job-${dec}\n`, 'flux-job: nojob: malformed input\n']);
  ok(['cancel', id]);
  ok(['job', 'wait-event', id, 'clean']);
  // once inactive, its content is in the job's guest directory
  const kvsdir = ok(['job', 'id', '--to=kvs', id]).trim();
  assert.is(ok(['kvs', 'get', `${kvsdir}.guest.hello`]), 'world\n');
});

test.run();
