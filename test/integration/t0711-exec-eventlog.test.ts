/**
 * The exec eventlog (guest.exec.eventlog) and what Flux tools wait on in it:
 * `flux job eventlog -p exec`, `flux job wait-event -p exec ID shell.start`,
 * `flux job attach -X`; a wait without -t on an exec eventlog that can no
 * longer appear (the job never ran) fails instead of hanging. And
 * `flux submit --flags debug`: debug.alloc-request / debug.free-request in the
 * job eventlog.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startInstance, type Instance } from '../helpers/flux';

let inst: Instance | undefined;

test.before(async () => {
  inst = await startInstance(['--test-size=2']);
});

test.after(async () => {
  await inst?.stop().catch(() => inst?.kill());
});

const names = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => l.split(' ')[1]);

test('flux job eventlog -p exec: init, starting, shell.init, shell.start (taskmap), complete, done', () => {
  const id = inst!.flux(['submit', '-N2', '-n4', 'sh', '-c', 'exit 3']).stdout.trim();
  assert.is(inst!.flux(['job', 'wait-event', id, 'clean']).code, 0);
  const r = inst!.flux(['job', 'eventlog', '-p', 'exec', id]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(names(r.stdout), ['init', 'starting', 'shell.init', 'shell.start', 'complete', 'done']);
  assert.match(r.stdout, /^\d+\.\d{6} shell\.init service="\d+-shell-\w+" leader-rank=0 size=2$/m);
  assert.match(r.stdout, /^\d+\.\d{6} shell\.start taskmap=\{"version":1,"map":\[\[0,2,2,1\]\]\}$/m);
  assert.match(r.stdout, /^\d+\.\d{6} complete status=768$/m);
  // the same log under its full name
  assert.is(inst!.flux(['job', 'info', id, 'guest.exec.eventlog']).code, 0);
});

test('flux job wait-event -p exec ID shell.start, while the job runs', async () => {
  const id = inst!.flux(['submit', 'sleep', '30']).stdout.trim();
  try {
    const r = await inst!.fluxAsync(['job', 'wait-event', '-p', 'exec', id, 'shell.start'], { timeoutMs: 30_000 });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\d+\.\d{6} shell\.start taskmap=\{"version":1,"map":\[\[0,1,1,1\]\]\}\n$/);
  } finally {
    inst!.flux(['cancel', id]);
  }
  const done = inst!.flux(['job', 'wait-event', '-p', 'exec', id, 'done'], { timeoutMs: 30_000 });
  assert.is(done.code, 0, done.stderr);
});

test('wait-event -p exec for an event that does not come ends with the log (no -t)', () => {
  const id = inst!.flux(['submit', 'true']).stdout.trim();
  const r = inst!.flux(['job', 'wait-event', '-p', 'exec', id, 'nosuch'], { timeoutMs: 30_000 });
  assert.is(r.code, 1);
  assert.is(r.stderr, "flux-job: event 'nosuch' never received\n");
});

test('wait-event -p exec of a job that never ran: an error once it is inactive, not a hang', async () => {
  assert.is(inst!.flux(['queue', 'stop', '--quiet']).code, 0);
  const id = inst!.flux(['submit', 'true']).stdout.trim();
  try {
    const waiting = inst!.fluxAsync(['job', 'wait-event', '-p', 'exec', id, 'shell.start'], { timeoutMs: 30_000 });
    assert.is(inst!.flux(['cancel', id]).code, 0);
    const r = await waiting;
    assert.is(r.code, 1, r.stderr);
    assert.is(r.stderr, 'flux-job: eventlog path exec not found\n');
  } finally {
    inst!.flux(['queue', 'start', '--quiet']);
  }
  // and after the fact
  const again = inst!.flux(['job', 'wait-event', '-p', 'exec', id, 'shell.start'], { timeoutMs: 30_000 });
  assert.is(again.code, 1);
  assert.is(again.stderr, 'flux-job: eventlog path exec not found\n');
});

test('flux job attach -X / --show-exec prints the exec events on stderr', () => {
  const id = inst!.flux(['submit', 'sh', '-c', 'echo out; exit 2']).stdout.trim();
  for (const opt of ['-X', '--show-exec']) {
    const r = inst!.flux(['job', 'attach', opt, id], { timeoutMs: 30_000 });
    assert.is(r.code, 2, r.stderr);
    assert.is(r.stdout, 'out\n');
    const exec = r.stderr.split('\n').filter((l) => / exec\./.test(l));
    assert.equal(
      exec.map((l) => /^\d+\.\d{3}s: exec\.(\S+)/.exec(l)?.[1]),
      ['init', 'starting', 'shell.init', 'shell.start', 'complete', 'done'],
      r.stderr,
    );
    assert.match(r.stderr, /s: exec\.shell\.start \{"taskmap":\{"version":1,"map":\[\[0,1,1,1\]\]\}\}\n/);
    assert.match(r.stderr, /s: exec\.complete \{"status":512\}\n/);
  }
  // without -X: none
  assert.not.match(inst!.flux(['job', 'attach', id]).stderr, /exec\./);
});

test('flux submit --flags debug: debug.alloc-request and debug.free-request in the job eventlog', () => {
  const id = inst!.flux(['submit', '--flags', 'debug', 'true']).stdout.trim();
  assert.is(inst!.flux(['job', 'wait-event', id, 'clean']).code, 0);
  const ev = names(inst!.flux(['job', 'eventlog', id]).stdout);
  assert.ok(ev.indexOf('debug.alloc-request') >= 0 && ev.indexOf('debug.alloc-request') < ev.indexOf('alloc'), ev.join(' '));
  assert.ok(ev.indexOf('debug.free-request') > ev.indexOf('release') && ev.indexOf('debug.free-request') < ev.indexOf('free'), ev.join(' '));
  // without the flag: none
  const plain = inst!.flux(['submit', 'true']).stdout.trim();
  assert.is(inst!.flux(['job', 'wait-event', plain, 'clean']).code, 0);
  assert.not.match(inst!.flux(['job', 'eventlog', plain]).stdout, /debug\./);
});

test.run();
