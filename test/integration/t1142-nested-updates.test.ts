/**
 * A batch or alloc instance follows its job in the enclosing instance:
 * `flux update ID duration=...` of the running job becomes the instance's own
 * expiration (a `resource-update` in its resource eventlog, `flux job
 * timeleft` inside, the expiration of its new jobs), as Flux's resource
 * module does from its watch of the job's R.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startInstance, type Instance } from '../helpers/flux';
import { until } from '../helpers/wait';

let inst: Instance;

test.before(async () => {
  inst = await startInstance(['--test-size=1']);
});
test.after(async () => {
  inst.flux(['cancel', '--all']);
  await inst.stop().catch(() => inst.kill());
});

test('flux update of an alloc job extends the instance inside it: its eventlog, timeleft and new jobs', async () => {
  const id = inst.flux(['alloc', '--bg', '-N1', '-t', '5m']).stdout.trim();
  assert.match(id, /^ƒ/);
  try {
    const inside = (...args: string[]) => inst.flux(['proxy', id, 'flux', ...args]);
    const left = () => Number(inside('job', 'timeleft').stdout.trim());
    assert.ok(left() > 200 && left() <= 300, `timeleft before ${left()}`);
    let r = inst.flux(['update', id, 'duration=+10m']);
    assert.is(r.code, 0, r.stderr);
    await until(() => /resource-update expiration=\d/.test(inside('resource', 'eventlog').stdout), 'resource-update in the instance');
    const t = left();
    assert.ok(t > 800 && t <= 900, `timeleft after +10m ${t}`);
    // the instance's R, and a job without a limit submitted inside, have the enclosing job's new expiration
    const parentExp = (JSON.parse(inst.flux(['job', 'info', id, 'R']).stdout) as { execution: { expiration: number } }).execution.expiration;
    const instExp = (JSON.parse(inside('kvs', 'get', 'resource.R').stdout) as { execution: { expiration: number } }).execution.expiration;
    assert.ok(Math.abs(instExp - parentExp) < 0.001, `instance ${instExp} against its job's ${parentExp}`);
    r = inside('run', 'flux', 'job', 'timeleft');
    assert.is(r.code, 0, r.stderr);
    assert.ok(Number(r.stdout) > 800, `a job's timeleft inside ${r.stdout}`);
    // a second update, shorter: followed too
    r = inst.flux(['update', id, 'duration=7m']);
    assert.is(r.code, 0, r.stderr);
    await until(() => left() <= 420, 'timeleft after duration=7m');
    assert.is(inside('resource', 'eventlog').stdout.match(/resource-update/g)?.length, 2);
  } finally {
    inst.flux(['shutdown', '--quiet', id]);
  }
});

test.run();
