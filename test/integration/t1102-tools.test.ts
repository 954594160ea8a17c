/**
 * The small tools: flux hostlist, flux pgrep / pkill, flux jobs -i, flux job
 * memo, flux job taskmap, against a real 2-broker instance.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as os from 'node:os';
import { flux, startInstance, type Instance } from '../helpers/flux';

let inst: Instance;
/** done1 completed; running: sleeper1 (2 nodes, 2 tasks), sleeper2 and other (1 task each): the 4 cores of 2 brokers */
let s1: string;
let s2: string;
let other: string;
let done1: string;
const HOST = os.hostname();

const submit = (...args: string[]): string => {
  const r = inst.flux(['submit', ...args]);
  assert.is(r.code, 0, r.stderr);
  return r.stdout.trim();
};

test.before(async () => {
  inst = await startInstance(['--test-size=2']);
  done1 = submit('--wait', '--job-name=done1', 'true');
  s1 = submit('-N2', '-n2', '--job-name=sleeper1', 'sleep', '300');
  s2 = submit('--job-name=sleeper2', 'sleep', '300');
  other = submit('--job-name=other', 'sleep', '300');
  for (const id of [s1, s2, other]) assert.is(inst.flux(['job', 'wait-event', '-t', '30', id, 'start']).code, 0);
});
test.after(async () => {
  inst.flux(['cancel', '--all']);
  await inst.stop().catch(() => inst.kill());
});

test('hostlist: set operations, order, selection and output forms (no instance needed)', () => {
  const hl = (args: string[], input?: string) => flux(['hostlist', ...args], { input, env: { FLUX_URI: '' } });
  const cases: Array<[string[], string]> = [
    [['n[1-3]', 'n2'], 'n[1-3,2]\n'],
    [['-u', 'n[1-3]', 'n2'], 'n[1-3]\n'],
    [['-S', 'n10', 'n2', 'n1'], 'n[1-2,10]\n'],
    [['-i', 'n[1-5]', 'n[4-8]'], 'n[4-5]\n'],
    [['-m', 'n[1-5]', 'n[2-3]'], 'n[1,4-5]\n'],
    [['-X', 'n[1-5]', 'n[4-8]'], 'n[1-3,6-8]\n'],
    [['-e', 'n[1-3]'], 'n1 n2 n3\n'],
    [['-e', '-d,', 'n[1-3]'], 'n1,n2,n3\n'],
    [['-c', 'n[1-3]', 'm[1-2]'], '5\n'],
    [['-n', '-1', 'n[1-5]'], 'n5\n'],
    [['-n', '0,2', 'n[1-5]'], 'n[1,3]\n'],
    [['-x', '1', 'n[1-5]'], 'n[1,3-5]\n'],
    [['-x', 'n[3,9]', 'n[1-5]'], 'n[1-2,4-5]\n'],
    [['-L', '2', 'n[1-5]'], 'n[1-2]\n'],
    [['-L', '-2', 'n[1-5]'], 'n[4-5]\n'],
    [['-F', 'n[2,4]', 'n[1-5]'], '1 3\n'],
  ];
  for (const [args, want] of cases) {
    const r = hl(args);
    assert.equal([r.code, r.stdout, r.stderr], [0, want, ''], args.join(' '));
  }
  let r = hl([], 'a[1-2]\nb1 a3\n');
  assert.equal([r.code, r.stdout], [0, 'a[1-2],b1,a3\n'], 'stdin is the default source');
  r = hl(['-u', '-'], 'a2 a1 a2\n');
  assert.is(r.stdout, 'a[1-2]\n');
  r = hl(['-n', '9', 'n[1-5]']);
  assert.equal([r.code, r.stdout, r.stderr], [1, '', 'flux-hostlist: ERROR: Invalid index 9\n']);
  r = hl(['-q', '-i', 'n[1-2]', 'n3']);
  assert.equal([r.code, r.stdout], [1, '']);
  r = hl(['-q', 'n1']);
  assert.equal([r.code, r.stdout], [0, '']);
  r = hl(['-F', 'x1', 'n[1-5]']);
  assert.equal([r.code, r.stderr], [1, 'flux-hostlist: ERROR: x1 not found in hostlist\n']);
  r = hl(['-i', '-m', 'a', 'b']);
  assert.is(r.code, 2);
});

