/**
 * A batch or alloc instance has its job's resources (its R from the enclosing
 * instance, `resource-define method="job-info"`), not the node's: the cores
 * and GPUs the job was given; `resource.rediscover` probes instead.
 * Its config is built at submit (`--conf`, in every form Flux takes) and its
 * kvs archived at its end (`--dump`).
 * It follows its job in the enclosing instance:
 * `flux update ID duration=...` of the running job becomes the instance's own
 * expiration (a `resource-update` in its resource eventlog, `flux job
 * timeleft` inside, the expiration of its new jobs), as Flux's resource
 * module does from its watch of the job's R.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';
import { until } from '../helpers/wait';

let inst: Instance;
const tmp = tmpdir('flux-t1142-');

test.before(async () => {
  // two GPUs the outer instance, and any instance that probed its node from a job, would see
  inst = await startInstance(['--test-size=1'], { env: { FLUX_RESOURCE_FAKE_GPUS: '2' } });
});
test.after(async () => {
  inst.flux(['cancel', '--all']);
  await inst.stop().catch(() => inst.kill());
  tmp.cleanup();
});

test('flux update of an alloc job extends the instance inside it: its eventlog, timeleft and new jobs', async () => {
  const id = inst.flux(['alloc', '--bg', '-N1', '-t', '5m']).stdout.trim();
  assert.match(id, /^ƒ/);
  try {
    const inside = (...args: string[]) => inst.flux(['proxy', id, 'flux', ...args]);
    const left = () => Number(inside('job', 'timeleft').stdout.trim());
    assert.ok(left() > 200 && left() <= 300, `timeleft before ${left()}`);
    let r = inst.flux(['update', id, 'duration=+10m']);
    assert.is(r.code, 0, r.stderr);
    await until(() => /resource-update expiration=\d/.test(inside('resource', 'eventlog').stdout), 'resource-update in the instance');
    const t = left();
    assert.ok(t > 800 && t <= 900, `timeleft after +10m ${t}`);
    // the instance's R, and a job without a limit submitted inside, have the enclosing job's new expiration
    const parentExp = (JSON.parse(inst.flux(['job', 'info', id, 'R']).stdout) as { execution: { expiration: number } }).execution.expiration;
    const instExp = (JSON.parse(inside('kvs', 'get', 'resource.R').stdout) as { execution: { expiration: number } }).execution.expiration;
    assert.ok(Math.abs(instExp - parentExp) < 0.001, `instance ${instExp} against its job's ${parentExp}`);
    r = inside('run', 'flux', 'job', 'timeleft');
    assert.is(r.code, 0, r.stderr);
    assert.ok(Number(r.stdout) > 800, `a job's timeleft inside ${r.stdout}`);
    // a second update, shorter: followed too
    r = inst.flux(['update', id, 'duration=7m']);
    assert.is(r.code, 0, r.stderr);
    await until(() => left() <= 420, 'timeleft after duration=7m');
    assert.is(inside('resource', 'eventlog').stdout.match(/resource-update/g)?.length, 2);
  } finally {
    inst.flux(['shutdown', '--quiet', id]);
  }
});

test("an alloc instance has the job's cores and GPUs, not the node's; resource.rediscover probes the node", () => {
  assert.is(inst.flux(['resource', 'info']).stdout, '1 Nodes, 2 Cores, 2 GPUs\n');
  const cases: Array<[string[], string, string]> = [
    [['-n1'], '1 Nodes, 1 Cores, 0 GPUs', 'job-info'],
    [['-n1', '-g1'], '1 Nodes, 1 Cores, 1 GPUs', 'job-info'],
    [['-n1', '-t', '5m', '--conf=resource.rediscover=true'], '1 Nodes, 1 Cores, 2 GPUs', 'dynamic-discovery'],
  ];
  for (const [opts, info, method] of cases) {
    const id = inst.flux(['alloc', '--bg', ...opts]).stdout.trim();
    try {
      const inside = (...args: string[]) => inst.flux(['proxy', id, 'flux', ...args]);
      assert.is(inside('resource', 'info').stdout, `${info}\n`, opts.join(' '));
      assert.match(inside('resource', 'eventlog').stdout, `resource-define method="${method}"`);
      if (opts.includes('-t')) {
        // resources rediscovered, the job's expiration still the instance's
        const left = Number(inside('job', 'timeleft').stdout);
        assert.ok(left > 200 && left <= 300, `timeleft ${left}`);
      }
      if (opts.includes('-g1')) {
        // a job inside gets the GPU the enclosing instance gave (its id on the node)
        const gpu = (JSON.parse(inst.flux(['job', 'info', id, 'R']).stdout) as { execution: { R_lite: Array<{ children: { gpu?: string } }> } }).execution.R_lite[0]!.children.gpu;
        const r = inside('run', '-g1', 'printenv', 'CUDA_VISIBLE_DEVICES');
        assert.equal([r.code, r.stdout], [0, `${gpu}\n`], r.stderr);
      }
    } finally {
      inst.flux(['shutdown', '--quiet', id]);
    }
  }
});

test('flux jobs shows a nested instance\'s uri and the memos: {uri}, {uri.local}, {user.KEY}, {annotations.A.B}, {sched.KEY}', () => {
  const id = inst.flux(['alloc', '--bg', '-n1']).stdout.trim();
  try {
    const local = inst.flux(['proxy', id, 'flux', 'getattr', 'local-uri']).stdout.trim();
    assert.is(inst.flux(['job', 'memo', id, 'stage=2', 'note="hello"']).code, 0);
    let r = inst.flux(['jobs', '-o', '{uri.local} {user.stage} {user.note} {annotations.user.stage} {sched.resource_summary} {annotations.sched.resource_summary}', id]);
    assert.equal([r.code, r.stdout], [0, `URI USER.STAGE USER.NOTE USER.STAGE RESOURCES RESOURCES\n${local} 2 hello 2 rank0/core0 rank0/core0\n`], r.stderr);
    assert.match(inst.flux(['jobs', '-no', '{uri}', id]).stdout, /^ssh:\/\/[^/]+\/tmp\/.+\/local-0\n$/);
    // a null value removes the memo
    inst.flux(['job', 'memo', id, 'stage=null']);
    r = inst.flux(['jobs', '-no', '[{user.stage}] {user}', id]);
    assert.match(r.stdout, /^\[\] \{"uri":"ssh:.*","note":"hello"\}\n$/);
  } finally {
    inst.flux(['shutdown', '--quiet', id]);
  }
});

test('an instance of several brokers a node discovers its resources, and says why', () => {
  const r = inst.flux(['run', '-N1', '-n2', 'flux', 'start', 'sh', '-c', 'flux resource eventlog | grep -o "method=.*"; flux dmesg | grep -o "resources discovered.*"']);
  assert.equal([r.code, r.stdout], [0, `method="dynamic-discovery"\nresources discovered, not the job's: the job's R has 1 node, the instance 2 brokers\n`], r.stderr);
});

test('flux alloc/batch --conf builds the child config at submit: KEY=VAL, TOML, JSON, files and named configs', async () => {
  const xdg = path.join(tmp.dir, 'xdg');
  fs.mkdirSync(path.join(xdg, 'flux', 'config'), { recursive: true });
  fs.writeFileSync(path.join(xdg, 'flux', 'config', 'short.toml'), '[policy.limits]\nduration = "1h"\n');
  const file = path.join(tmp.dir, 'limits.toml');
  fs.writeFileSync(file, '[policy.limits]\njob-size.max.nnodes = 1\n');
  const env = { XDG_CONFIG_HOME: xdg };
  let r = inst.flux(['alloc', '-n1', '--conf=resource.noverify=true', '--conf=short', `--conf=${file}`, '--conf=[resource]\nnorestrict = false', '--conf={"policy": {"limits": {"duration": "2h"}}}', 'flux', 'config', 'get'], { env });
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), { resource: { noverify: true, norestrict: false }, policy: { limits: { duration: '2h', 'job-size': { max: { nnodes: 1 } } } } });
  // the config takes effect: a job over the child's duration limit is refused there
  r = inst.flux(['alloc', '-n1', '--conf=short', 'flux', 'run', '-t', '2h', 'true'], { env });
  assert.is(r.code, 1);
  assert.match(r.stderr, /duration/);
  // read at submit: an edit after it changes nothing
  inst.flux(['queue', 'stop']);
  const id = inst.flux(['batch', '-n1', `--conf=${file}`, '--output=' + path.join(tmp.dir, 'conf.out'), '--wrap', 'flux', 'config', 'get', 'policy']).stdout.trim();
  fs.writeFileSync(file, '[policy.limits]\nduration = "5m"\n');
  inst.flux(['queue', 'start']);
  assert.is(inst.flux(['job', 'wait-event', id, 'clean']).code, 0);
  assert.is(fs.readFileSync(path.join(tmp.dir, 'conf.out'), 'utf8'), '{"limits":{"job-size":{"max":{"nnodes":1}}}}\n');
  // bad values: one line at submit
  r = inst.flux(['alloc', '-n1', '--conf=nosuch', 'true'], { env });
  assert.equal([r.code, r.stderr.split('\n')[0]], [1, `flux-alloc: ERROR: --conf=nosuch: named config 'nosuch' not found (looked for nosuch.toml or nosuch.json in ${path.join(xdg, 'flux', 'config')}, /etc/xdg/flux/config)`]);
  r = inst.flux(['batch', '-n1', '--conf=/nonexistent.toml', '--wrap', 'true']);
  assert.equal([r.code, r.stderr], [1, 'flux-batch: ERROR: --conf=/nonexistent.toml: /nonexistent.toml: No such file or directory\n']);
  r = inst.flux(['batch', '-n1', '--conf=[resource\nx=1', '--wrap', 'true']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^flux-batch: ERROR: --conf=\[resource\nx=1: --conf:1: /);
});

test('flux alloc/batch --dump archives the instance kvs when it exits', () => {
  const dump = path.join(tmp.dir, 'alloc-dump.tgz');
  let r = inst.flux(['alloc', '-n1', `--dump=${dump}`, 'flux', 'kvs', 'put', 'answer=42']);
  assert.is(r.code, 0, r.stderr);
  r = inst.flux(['start', '--test-size=1', '-o,-Scontent.restore=' + dump, 'flux', 'kvs', 'get', 'answer']);
  assert.equal([r.code, r.stdout], [0, '42\n'], r.stderr);
  // --dump alone: flux-JOBID-dump.tgz in the job's working directory
  r = inst.flux(['alloc', '--dump', '-n1', 'flux', 'kvs', 'put', 'x=1'], { cwd: tmp.dir });
  assert.is(r.code, 0, r.stderr);
  assert.equal(fs.readdirSync(tmp.dir).filter((f) => /^flux-.+-dump\.tgz$/.test(f)).length, 1);
});

test.run();
