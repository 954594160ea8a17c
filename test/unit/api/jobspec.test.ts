/**
 * The client API's Jobspec builders (cli/api/jobspec.ts): they build through
 * the CLI's builders, so they give the jobspec the CLI gives for the same
 * request (the integration test t1120 compares with `flux submit --dry-run`);
 * here: each option reaches the jobspec, unknown or mistyped options and
 * refused requests are one-line FluxErrors, and the setters edit what they name.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Jobspec } from '../../../cli/api/jobspec';
import { FluxError } from '../../../lib/errors';
import { Errno } from '../../../lib/errno';

const ENV = { PATH: '/bin', A: '1' };

function refused(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, FluxError);
    assert.is((e as FluxError).errno, Errno.EINVAL);
    assert.match((e as Error).message, pattern);
    assert.not.match((e as Error).message, /\n/);
    return;
  }
  assert.unreachable(`expected a FluxError matching ${pattern}`);
}

test('fromCommand: per-task size, nodes, duration, cwd, environment, name, queue', () => {
  const js = Jobspec.fromCommand(['hostname'], {
    numTasks: 4,
    coresPerTask: 2,
    numNodes: 2,
    duration: 90,
    cwd: '/tmp',
    environment: ENV,
    name: 'hn',
    queue: 'batch',
  }).jobspec;
  assert.equal(js.resources, [{ type: 'node', count: 2, with: [{ type: 'slot', count: 2, with: [{ type: 'core', count: 2 }], label: 'task' }] }]);
  assert.equal(js.tasks, [{ command: ['hostname'], slot: 'task', count: { per_slot: 1 } }]);
  const sys = js.attributes.system;
  assert.is(sys.duration, 90);
  assert.is(sys.cwd, '/tmp');
  assert.equal(sys.environment, ENV);
  assert.equal(sys['job'], { name: 'hn' });
  assert.is(sys['queue'], 'batch');
});

test('fromCommand: duration as FSD, exclusive nodes, GPUs, env rules, shell options, attributes, output files', () => {
  const js = Jobspec.fromCommand(['a.out', 'x'], {
    numNodes: 1,
    exclusive: true,
    gpusPerTask: 1,
    duration: '1.5h',
    environment: ENV,
    env: ['-A', 'B=2'],
    shellOptions: { 'cpu-affinity': 'per-task', verbose: 2 },
    attributes: { 'user.study': { run: 3 }, 'system.x': true },
    output: 'out.{{id}}',
    error: 'err.{{id}}',
  }).jobspec;
  assert.is(js.attributes.system.duration, 5400);
  assert.is(js.resources[0]!.exclusive, true);
  assert.equal(js.resources[0]!.with![0]!.with, [{ type: 'core', count: 1 }, { type: 'gpu', count: 1 }]);
  assert.equal(js.attributes.system.environment, { PATH: '/bin', B: '2' });
  const opts = js.attributes.system.shell!.options;
  assert.is(opts['cpu-affinity'], 'per-task');
  assert.is(opts['verbose'], 2);
  assert.equal(opts['output'], { stdout: { type: 'file', path: 'out.{{id}}' }, stderr: { type: 'file', path: 'err.{{id}}' } });
  assert.equal(js.attributes.user, { study: { run: 3 } });
  assert.is(js.attributes.system['x'], true);
  assert.equal(js.tasks[0]!.command, ['a.out', 'x']);
});

test('fromCommand: the default environment and cwd are this process\'s', () => {
  const js = Jobspec.fromCommand(['true']).jobspec;
  assert.is(js.attributes.system.cwd, process.cwd());
  assert.is(js.attributes.system.environment!['PATH'], process.env['PATH']);
  assert.equal(js.resources, [{ type: 'slot', count: 1, with: [{ type: 'core', count: 1 }], label: 'task' }]);
});

test('fromCommand: beginTime becomes a begin-time dependency', () => {
  const before = Date.now() / 1000;
  const js = Jobspec.fromCommand(['true'], { beginTime: '+1h', environment: ENV }).jobspec;
  const deps = js.attributes.system['dependencies'] as Array<{ scheme: string; value: string }>;
  assert.is(deps.length, 1);
  assert.is(deps[0]!.scheme, 'begin-time');
  const t = Number(deps[0]!.value);
  assert.ok(t >= before + 3600 && t <= Date.now() / 1000 + 3600, `begin-time ${t}`);
});

test('fromCommand refuses unknown options, wrong types and what flux submit refuses, in one line', () => {
  refused(() => Jobspec.fromCommand(['true'], { nTasks: 2 } as never), /fromCommand: unknown option 'nTasks'/);
  refused(() => Jobspec.fromCommand(['true'], { numTasks: 1.5 }), /numTasks must be an integer/);
  refused(() => Jobspec.fromCommand(['true'], { numTasks: 0 }), /numTasks=0: task count must be an integer >= 1/);
  refused(() => Jobspec.fromCommand(['true'], { exclusive: 'yes' } as never), /exclusive must be true or false/);
  refused(() => Jobspec.fromCommand(['true'], { exclusive: true }), /exclusive can only be set with a node count/);
  refused(() => Jobspec.fromCommand(['true'], { numTasks: 2, tasksPerNode: 1 }), /Per-resource options can't be used with per-task options/);
  refused(() => Jobspec.fromCommand(['true'], { duration: 'soon' }), /invalid Flux standard duration/);
  refused(() => Jobspec.fromCommand(['true'], { environment: { A: 1 } } as never), /environment must be an object of strings/);
  refused(() => Jobspec.fromCommand([], {}), /the command must be a non-empty array of strings/);
  refused(() => Jobspec.fromCommand(['true'], { shellOptions: { x: undefined } }), /shellOptions\.x: a value is required/);
});

test('fromNestCommand: a Flux instance on one slot by default, as flux alloc builds it', () => {
  const js = Jobspec.fromNestCommand(['flux', 'run', 'hostname'], { environment: ENV, brokerOpts: ['-Sbroker.quorum=1'] }).jobspec;
  assert.equal(js.tasks[0]!.command, ['flux', 'broker', '-Sbroker.quorum=1', 'flux', 'run', 'hostname']);
  assert.equal(js.resources, [{ type: 'slot', count: 1, with: [{ type: 'core', count: 1 }], label: 'task' }]);
  assert.equal(js.tasks[0]!.count, { per_slot: 1 });
  const opts = js.attributes.system.shell!.options;
  assert.equal(opts['per-resource'], { type: 'node' });
  assert.equal(js.attributes.system['job'], { name: 'flux' });
  refused(() => Jobspec.fromNestCommand(['x'], { numTasks: 2 } as never), /fromNestCommand: unknown option 'numTasks'/);
});

test('fromBatchCommand: the script in the file archive, its directives first, opts override them', () => {
  const script = '#!/bin/sh\n#flux: -n2\n#flux: --job-name=fromscript\n#flux: -t 5m\nflux run hostname\n';
  const js = Jobspec.fromBatchCommand(script, { jobname: 'job.sh', args: ['a'], numSlots: 3, environment: ENV }).jobspec;
  assert.equal(js.tasks[0]!.command, ['flux', 'broker', '{{tmpdir}}/script', 'a']);
  assert.is((js.resources[0] as { count: number }).count, 3, 'numSlots overrides the directive -n2');
  assert.equal(js.attributes.system['job'], { name: 'fromscript' });
  assert.is(js.attributes.system.duration, 300);
  assert.equal((js.attributes.system['files'] as Record<string, { data: string }>)['script']!.data, script);
  assert.equal(js.attributes.system.shell!.options['output'], { stdout: { type: 'file', path: 'flux-{{id}}.out' } });
  refused(() => Jobspec.fromBatchCommand('echo hi\n'), /does not appear to start with '#!'/);
  refused(() => Jobspec.fromBatchCommand('#!/bin/sh\n#flux: --bogus\n', { jobname: 's.sh' }), /s\.sh line 2: .*--bogus/);
});

test('setters: duration, cwd, environment, stdio paths, attributes, shell options', () => {
  const j = Jobspec.fromCommand(['true'], { environment: ENV });
  j.duration = '2m';
  assert.is(j.duration, 120);
  j.duration = 5;
  assert.is(j.jobspec.attributes.system.duration, 5);
  j.cwd = '/var';
  assert.is(j.jobspec.attributes.system.cwd, '/var');
  j.setEnvironment({ X: 'y' });
  assert.equal(j.environment, { X: 'y' });
  j.stdin = '/dev/null';
  j.stdout = 'o.txt';
  j.stderr = 'e.txt';
  assert.equal(j.getShellOption('input'), { stdin: { type: 'file', path: '/dev/null' } });
  assert.equal(j.getShellOption('output'), { stdout: { type: 'file', path: 'o.txt' }, stderr: { type: 'file', path: 'e.txt' } });
  assert.is(j.stdout, 'o.txt');
  j.stderr = undefined;
  assert.is(j.stderr, undefined);
  j.setAttribute('user.tag', 'x').setAttribute('system.queue', 'q').setShellOption('pmi.kvs', 'native');
  assert.is(j.getAttribute('user.tag'), 'x');
  assert.is(j.jobspec.attributes.system['queue'], 'q');
  assert.equal(j.getShellOption('pmi'), { kvs: 'native' });
  j.setAttribute('system.duration', '1h');
  assert.is(j.duration, 3600);
  refused(() => j.setAttribute('queue', 'q'), /attributes are under system\. or user\./);
  refused(() => (j.duration = -1), /invalid duration/);
  refused(() => j.setEnvironment({ A: 2 } as never), /object of strings/);
  const copy = new Jobspec(j.dumps());
  assert.equal(copy.jobspec, j.jobspec);
  refused(() => new Jobspec('{"version": 2}'), /not a version 1 jobspec/);
});

test.run();