test('resource eventlog: the journal so far; -f json; -w waits for an event still to come', async () => {
  let r = inst.flux(['resource', 'eventlog']);
  assert.is(r.code, 0, r.stderr);
  const names = r.stdout.split('\n').filter(Boolean).map((l) => l.split(' ')[1]);
  assert.equal(names.slice(0, 2), ['restart', 'resource-define']);
  assert.match(r.stdout, /^\d+\.\d{6} restart ranks="0-1" online="" nodelist="[^"]+"$/m);
  assert.match(r.stdout, /^\d+\.\d{6} resource-define method="dynamic-discovery"$/m);
  const online = r.stdout.match(/ online idset="([^"]+)"/g) ?? [];
  assert.ok(online.length >= 1, 'online events');
  // a waiter started before the event: it follows the journal until the drain comes
  assert.not.match(r.stdout, / drain /, 'no drain yet');
  let settled = false;
  const waiter = inst.fluxAsync(['resource', 'eventlog', '-w', 'drain', '-f', 'json']).then((x) => ((settled = true), x));
  // another reader comes and goes while the waiter is still following
  assert.is((await inst.fluxAsync(['resource', 'eventlog'])).code, 0);
  assert.is(settled, false, 'the waiter is still waiting');
  assert.is(inst.flux(['resource', 'drain', '1', 'for the journal']).code, 0);
  try {
    const w = await waiter;
    assert.is(w.code, 0, w.stderr);
    const last = JSON.parse(w.stdout.trim().split('\n').pop()!) as { name: string; context: Record<string, unknown> };
    assert.is(last.name, 'drain');
    assert.equal(last.context, { idset: '1', nodelist: HOST, reason: 'for the journal', overwrite: 0 });
  } finally {
    inst.flux(['resource', 'undrain', '1']);
  }
  r = inst.flux(['resource', 'eventlog', '-T', 'offset']);
  assert.match(r.stdout, /^0\.000000 restart /);
  assert.match(r.stdout, /^\d+\.\d{6} undrain idset="1" nodelist="[^"]+"$/m);
  r = inst.flux(['resource', 'eventlog', '-f', 'yaml']);
  assert.equal([r.code, r.stderr], [1, 'flux-resource: ERROR: Unknown format yaml\n']);
});

test('hostlist: instance, avail, local and job sources', () => {
  let r = inst.flux(['hostlist', 'instance']);
  assert.equal([r.code, r.stdout], [0, `${HOST},${HOST}\n`], r.stderr);
  r = inst.flux(['hostlist', '-c', 'avail']);
  assert.equal([r.code, r.stdout], [0, '2\n']);
  r = inst.flux(['hostlist', '-l', '-c']);
  assert.equal([r.code, r.stdout], [0, '2\n'], 'local without FLUX_JOB_ID is the instance');
  r = inst.flux(['hostlist', '-c'], { env: { FLUX_JOB_ID: s2 }, input: '' });
  assert.equal([r.code, r.stdout], [0, '0\n'], 'no -l: stdin (empty)');
  r = inst.flux(['hostlist', '-c', 'local'], { env: { FLUX_JOB_ID: s2 } });
  assert.equal([r.code, r.stdout], [0, '1\n']);
  r = inst.flux(['hostlist', '-e', s1]);
  assert.equal([r.code, r.stdout], [0, `${HOST} ${HOST}\n`]);
  assert.is(inst.flux(['resource', 'drain', '1', 'testing']).code, 0);
  try {
    r = inst.flux(['hostlist', '-c', 'avail']);
    assert.equal([r.code, r.stdout], [0, '1\n'], 'a drained rank is not available');
  } finally {
    inst.flux(['resource', 'undrain', '1']);
  }
  r = inst.flux(['hostlist', 'foo1']);
  assert.equal([r.code, r.stderr], [1, 'flux-hostlist: ERROR: job foo1 not found\n']);
  r = inst.flux(['hostlist', '--fallback', 'foo1', 'foo2']);
  assert.equal([r.code, r.stdout], [0, 'foo[1-2]\n']);
});

