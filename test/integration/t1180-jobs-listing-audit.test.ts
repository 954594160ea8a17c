/**
 * flux jobs listing and formatting as Flux's: formats with several `?:`
 * columns that all go empty, and the other corners an audit of the listing
 * found different from flux-core 0.88.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';
import { TWO_QUEUES_TOML } from '../helpers/two-queues';

let inst: Instance;

test.before(async () => {
  inst = await startInstance(['--test-size=1']);
  for (const n of ['a1', 'a2', 'a3']) inst.flux(['submit', '--wait', `--job-name=${n}`, 'true']);
});
test.after(async () => {
  inst.flux(['cancel', '--all']);
  await inst.stop().catch(() => inst.kill());
});

test('several ?: columns empty in every row all go, with the spaces before them', () => {
  // the last column goes with the space before it
  const r = inst.flux(['jobs', '-a', '-o', '?:{sched.t_estimate} {name} ?+:{queue:3}']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n'), [' NAME', ' a3', ' a2', ' a1', '']);
  // the first column kept, a later one dropped
  const k = inst.flux(['jobs', '-a', '-n', '-o', '?:{name} ?:{queue} ?:{project}.']);
  assert.equal(k.stdout.split('\n'), ['a3.', 'a2.', 'a1.', '']);
});

test('-c N that leaves jobs out says so on stderr after the list; -c N that shows them all does not', () => {
  const r = inst.flux(['jobs', '-a', '-c', '2', '-o', '{name}']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n'), ['NAME', 'a3', 'a2', '']);
  assert.is(r.stderr, 'warning: output truncated at 2 jobs.\nUse --count to increase returned results or use filters to alter results.\n');
  const all = inst.flux(['jobs', '-a', '-c', '3', '-o', '{name}']);
  assert.is(all.stderr, '');
  assert.is(all.stdout.split('\n').length, 5);
  // -n leaves out the trailer as it does the header
  const n = inst.flux(['jobs', '-a', '-n', '-c', '1', '-o', '{name}']);
  assert.equal([n.stdout, n.stderr], ['a3\n', '']);
  const j = inst.flux(['jobs', '-a', '-c', '1', '--json']);
  assert.is((JSON.parse(j.stdout) as { jobs: unknown[] }).jobs.length, 1);
  assert.match(j.stderr, /^warning: output truncated at 1 jobs\./);
});

test('every filtering option given with JOBIDs is ignored with the warning, as in Flux', () => {
  const id = inst.flux(['job', 'last']).stdout.trim();
  const warn = 'flux-jobs: WARNING: Filtering options ignored with jobid list\n';
  for (const opts of [['--name=a1'], ['-c', '1'], ['-A'], ['--since=-1h'], ['-q', 'nosuch'], ['-u', 'all'], ['-f', 'running'], ['-a']]) {
    const r = inst.flux(['jobs', ...opts, '-n', '-o', '{name}', id]);
    assert.equal([r.code, r.stdout, r.stderr], [0, 'a3\n', warn], opts.join(' '));
  }
  const plain = inst.flux(['jobs', '-n', '-o', '{name}', id]);
  assert.equal([plain.stdout, plain.stderr], ['a3\n', '']);
});

test('-w without N, or -w 0, cuts lines to the terminal width ($COLUMNS, else 80); a bad N is a usage error', () => {
  const fmt = ['-o', '{name:<50}|{name}'];
  const cols = inst.flux(['jobs', '-a', '-w', ...fmt], { env: { COLUMNS: '20' } });
  assert.is(cols.code, 0, cols.stderr);
  assert.equal(cols.stdout.split('\n').slice(0, 2), ['NAME               +', 'a3                 +']);
  const zero = inst.flux(['jobs', '-a', '--width=0', ...fmt], { env: { COLUMNS: '12' } });
  assert.is(zero.stdout.split('\n')[1], 'a3         +');
  // no terminal and no $COLUMNS: 80
  const dflt = inst.flux(['jobs', '-a', '-o', '{name:<100}|', '-w'], { env: { COLUMNS: '' } });
  assert.is(dflt.stdout.split('\n')[1]!.length, 80);
  const n = inst.flux(['jobs', '-a', '-w', '10', ...fmt]);
  assert.is(n.stdout.split('\n')[1], 'a3       +');
  const bad = inst.flux(['jobs', '-a', '-w', 'x']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, "flux-jobs: error: argument -w/--width: invalid int value: 'x'");
});

test("!r and !a are Python's repr() and ascii() of the value", () => {
  const id = inst.flux(['submit', '--wait', "--job-name=\u0192x's", 'true']).stdout.trim();
  const r = inst.flux(['jobs', '-n', '-o', '{name!r} {name!a:>12}|{ntasks!r}|{name!s}', id]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '"\u0192x\'s"  "\\u0192x\'s"|1|\u0192x\'s\n');
  const plain = inst.flux(['jobs', '-a', '--name=a1', '-o', '{name!r:>6}']);
  assert.is(plain.stdout, '  NAME\n  \'a1\'\n');
  const bad = inst.flux(['jobs', '-a', '-o', '{name!x}']);
  assert.equal([bad.code, bad.stderr], [1, 'flux-jobs: ERROR: Error in user format: Unknown conversion specifier x\n']);
});

test("flux job status -j prints Flux's job result object, from the eventlog", () => {
  const real = '\\d+\\.\\d+';
  const dec = (id: string) => inst.flux(['job', 'id', id]).stdout.trim();
  const ok = inst.flux(['job', 'last']).stdout.trim();
  const r = inst.flux(['job', 'status', '-j', ok]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^\\{"id":${dec(ok)},"exception_occurred":false,"t_submit":${real},"t_run":${real},"t_cleanup":${real},"waitstatus":0,"result":1\\}\\n$`));
  const three = inst.flux(['submit', '--wait', 'sh', '-c', 'exit 3']).stdout.trim();
  const held = inst.flux(['submit', '--urgency=hold', 'true']).stdout.trim();
  inst.flux(['cancel', '-m', 'no need', held]);
  const both = inst.flux(['job', 'status', '--json', three, held]);
  assert.is(both.code, 3, both.stderr);
  const [f, c] = both.stdout.split('\n');
  assert.match(f!, new RegExp(`^\\{"id":${dec(three)},"exception_occurred":false,"t_submit":${real},"t_run":${real},"t_cleanup":${real},"waitstatus":768,"result":2\\}$`));
  assert.match(c!, new RegExp(`^\\{"id":${dec(held)},"exception_occurred":true,"t_submit":${real},"exception_type":"cancel","exception_note":"no need","exception_severity":0,"result":4\\}$`));
});

test('--color=always: a running instance (flux alloc --bg) is blue, finished jobs in the color of their result', async () => {
  const alloc = inst.flux(['alloc', '--bg', '-n1']).stdout.trim();
  try {
    const r = inst.flux(['jobs', '-a', '--color=always', '-n', '-o', '{name}']);
    assert.is(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.is(lines[0], '\u001b[01;34mflux\u001b[0;0m');
    assert.equal(lines.slice(-4), ['\u001b[01;32ma3\u001b[0;0m', '\u001b[01;32ma2\u001b[0;0m', '\u001b[01;32ma1\u001b[0;0m', '']);
    const never = inst.flux(['jobs', '--color=never', '-n', '-o', '{name}']);
    assert.is(never.stdout, 'flux\n');
  } finally {
    inst.flux(['shutdown', '--quiet', alloc]);
    await waitUntil(() => inst.flux(['jobs', '-n', '-o', '{id}']).stdout === '', { what: 'the alloc instance to end' });
  }
});

test('--stats and --stats-only with -q count the jobs of those queues only', () => {
  const tmp = tmpdir();
  try {
    const toml = path.join(tmp.dir, 'q.toml');
    fs.writeFileSync(
      toml,
      TWO_QUEUES_TOML,
    );
    const script = [
      'flux queue start --all >/dev/null',
      'flux submit --wait -q debug true >/dev/null',
      'flux submit --wait -q batch false >/dev/null',
      'flux submit --wait-event=start -q batch sleep 300 >/dev/null',
      'flux jobs --stats-only -q debug; echo rc=$?',
      'flux jobs --stats-only -q batch; echo rc=$?',
      'flux jobs --stats-only -q debug,batch; echo rc=$?',
      'flux jobs --stats -n -q debug -o {queue}',
      'flux cancel --all 2>/dev/null',
    ].join('\n');
    const r = flux(['start', '--test-size=2', '--test-hosts=node[0-1]', '-c', toml, 'sh', '-c', script], { env: { FLUX_RESOURCE_FAKE_CORES: '2' }, timeoutMs: 120_000 });
    assert.is(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n'), [
      '0 running, 1 completed, 0 failed, 0 pending, 0 inactive purged',
      'rc=1',
      '1 running, 0 completed, 1 failed, 0 pending, 0 inactive purged',
      'rc=0',
      '1 running, 1 completed, 1 failed, 0 pending, 0 inactive purged',
      'rc=0',
      '0 running, 1 completed, 0 failed, 0 pending, 0 inactive purged',
      '',
    ]);
  } finally {
    tmp.cleanup();
  }
});

test.run();
