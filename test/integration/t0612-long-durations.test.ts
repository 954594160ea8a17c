/**
 * Long durations (issue 9): a time limit, an exit-timeout or a --timeout longer
 * than a Node timer can wait (2^31 ms, 24.8 days) works as written instead of
 * firing at once; an absurd duration (1e400s, inf, negative, beyond 136 years)
 * is refused with one line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Client } from '../../cli/api/client';
import { Errno } from '../../lib/errno';
import type { FluxError } from '../../lib/errors';
import { startInstance, type Instance } from '../helpers/flux';

let inst: Instance | undefined;

test.before(async () => {
  inst = await startInstance();
});

test.after(async () => {
  if (inst) await inst.stop();
});

test('flux run -t 25d runs the job to its end (no timeout exception)', () => {
  const r = inst!.flux(['run', '-t', '25d', 'sh', '-c', 'sleep 0.5; echo done']);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'done\n');
  assert.is(r.code, 0);
});

test('flux job timeleft inside a -t 25d job says about 25 days', () => {
  const r = inst!.flux(['run', '-t', '25d', 'flux', 'job', 'timeleft']);
  assert.is(r.code, 0, r.stderr);
  const left = Number(r.stdout.trim());
  assert.ok(left > 25 * 86400 - 60 && left <= 25 * 86400, r.stdout);
});

test('-t in minutes over 24.8 days (a bare number) works too', () => {
  const r = inst!.flux(['run', '-t', '40000', 'true']);
  assert.is(r.stderr, '');
  assert.is(r.code, 0);
});

test('exit-timeout=30d does not fire when the first task exits', () => {
  const r = inst!.flux(['run', '-n2', '-o', 'exit-timeout=30d', 'sh', '-c', 'test $FLUX_TASK_RANK = 0 || sleep 1']);
  assert.is(r.stderr, '');
  assert.is(r.code, 0);
});

test('flux job wait-event --timeout=30d waits for the event', () => {
  const id = inst!.flux(['submit', 'sleep', '1']).stdout.trim();
  const r = inst!.flux(['job', 'wait-event', '--timeout=30d', id, 'clean']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /clean/);
});

for (const bad of ['1e400s', 'inf', '-1', 'infinity']) {
  test(`-t ${bad} is refused with one line`, () => {
    const r = inst!.flux(['run', '-t', bad, 'true']);
    assert.is(r.code, 1);
    assert.is(r.stderr, `flux-run: ERROR: -t ${bad}: invalid Flux standard duration\n`);
  });
}

test('-t 1e300s (beyond 136 years) is refused with one line', () => {
  const r = inst!.flux(['run', '-t', '1e300s', 'true']);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-run: ERROR: -t 1e300s: duration must be at most 4294967295s (136 years)\n');
});

test('a jobspec with duration 1e300 is refused by job-ingest', async () => {
  const js = JSON.parse(inst!.flux(['run', '--dry-run', 'true']).stdout) as { attributes: { system: { duration: number } } };
  js.attributes.system.duration = 1e300;
  const h = await Client.connect(inst!.uri);
  try {
    const e = await h.rpc('job-ingest.submit', { jobspec: js, urgency: 16, flags: 0 }).then(
      () => undefined,
      (err: FluxError) => err,
    );
    assert.ok(e, 'submit succeeded');
    assert.is(e!.errno, Errno.EINVAL);
    assert.match(e!.message, /attributes\.system\.duration must be at most 4294967295 \(136 years\)$/);
  } finally {
    h.close();
  }
});

test.run();
