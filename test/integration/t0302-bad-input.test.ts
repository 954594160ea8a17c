/** Bad submission input: each a one-line error that repeats what the user typed, non-zero exit. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startInstance, type Instance } from '../helpers/flux';

let inst: Instance;

test.before(async () => {
  inst = await startInstance(['--test-size=2']);
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
});

const cases: Array<[string[], number, string]> = [
  [['submit', '-N0', 'true'], 1, 'flux-submit: ERROR: -N0: node count must be an integer >= 1\n'],
  [['submit', '-N', '0', 'true'], 1, 'flux-submit: ERROR: -N 0: node count must be an integer >= 1\n'],
  [['submit', '-n', '0', 'true'], 1, 'flux-submit: ERROR: -n 0: task count must be an integer >= 1\n'],
  [['submit', '--ntasks=0', 'true'], 1, 'flux-submit: ERROR: --ntasks=0: task count must be an integer >= 1\n'],
  [['submit', '-c0', 'true'], 1, 'flux-submit: ERROR: -c0: cores per task must be an integer >= 1\n'],
  [['submit', '-n', 'x', 'true'], 1, "flux-submit: ERROR: --ntasks: invalid int value 'x'\n"],
  [['submit', '-N2', '-n1', 'true'], 1, 'flux-submit: ERROR: node count must not be greater than task count\n'],
  [['submit', '-t', 'bogus', 'true'], 1, 'flux-submit: ERROR: -t bogus: invalid Flux standard duration\n'],
  [['submit'], 1, 'flux-submit: ERROR: job command and arguments are missing\n'],
  [['submit', '--cc=5-1', 'true'], 1, "flux-submit: ERROR: --cc=5-1: invalid idset: error parsing range '5-1'\n"],
  [['submit', '--urgency=99', 'true'], 1, '[Errno 22] urgency range is [0:31]\n'],
  [['submit', '-o', 'nosuch.option=1', 'true'], 1, "[Errno 22] unknown shell option 'nosuch.option'\n"],
  [['submit', '--flags=bogus', 'true'], 1, 'flux-submit: ERROR: --flags: Unknown flag bogus\n'],
  [['submit', '--input=0', 'true'], 1, 'flux: ERROR: per-task input not supported for submit\n'],
  [['submit', '--nosuchopt', 'true'], 2, 'usage: flux submit [OPTIONS...] COMMAND [ARGS...]\nflux submit: error: unrecognized arguments: --nosuchopt\n'],
  [['jobs', '--filter=bogus'], 1, 'flux-jobs: ERROR: Invalid filter specified: bogus\n'],
  [['jobs', '-o', '{bogus}'], 1, 'flux-jobs: ERROR: Error in user format: Unknown format field: bogus\n'],
  [['job', 'info', 'notanid', 'R'], 1, 'flux-job: error parsing jobid: "notanid"\n'],
  [['job', 'info', 'f123456789', 'R'], 1, 'flux-job: job f123456789 not found\n'],
  [['job', 'status', 'f123456789'], 1, 'flux-job: f123456789: No such job\n'],
  [['job', 'kill', 'f123456789'], 1, 'flux-job: kill f123456789: unknown job id\n'],
  [['job', 'id', 'bad-words'], 1, 'flux-job: bad-words: malformed input\n'],
  [['job', 'id', '--to=roman', '1234'], 1, 'flux-job: Unknown to=roman\n'],
  [['queue', 'enable', 'nosuchq'], 1, "flux-queue: ERROR: enable: 'nosuchq' is not a valid queue\n"],
];

for (const [args, code, stderr] of cases) {
  test(`flux ${args.join(' ')}`, () => {
    const r = inst.flux(args);
    assert.is(r.stderr, stderr);
    assert.is(r.code, code);
    assert.is(r.stdout, args[0] === 'jobs' ? r.stdout : '');
  });
}

test('more nodes than the instance has: rejected at submit, naming the request', () => {
  const r = inst.flux(['submit', '-N5', 'true']);
  assert.is(r.code, 1);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /^\[Errno 22\] .*5 .*node.*\n$/);
  assert.is(r.stderr.split('\n').length, 2);
});

test('more tasks than cores: rejected at submit', () => {
  const r = inst.flux(['submit', '-n', '1000', 'true']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^\[Errno 22\] .*1000.*\n$/);
});

test('a job id that parses but does not exist, in flux jobs', () => {
  const r = inst.flux(['jobs', 'f123456789']);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'JobID f123456789 unknown\n');
  const bad = inst.flux(['jobs', 'x']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /flux-jobs: error: argument JOBID: invalid JobID value: 'x'\n$/);
});

test('nothing was left behind by the rejected submissions', () => {
  const r = inst.flux(['jobs', '-a', '-n']);
  assert.is(r.stdout, '');
});

test.run();
