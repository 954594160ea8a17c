/**
 * flux job eventlog as Flux's: -F follows a job's eventlog (or its exec
 * eventlog) until the job is inactive, -L colours it (time green, name
 * yellow, keys blue, numbers gray), -T human (or reltime) is -H.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startInstance, type Instance } from '../helpers/flux';

let inst: Instance;

test.before(async () => {
  inst = await startInstance(['--test-size=1']);
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
});

test('-F prints the entries as they come and ends with the job', async () => {
  inst.flux(['queue', 'stop']);
  const id = inst.flux(['submit', 'true']).stdout.trim();
  // started while the job waits: what follows is appended after the command began
  const follow = inst.fluxAsync(['job', 'eventlog', '-F', id]);
  const exec = inst.fluxAsync(['job', 'eventlog', '-F', '-p', 'exec', id]);
  inst.flux(['queue', 'start']);
  const r = await follow;
  assert.is(r.code, 0, r.stderr);
  const names = r.stdout.trim().split('\n').map((l) => l.split(' ')[1]);
  assert.equal(names.slice(0, 4), ['submit', 'validate', 'depend', 'priority']);
  assert.equal(names.slice(-4), ['finish', 'release', 'free', 'clean']);
  const x = await exec;
  assert.is(x.code, 0, x.stderr);
  assert.match(x.stdout, /^\d+\.\d{6} init\n/);
  assert.match(x.stdout, /\d+\.\d{6} done\n$/);
});

test('-L colours the text, -T human is -H', () => {
  const id = inst.flux(['submit', '--wait', 'true']).stdout.trim();
  const r = inst.flux(['job', 'eventlog', '-L', '-T', 'human', id]);
  assert.is(r.code, 0, r.stderr);
  const first = r.stdout.split('\n')[0]!;
  // ESC shown as <E>, to keep control characters out of the pattern
  assert.match(first.replaceAll('\x1b', '<E>'), /^<E>\[1m<E>\[32m\[[A-Z][a-z]{2}\d\d \d\d:\d\d\]<E>\[0m <E>\[33msubmit<E>\[0m <E>\[34muserid<E>\[0m=<E>\[90m\d+<E>\[0m/);
  assert.is(inst.flux(['job', 'eventlog', '-T', 'reltime', id]).stdout, inst.flux(['job', 'eventlog', '-H', id]).stdout);
  // off a terminal, no colour unless asked
  assert.not.ok(inst.flux(['job', 'eventlog', id]).stdout.includes('\x1b'));
});

test('flux resource eventlog: -T human and -L as the job eventlog has them', () => {
  const human = inst.flux(['resource', 'eventlog', '-T', 'human']);
  assert.is(human.code, 0, human.stderr);
  assert.is(human.stdout, inst.flux(['resource', 'eventlog', '-H']).stdout);
  assert.match(human.stdout, /^\[[A-Z][a-z]{2}\d\d \d\d:\d\d\] restart /);
  const c = inst.flux(['resource', 'eventlog', '-L']).stdout.split('\n')[0]!.replaceAll('\x1b', '<E>');
  assert.match(c, /^<E>\[32m\d+\.\d{6}<E>\[0m <E>\[33mrestart<E>\[0m <E>\[34mranks<E>\[0m=<E>\[35m"0"<E>\[0m/);
});

test.run();
