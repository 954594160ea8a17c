/**
 * flux config reload / load (flux-config(1)): the broker reads its config
 * files again (the --conf overrides kept) or takes TOML/JSON from a path or
 * stdin, checks it as at start (file:line, nothing applied on error), and
 * its modules apply it: a new [policy.limits.duration] refuses the next
 * submit, a new queue appears in flux queue list, a new [sched] policy takes
 * over, new purge limits purge. What cannot change live ([resource],
 * [tbon], [bootstrap], a queue that holds an active job) is refused in one
 * line naming the key. flux config set/unset change one key the same way.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

const started: Instance[] = [];
const tmp = tmpdir('flux-t1031-');
test.after(() => {
  for (const i of started) i.kill();
  tmp.cleanup();
});

async function start(args: string[]): Promise<Instance> {
  const inst = await startInstance(args, { brokerEnv: { FLUX_RESOURCE_FAKE_CORES: '2' } });
  started.push(inst);
  return inst;
}

function confDir(name: string, files: Record<string, string>): string {
  const dir = path.join(tmp.dir, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
  return dir;
}

test('reload: the files again, --conf kept; a bad file is refused with file:line and nothing changes', async () => {
  const dir = confDir('reload', { 'policy.toml': '[policy.limits]\nduration = "1h"\n' });
  const inst = await start(['-c', dir, '--conf=job-manager.inactive-num-limit=100']);
  try {
    assert.is(inst.flux(['run', '-t', '30m', 'true']).code, 0);
    fs.writeFileSync(path.join(dir, 'policy.toml'), '[policy.limits]\nduration = "10m"\n');
    let r = inst.flux(['config', 'reload']);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stderr, '');
    assert.is(inst.flux(['config', 'get', 'policy.limits.duration']).stdout, '10m\n');
    assert.is(inst.flux(['config', 'get', 'job-manager.inactive-num-limit']).stdout, '100\n', 'the --conf override is kept');
    r = inst.flux(['run', '-t', '30m', 'true']);
    assert.is(r.code, 1);
    assert.is(r.stderr, 'flux-run: ERROR: requested duration (30m) exceeds policy limit of 10m\n');

    fs.writeFileSync(path.join(dir, 'policy.toml'), '[policy.limits]\nduration = "2h"\n\n[policy.nosuch]\nx = 1\n');
    r = inst.flux(['config', 'reload']);
    assert.is(r.code, 1);
    assert.is(r.stderr, `flux-config: Config file error: ${dir}/policy.toml:4: policy.nosuch: unknown key\n`);
    assert.is(inst.flux(['config', 'get', 'policy.limits.duration']).stdout, '10m\n', 'nothing applied');
    assert.is(inst.flux(['run', '-t', '30m', 'true']).code, 1, 'the old limit holds');

    fs.writeFileSync(path.join(dir, 'policy.toml'), '[policy.limits\n');
    r = inst.flux(['config', 'reload']);
    assert.is(r.code, 1);
    assert.match(r.stderr, new RegExp(`^flux-config: Config file error: ${dir}/policy\\.toml:1: `));
  } finally {
    await inst.stop();
  }
});

test('set and unset: one key changes, checked and applied as a load; the type is the one it has, or --type', async () => {
  const inst = await start(['--conf=policy.limits.duration="1h"']);
  try {
    const run30m = () => inst.flux(['run', '-t', '30m', 'true']);
    assert.is(run30m().code, 0);
    let r = inst.flux(['config', 'set', 'policy.limits.duration', '10m']);
    assert.equal([r.code, r.stderr], [0, '']);
    assert.is(inst.flux(['config', 'get', 'policy.limits.duration']).stdout, '10m\n');
    assert.is(run30m().stderr, 'flux-run: ERROR: requested duration (30m) exceeds policy limit of 10m\n');
    // a new key needs its type; an FSD is checked as one
    r = inst.flux(['config', 'set', 'job-manager.inactive-num-limit', '5']);
    assert.equal([r.code, r.stderr], [1, 'flux-config: job-manager.inactive-num-limit is not set: give the type of its value with --type\n']);
    r = inst.flux(['config', 'set', '--type=integer', 'job-manager.inactive-num-limit', '5']);
    assert.equal([r.code, r.stderr], [0, '']);
    assert.is(inst.flux(['config', 'get', '--type=integer', 'job-manager.inactive-num-limit']).stdout, '5\n');
    // the type it has now: an integer stays one
    r = inst.flux(['config', 'set', 'job-manager.inactive-num-limit', 'many']);
    assert.equal([r.code, r.stderr], [1, "flux-config: job-manager.inactive-num-limit: 'many' is not an integer\n"]);
    r = inst.flux(['config', 'set', '--type=fsd', 'policy.limits.duration', 'soon']);
    assert.equal([r.code, r.stderr], [1, "flux-config: policy.limits.duration: 'soon' is not a duration (FSD), e.g. 30s, 5m, 1.5h\n"]);
    // what the broker refuses is refused as a load is, and nothing changes
    r = inst.flux(['config', 'set', '--type=string', 'policy.nosuch', 'x']);
    assert.equal([r.code, r.stderr], [1, 'flux-config: policy.nosuch: unknown key\n']);
    r = inst.flux(['config', 'set', '--type=fsd-integer', 'policy.limits.duration', '5']);
    assert.equal([r.code, r.stderr], [1, 'flux-config: Unknown type: fsd-integer (set takes string, integer, real, boolean, object, array, fsd)\n']);
    r = inst.flux(['config', 'set', '--type=array', 'queues.batch.requires', '[1 2]']);
    assert.equal([r.code, r.stderr], [1, "flux-config: queues.batch.requires: '[1 2]' is not valid JSON\n"]);
    assert.is(inst.flux(['config', 'get', 'policy.limits.duration']).stdout, '10m\n');
    // unset: the limit goes (a key not set is already unset)
    r = inst.flux(['config', 'unset', 'policy.limits.duration']);
    assert.equal([r.code, r.stderr], [0, '']);
    assert.is(inst.flux(['config', 'get', '-q', 'policy.limits.duration']).code, 1);
    assert.is(run30m().code, 0);
    assert.equal(inst.flux(['config', 'unset', 'not.a.key']).code, 0);
  } finally {
    await inst.stop();
  }
});

test('load: queues appear, a job runs in one; a queue with a pending job goes, the job waits until it is back; flux config get shows it', async () => {
  const inst = await start([]);
  try {
    const queues = '[queues.debug]\n[queues.batch]\n[policy.jobspec.defaults.system]\nqueue = "batch"\n';
    let r = inst.flux(['config', 'load'], { input: queues });
    assert.is(r.code, 0, r.stderr);
    assert.is(inst.flux(['config', 'get', 'queues']).stdout, '{"debug":{},"batch":{}}\n');
    assert.match(inst.flux(['queue', 'list']).stdout, /^QUEUE +EN ST.*\ndebug .*\nbatch\* /);
    assert.is(inst.flux(['queue', 'start', '-q', 'debug']).code, 0);
    r = inst.flux(['run', '-q', 'debug', 'echo', 'in-debug']);
    assert.is(r.stdout, 'in-debug\n', r.stderr);
    // batch is stopped: a job waits in it; batch goes as in Flux, the job stays pending
    const held = inst.flux(['submit', 'echo', 'in-batch']).stdout.trim();
    assert.is(inst.flux(['jobs', '-n', '-o', '{queue} {state}', held]).stdout, 'batch SCHED\n');
    r = inst.flux(['config', 'load'], { input: '[queues.debug]\n' });
    assert.is(r.code, 0, r.stderr);
    assert.is(inst.flux(['config', 'get', 'queues']).stdout, '{"debug":{}}\n');
    assert.match(
      inst.flux(['dmesg']).stdout,
      `job-manager.err[0]: config reload: job ${held} is in queue batch, which is not configured: it stays pending until the queue is configured again, or is canceled`,
    );
    assert.is(inst.flux(['queue', 'start', '--all']).code, 0);
    assert.is(inst.flux(['run', '-q', 'debug', 'true']).code, 0);
    assert.is(inst.flux(['jobs', '-n', '-o', '{queue} {state}', held]).stdout, 'batch SCHED\n');
    // batch back: its job runs once batch is started
    r = inst.flux(['config', 'load'], { input: queues });
    assert.is(r.code, 0, r.stderr);
    assert.is(inst.flux(['queue', 'start', '-q', 'batch']).code, 0);
    r = inst.flux(['job', 'attach', held]);
    assert.is(r.stdout, 'in-batch\n', r.stderr);
    // a running job's queue goes: the job runs on to its end
    const go = path.join(tmp.dir, 'go');
    const running = inst.flux(['submit', '-q', 'debug', 'sh', '-c', `while [ ! -e ${go} ]; do sleep 0.05; done`]).stdout.trim();
    assert.is(inst.flux(['job', 'wait-event', '-t', '30', running, 'start']).code, 0);
    r = inst.flux(['config', 'load'], { input: '[queues.batch]\n' });
    assert.is(r.code, 0, r.stderr);
    fs.writeFileSync(go, '');
    assert.is(inst.flux(['job', 'wait-event', '-t', '30', running, 'clean']).code, 0);
    assert.is(inst.flux(['jobs', '-n', '-o', '{queue} {result}', running]).stdout, 'debug COMPLETED\n');
    // JSON from a file
    const f = path.join(tmp.dir, 'q.json');
    fs.writeFileSync(f, '{"queues": {"debug": {}}, "policy": {"jobspec": {"defaults": {"system": {"queue": "debug"}}}}}');
    r = inst.flux(['config', 'load', f]);
    assert.is(r.code, 0, r.stderr);
    assert.not.match(inst.flux(['queue', 'list']).stdout, /batch/);
    r = inst.flux(['config', 'load', path.join(tmp.dir, 'nonexistent')]);
    assert.is(r.stderr, `flux-config: ${path.join(tmp.dir, 'nonexistent')}: No such file or directory\n`);
  } finally {
    await inst.stop();
  }
});

test('modules are told: a new sched policy takes over, new purge limits purge; what cannot change live is refused', async () => {
  const inst = await start([]);
  try {
    for (let i = 0; i < 3; i++) assert.is(inst.flux(['run', 'true']).code, 0);
    assert.is(inst.flux(['jobs', '-a', '-n', '-o', '{id}']).stdout.trim().split('\n').length, 3);
    let r = inst.flux(['config', 'load'], { input: '[job-manager]\ninactive-num-limit = 1\n[sched]\npolicy = "backfill"\n' });
    assert.is(r.code, 0, r.stderr);
    await waitUntil(() => inst.flux(['jobs', '-a', '-n', '-o', '{id}']).stdout.trim().split('\n').length === 1 || undefined, { what: 'the purge to keep 1 inactive job' });
    assert.match(inst.flux(['dmesg']).stdout, /sched\.info\[0\]: config reload: policy=backfill \(was fcfs\)/);
    // EASY backfill now: a short 1-core job runs ahead of a blocked 2-core job
    const long = inst.flux(['submit', '-n1', '-t', '1h', 'sleep', '3600']).stdout.trim();
    assert.is(inst.flux(['job', 'wait-event', '-t', '20', long, 'start']).code, 0);
    const big = inst.flux(['submit', '-n2', '-t', '10s', 'true']).stdout.trim();
    const small = inst.flux(['submit', '-n1', '-t', '2s', 'true']).stdout.trim();
    assert.is(inst.flux(['job', 'wait-event', '-t', '20', small, 'clean']).code, 0);
    assert.is(inst.flux(['jobs', '-n', '-o', '{state}', big]).stdout, 'SCHED\n');
    inst.flux(['cancel', '--all']);
    // an age limit: the job left goes once it is 2s old (the timer follows the new limit)
    r = inst.flux(['config', 'load'], { input: '[job-manager]\ninactive-num-limit = 1\ninactive-age-limit = "2s"\n[sched]\npolicy = "backfill"\n' });
    assert.is(r.code, 0, r.stderr);
    assert.is(inst.flux(['run', 'true']).code, 0);
    await waitUntil(() => inst.flux(['jobs', '-a', '-n', '-o', '{id}']).stdout.trim() === '' || undefined, { what: 'the age limit to purge every inactive job' });

    const refused = (toml: string, line: string) => {
      const before = inst.flux(['config', 'get']).stdout;
      const x = inst.flux(['config', 'load'], { input: toml });
      assert.is(x.code, 1, toml);
      assert.is(x.stderr, line + '\n');
      assert.is(inst.flux(['config', 'get']).stdout, before, 'nothing applied');
    };
    const keep = '[job-manager]\ninactive-num-limit = 1\n[sched]\npolicy = "backfill"\n';
    refused(keep + '[resource]\nnoverify = true\n', 'flux-config: resource.noverify: cannot be changed on a running instance (module resource reads it at load: flux module reload resource)');
    refused(keep + '[tbon]\ntopo = "kary:2"\n', 'flux-config: tbon.topo: cannot be changed on a running instance (restart it with the new configuration)');
    refused(keep + '[bootstrap]\ncurve_cert = "/x"\n', 'flux-config: bootstrap.curve_cert: cannot be changed on a running instance (restart it with the new configuration)');
    refused('[sched]\npolicy = "nosuch"\n', 'flux-config: sched.policy: unknown policy "nosuch" (available: backfill, fcfs)');
    refused('[sched]\nbogus = 1\n', 'flux-config: sched.bogus: unknown option for policy fcfs (it takes: select)');
    refused('[nosuch]\n', 'flux-config: Config file error: stdin:1: nosuch: unknown table');
    refused('{"policy": 5}', 'flux-config: Config file error: stdin: policy: must be a table, got integer 5');
    r = inst.flux(['config', 'reload']);
    assert.is(r.code, 0, `an instance started without -c reloads its (empty) config: ${r.stderr}`);
    assert.is(inst.flux(['config', 'get']).stdout, '{}\n');
  } finally {
    await inst.stop();
  }
});

test.run();
