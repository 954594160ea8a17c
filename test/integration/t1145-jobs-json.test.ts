/**
 * flux jobs --json as Flux's (JobInfo.to_dict, json.dumps): state, result and
 * status as names, username, returncode, runtime, the exception as an object,
 * the uri of a nested instance as its own key; unset values left out; one job
 * asked by id is an object, else {"jobs": [...]}.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as os from 'node:os';
import { startInstance, type Instance } from '../helpers/flux';

let inst: Instance;

test.before(async () => {
  inst = await startInstance(['--test-size=1']);
});
test.after(async () => {
  inst.flux(['cancel', '--all']);
  await inst.stop().catch(() => inst.kill());
});

test('a completed and a failed job, as Flux writes them', () => {
  const ok = inst.flux(['submit', '--wait', 'true']).stdout.trim();
  const bad = inst.flux(['submit', '--wait', 'sh', '-c', 'exit 3']).stdout.trim();
  const r = inst.flux(['jobs', '--json', ok]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\{"t_depend": \d+\.\d+, "t_run": /);
  const j = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.is(j['id'], Number(inst.flux(['job', 'id', '--to=dec', ok]).stdout.trim()));
  assert.equal([j['state'], j['result'], j['status'], j['success'], j['returncode'], j['username'], j['exception']], ['INACTIVE', 'COMPLETED', 'COMPLETED', true, 0, os.userInfo().username, { occurred: false }]);
  assert.ok(typeof j['runtime'] === 'number' && typeof j['t_inactive'] === 'number');
  // unset: no expiration, no t_remaining, no project or bank
  for (const k of ['expiration', 't_remaining', 'project', 'bank']) assert.not.ok(k in j, k);
  const both = JSON.parse(inst.flux(['jobs', '--json', ok, bad]).stdout) as { jobs: Array<Record<string, unknown>> };
  const f = both.jobs.find((x) => x['id'] !== j['id'])!;
  assert.equal([f['result'], f['success'], f['returncode'], f['waitstatus']], ['FAILED', false, 3, 768]);
});

test('a canceled job has its exception; a running batch instance its uri', () => {
  const id = inst.flux(['submit', 'sleep', '300']).stdout.trim();
  inst.flux(['cancel', id]);
  inst.flux(['job', 'wait-event', id, 'clean']);
  const j = JSON.parse(inst.flux(['jobs', '--json', id]).stdout) as Record<string, unknown>;
  assert.equal(j['exception'], { occurred: true, severity: 0, type: 'cancel', note: '' });
  assert.is(j['result'], 'CANCELED');
  const alloc = inst.flux(['alloc', '--bg', '-n1']).stdout.trim();
  try {
    const a = JSON.parse(inst.flux(['jobs', '--json', alloc]).stdout) as Record<string, unknown>;
    assert.match(String(a['uri']), /^ssh:\/\/.+\/local-0$/);
    assert.is(a['state'], 'RUN');
    assert.not.ok('user' in (a['annotations'] as Record<string, unknown>));
  } finally {
    inst.flux(['shutdown', '--quiet', alloc]);
  }
});

test.run();