test('pgrep: names and id ranges, formats, no match, bad pattern', () => {
  let r = inst.flux(['pgrep', 'sleeper']);
  assert.equal([r.code, r.stdout], [0, `${s2}\n${s1}\n`], r.stderr);
  r = inst.flux(['pgrep', '-o', '{id.f58} {name}', '-n', 'sleep']);
  assert.equal([r.code, r.stdout], [0, `${s2} sleeper2\n${s1} sleeper1\n`]);
  r = inst.flux(['pgrep', '-o', 'full', 'sleeper1']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /^ +JOBID USER +NAME +ST NTASKS NNODES +TIME INFO\n/);
  assert.match(r.stdout, new RegExp(`${s1} \\S+ +sleeper1 +R +2 +2 `));
  r = inst.flux(['pgrep', 'done1']);
  assert.equal([r.code, r.stdout], [1, ''], 'inactive jobs only with -a');
  r = inst.flux(['pgrep', '-a', 'done1']);
  assert.equal([r.code, r.stdout], [0, `${done1}\n`]);
  r = inst.flux(['pgrep', '-c', '1', 'sleeper']);
  assert.is(r.stdout, `${s2}\n`);
  r = inst.flux(['pgrep', `${s1}..${s2}`]);
  assert.equal([r.code, r.stdout], [0, `${s2}\n${s1}\n`]);
  r = inst.flux(['pgrep', `${s1}..${s2}`, 'sleeper2']);
  assert.equal([r.code, r.stdout], [0, `${s2}\n`], 'pattern and range must both match');
  r = inst.flux(['pgrep', 'nosuch']);
  assert.equal([r.code, r.stdout, r.stderr], [1, '', '']);
  r = inst.flux(['pgrep', '[']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /^flux-pgrep: ERROR: expression error: /);
  r = inst.flux(['pgrep']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /flux-pgrep: error: the following arguments are required: EXPRESSION/);
});

test('jobs -i: jobs on given ranks or hosts', () => {
  const ids = (arg: string) => inst.flux(['jobs', '-n', '-o', '{id.f58}', '-i', arg]).stdout.trim().split('\n').filter(Boolean).sort();
  const ranksOf = (id: string) => inst.flux(['jobs', '-n', '-o', '{ranks}', id]).stdout.trim();
  const on0 = [s1, s2, other].filter((id) => ranksOf(id).split(/[-,]/).includes('0') || ranksOf(id) === '0');
  assert.equal(ids('0'), on0.sort());
  assert.equal(ids('0-1'), [s1, s2, other].sort());
  assert.equal(ids(HOST), [s1, s2, other].sort());
  assert.equal(ids('nosuchhost'), []);
  assert.equal(ids('7'), [], 'a rank that does not exist is no error');
  const r = inst.flux(['jobs', '-i', 'bad[']);
  assert.equal([r.code, r.stderr], [1, 'flux-jobs: ERROR: -i/--include: invalid host or rank list: bad[\n']);
});

test('job memo: a memo event in the eventlog; --volatile only in the annotations', () => {
  let r = inst.flux(['job', 'memo', s2, 'foo=bar', 'n=3', 'o={"a":1}']);
  assert.is(r.code, 0, r.stderr);
  r = inst.flux(['job', 'eventlog', s2]);
  assert.match(r.stdout, /^\d+\.\d+ memo foo="bar" n=3 o=\{"a":1\}$/m);
  r = inst.flux(['job', 'memo', '--volatile', s2, 'vol=42']);
  assert.equal([r.code, r.stderr], [0, '']);
  assert.is(inst.flux(['jobs', '-no', '{user.vol} {user.foo}', s2]).stdout, '42 bar\n');
  assert.not.match(inst.flux(['job', 'eventlog', s2]).stdout, /vol=/);
  r = inst.flux(['job', 'memo', done1, 'a=1']);
  assert.equal([r.code, r.stderr], [1, 'flux-job: memo: job is inactive\n']);
  r = inst.flux(['job', 'memo', s2, 'novalue']);
  assert.is(r.code, 1);
});

