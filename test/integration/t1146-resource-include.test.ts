/**
 * flux resource list/info/R/status/drain -i TARGETS, as Flux's: only the
 * ranks (an idset) or hosts (a hostlist) named, ranks not in the instance no
 * error; list skips empty lines then unless --no-skip-empty. flux resource
 * status -s help lists the states (a bad one too), {statex} and {up.ascii}.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startInstance, type Instance } from '../helpers/flux';

let inst: Instance;

test.before(async () => {
  inst = await startInstance(['--test-size=3', '--test-hosts=n[0-2]']);
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
});

test('list, info and R of the ranks or hosts named', () => {
  assert.is(inst.flux(['resource', 'list', '-i', '0,2', '-no', '{state} {nnodes} {ranks}']).stdout, 'free 2 0,2\n');
  assert.is(inst.flux(['resource', 'list', '-i', 'n1', '-no', '{state} {nnodes} {ranks}']).stdout, 'free 1 1\n');
  assert.is(inst.flux(['resource', 'list', '-i', '1', '--no-skip-empty', '-no', '{state} {nnodes}']).stdout, 'free 1\nallocated 0\ndown 0\n');
  const all = inst.flux(['resource', 'info']).stdout;
  const cores = Number(/(\d+) Cores/.exec(all)![1]) / 3;
  assert.is(inst.flux(['resource', 'info', '-i', '1-2']).stdout, `2 Nodes, ${2 * cores} Cores, 0 GPUs\n`);
  assert.is(inst.flux(['resource', 'info', '-i', '7']).stdout, '0 Nodes, 0 Cores, 0 GPUs\n');
  const R = JSON.parse(inst.flux(['resource', 'R', '-i', 'n2']).stdout) as { execution: { R_lite: Array<{ rank: string }>; nodelist: string[] } };
  assert.equal([R.execution.R_lite.map((r) => r.rank), R.execution.nodelist], [['2'], ['n2']]);
  const bad = inst.flux(['resource', 'info', '-i', 'x[']);
  assert.equal([bad.code, bad.stderr], [1, 'flux-resource: ERROR: --include: invalid targets: x[\n']);
});

test('status and the drained listing of the ranks named', () => {
  assert.is(inst.flux(['resource', 'status', '-i', '1', '-no', '{state} {nnodes} {nodelist}']).stdout, 'avail 1 n1\n');
  assert.is(inst.flux(['resource', 'drain', 'n2', 'testing']).code, 0);
  try {
    assert.is(inst.flux(['resource', 'drain', '-i', '0-1', '-no', '{ranks}']).stdout, '');
    assert.is(inst.flux(['resource', 'drain', '-i', '2', '-no', '{ranks} {reason}']).stdout, '2 testing\n');
  } finally {
    inst.flux(['resource', 'undrain', 'n2']);
  }
});

test('status -s help, a bad state, {statex} and {up.ascii}', () => {
  const valid = 'flux-resource: INFO: valid states: all,online,avail,offline,exclude,drain,draining,drained,torpid,allocated,housekeeping\n';
  let r = inst.flux(['resource', 'status', '-s', 'help']);
  assert.equal([r.code, r.stdout, r.stderr], [0, '', valid]);
  r = inst.flux(['resource', 'status', '-s', 'avail,bogus']);
  assert.equal([r.code, r.stderr], [1, `flux-resource: ERROR: Invalid resource state bogus specified\n${valid}`]);
  r = inst.flux(['resource', 'status', '-s', 'avail', '-no', '{statex} {up.ascii} {nnodes}']);
  assert.equal([r.code, r.stdout], [0, 'avail y 3\n'], r.stderr);
});

test.run();
