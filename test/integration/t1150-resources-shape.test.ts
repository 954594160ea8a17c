/**
 * Flux's builtin CLI plugin options: --resources-shape (RFC 46) and
 * --resources-json give a job's resources whole (one task per slot) on run,
 * submit and batch; what the scheduler cannot place, a bad shape, both
 * options, or a resource option beside them is one line; --list-plugins.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';

let inst: Instance;
const tmp = tmpdir();

test.before(async () => {
  inst = await startInstance(['--test-size=2'], { brokerEnv: { FLUX_RESOURCE_FAKE_CORES: '4' } });
});
test.after(async () => {
  await inst?.stop();
  tmp.cleanup();
});

test('--resources-shape: the jobspec has the shape as its resources and a task per slot; the job runs there', () => {
  const dry = inst.flux(['run', '--dry-run', '--resources-shape=node=2/slot=2/core', 'hostname']);
  assert.is(dry.code, 0, dry.stderr);
  const js = JSON.parse(dry.stdout) as { resources: unknown; tasks: unknown };
  assert.equal(js.resources, [{ type: 'node', count: 2, with: [{ type: 'slot', count: 2, label: 'task', with: [{ type: 'core', count: 1 }] }] }]);
  assert.equal(js.tasks, [{ command: ['hostname'], slot: 'task', count: { per_slot: 1 } }]);
  const r = inst.flux(['run', '--label-io', '--resources-shape=node=2/slot=2/core', 'flux', 'getattr', 'rank']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.split('\n').filter(Boolean).sort().join(' '), '0: 0 1: 0 2: 1 3: 1');
  // a shape's one slot may have its own label: the tasks go to it
  const labeled = JSON.parse(inst.flux(['run', '--dry-run', '--resources-shape=slot=2{mine}/core=2', 'true']).stdout) as { tasks: Array<{ slot: string }> };
  assert.is(labeled.tasks[0]!.slot, 'mine');
  const c = inst.flux(['run', '--resources-shape=slot=2{mine}/core=2', 'sh', '-c', 'echo $FLUX_TASK_RANK']);
  assert.equal([c.code, c.stdout.split('\n').filter(Boolean).sort().join(' ')], [0, '0 1'], c.stderr);
});

test('--resources-json takes a jobspec or a resources list; submit and batch take both options', () => {
  const file = path.join(tmp.dir, 'r.json');
  fs.writeFileSync(file, JSON.stringify({ version: 1, resources: [{ type: 'slot', count: 3, label: 'task', with: [{ type: 'core', count: 1 }] }] }));
  const r = inst.flux(['run', `--resources-json=${file}`, 'sh', '-c', 'echo $FLUX_TASK_RANK']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.split('\n').filter(Boolean).sort().join(' '), '0 1 2');
  const id = inst.flux(['submit', '--wait', '--resources-shape=slot=2/core=2', 'true']);
  assert.is(id.code, 0, id.stderr);
  const out = path.join(tmp.dir, 'batch.out');
  const b = inst.flux(['batch', '--resources-shape=node=2/slot/core=4', `--output=${out}`, '--wrap', 'flux', 'resource', 'info']);
  assert.is(b.code, 0, b.stderr);
  assert.is(inst.flux(['job', 'wait-event', '-t', '60', b.stdout.trim(), 'clean']).code, 0);
  assert.is(fs.readFileSync(out, 'utf8'), '2 Nodes, 8 Cores, 0 GPUs\n');
});

test('one line for what cannot be: a bad shape, both options, a resource option beside them, a shape the scheduler cannot place', () => {
  const bad = (args: string[], line: string) => {
    const r = inst.flux([...args, 'true']);
    assert.equal([r.code, r.stderr], [1, `flux-run: ERROR: ${line}\n`], args.join(' '));
  };
  bad(['run', '--resources-shape=slot=4'], "--resources-shape: a slot must have resources below it (slot/...) at position 6 of 'slot=4'");
  bad(['run', '--resources-shape=slot/core', '--resources-json=/x'], '`--resources-shape` and `--resources-json` are mutually exclusive arguments. Use only one.');
  bad(['run', '-n2', '--resources-shape=slot/core'], '-n2: the resources come from --resources-shape (one task per slot): give them there instead');
  bad(['run', '--resources-json=/nonexistent.json'], '--resources-json: /nonexistent.json: No such file or directory');
  // a FIFO (or anything but a file) would hold the command: refused, not read
  bad(['run', '--resources-json=/dev/null'], '--resources-json: /dev/null: not a regular file');
  bad(['run', '--resources-shape=slot=4/node'], 'unsupported resource shape under slot: node (want core or core,gpu)');
  const big = inst.flux(['submit', '--resources-shape=slot=99/core', 'true']);
  assert.equal([big.code, big.stderr], [1, '[Errno 22] unsatisfiable request: need 99 slot(s) of 1 core(s), only 8 such slot(s) available (total cores: 8)\n']);
});

test('--help=OPTION prints the whole description of one option; an option the command lacks is a usage error', () => {
  const r = inst.flux(['run', '--help=resources-shape']);
  assert.equal([r.code, r.stderr], [0, '']);
  assert.match(r.stdout, /^--resources-shape=SHAPE\n {4}Provide an RFC 46 jobspec shape on the command line/);
  assert.match(inst.flux(['batch', '--help=--resources-json']).stdout, /^--resources-json=FILE\n {4}Provide a JSON file/);
  const bad = inst.flux(['submit', '--help=bogus']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /flux submit: error: --help: no option 'bogus' \(plugin options: resources-shape, resources-json\)\n$/);
  assert.match(inst.flux(['run', '--help']).stdout, /^ {2}-h, --help=\[TOPIC\] +show this help message and exit/m);
});

test('--list-plugins lists the builtin shape plugin and exits', () => {
  for (const cmd of ['run', 'submit', 'batch', 'alloc', 'bulksubmit']) {
    const r = inst.flux([cmd, '--list-plugins']);
    assert.equal([r.code, r.stderr], [0, ''], cmd);
    assert.match(r.stdout, /^CLI plugins:\n {2}shape \(built in\): --resources-shape=SHAPE/);
  }
});

test.run();