test('job taskmap: a job map and its forms; a literal map; queries', () => {
  let r = inst.flux(['job', 'taskmap', s1]);
  assert.equal([r.code, r.stdout], [0, '[[0,2,1,1]]\n'], r.stderr);
  const q = (...a: string[]) => inst.flux(['job', 'taskmap', ...a]).stdout;
  assert.is(q('--to=raw', s1), '0;1\n');
  assert.is(q('--to=pmi', s1), '(vector,(0,2,1))\n');
  assert.is(q('--to=multiline', s1), '0\n1\n');
  assert.is(q('--taskids=1', s1), '1\n');
  assert.is(q('--ntasks=0', s1), '1\n');
  assert.is(q('--nodeid=1', s1), '1\n');
  assert.is(q('--hostname=1', s1), `${HOST}\n`);
  assert.is(q('--to=raw', '[[0,2,2,1]]'), '0-1;2-3\n');
  assert.is(q('--taskids=1', '[[0,2,2,1]]'), '2-3\n');
  assert.is(q('[[0,2,1,2]]'), '[[0,2,1,2]]\n');
  assert.is(q('--to=raw', '[[0,2,1,2]]'), '0,2;1,3\n');
  assert.is(q('0,2;1,3'), '[[0,2,1,2]]\n');
  assert.is(q('--to=multiline', '(vector,(0,1,2),(1,1,1))'), '0\n0\n1\n');
  assert.is(q('--to=pmi', '[[0,2,1,2]]'), '(vector,(0,2,1),(0,2,1))\n', 'repeats written out, as Flux does');
  assert.is(q('--to=hosts', s1), `${HOST}: 0\n${HOST}: 1\n`);
  r = inst.flux(['job', 'taskmap', '--to=hosts', '[[0,2,1,2]]']);
  assert.equal([r.code, r.stderr], [1, 'flux-job: --to=hosts only works with a jobid\n']);
  r = inst.flux(['job', 'taskmap', '--to=bogus', s1]);
  assert.equal([r.code, r.stderr], [1, 'flux-job: invalid value --to=bogus\n']);
  r = inst.flux(['job', 'taskmap', '--taskids=5', s1]);
  assert.equal([r.code, r.stderr], [1, 'flux-job: No tasks found on nodeid 5\n']);
  r = inst.flux(['job', 'taskmap', '--hostname=0', '[[0,1,1,1]]']);
  assert.equal([r.code, r.stderr], [1, 'flux-job: --hostname only works with a jobid\n']);
});

test('pkill: cancels matches and reports; --wait waits until they are inactive; no match exit 1', () => {
  let r = inst.flux(['pkill', '-w', 'sleeper2']);
  assert.equal([r.code, r.stderr], [0, 'flux-pkill: INFO: Canceled 1 job\n']);
  assert.is(inst.flux(['jobs', '-n', '-o', '{status_abbrev}', s2]).stdout, 'CA\n', 'inactive when pkill -w returns');
  r = inst.flux(['pkill', 'nosuch']);
  assert.equal([r.code, r.stdout, r.stderr], [1, '', '']);
  r = inst.flux(['pkill', '-w', 'sleeper', 'other']);
  assert.equal([r.code, r.stderr], [0, 'flux-pkill: INFO: Canceled 2 jobs\n'], 'a job matching either pattern');
  assert.is(inst.flux(['pgrep', '.']).code, 1, 'no active job left');
});

test.run();
