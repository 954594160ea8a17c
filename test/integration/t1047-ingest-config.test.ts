/**
 * [ingest] (flux-config-ingest(5)): Flux's frobnicator and validator plugin
 * names choose among job-ingest's built-in steps: require-instance (by args
 * or its own table; Flux's message), feasibility left out of the validator
 * list (the job then fails at alloc instead of at submit), the defaults and
 * constraints frobnicators left out, a reload that changes them, and one line
 * for what flux-ts has nothing for.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, startInstance, tmpdir, type Instance } from '../helpers/flux';

const tmp = tmpdir();
const started: Instance[] = [];
test.after(() => {
  for (const i of started) i.kill();
  tmp.cleanup();
});

function confFile(name: string, text: string): string {
  const f = path.join(tmp.dir, name);
  fs.writeFileSync(f, text);
  return f;
}

async function start(conf: string): Promise<Instance> {
  const inst = await startInstance(['--test-size=2', '-c', conf], { brokerEnv: { FLUX_RESOURCE_FAKE_CORES: '2' } });
  started.push(inst);
  return inst;
}

const BIG = 'Direct job submission disabled for jobs >= 2 nodes or 32 cores. Please use flux-batch(1) or flux-alloc(1)';

test('require-instance: direct jobs at or above the size refused with Flux message; batch and flux start jobs pass; reload turns it off', async () => {
  const conf = confFile('ri.toml', '[ingest.validator]\nplugins = ["jobspec", "feasibility", "require-instance"]\nargs = ["--require-instance-minnodes=2"]\n');
  const inst = await start(conf);
  try {
    const small = inst.flux(['run', '-N1', 'true']);
    assert.is(small.code, 0, small.stderr);
    const big = inst.flux(['run', '-N2', 'true']);
    assert.equal([big.code, big.stderr], [1, `flux-run: ERROR: ${BIG}\n`]);
    // a node minimum alone also bounds cores (16 a node), as Flux does
    const cores = inst.flux(['submit', '-n32', 'true']);
    assert.equal([cores.code, cores.stderr], [1, `[Errno 22] ${BIG}\n`]);
    const batch = inst.flux(['batch', '-N2', '--wrap', 'true'], { cwd: tmp.dir });
    assert.is(batch.code, 0, batch.stderr);
    const nested = inst.flux(['submit', '-N2', 'flux', 'start', 'true']);
    assert.is(nested.code, 0, nested.stderr);
    assert.is(inst.flux(['job', 'wait', '--all']).code, 0);

    fs.writeFileSync(conf, '[ingest.validator]\nplugins = ["jobspec", "feasibility"]\n');
    const r = inst.flux(['config', 'reload']);
    assert.is(r.code, 0, r.stderr);
    const after = inst.flux(['run', '-N2', 'true']);
    assert.is(after.code, 0, after.stderr);
    assert.is(await inst.stop(), 0);
  } finally {
    inst.kill();
  }
});

test('require-instance with its own table, and with no size: every direct job', async () => {
  const sized = await start(confFile('ri2.toml', '[ingest.validator]\nplugins = ["jobspec", "require-instance"]\n[ingest.validator.require-instance]\nmincores = 3\n'));
  try {
    assert.is(sized.flux(['run', '-n2', 'true']).code, 0);
    const r = sized.flux(['run', '-n3', 'true']);
    assert.equal([r.code, r.stderr], [1, 'flux-run: ERROR: Direct job submission disabled for jobs >= 3 cores. Please use flux-batch(1) or flux-alloc(1)\n']);
    assert.is(await sized.stop(), 0);
  } finally {
    sized.kill();
  }
  const all = await start(confFile('ri3.toml', '[ingest.validator]\nplugins = ["require-instance"]\n'));
  try {
    const r = all.flux(['run', 'true']);
    assert.equal([r.code, r.stderr], [1, 'flux-run: ERROR: Direct job submission disabled for all jobs in this instance. Please use flux-batch(1) or flux-alloc(1)\n']);
    assert.is(await all.stop(), 0);
  } finally {
    all.kill();
  }
});

test('without the feasibility validator an impossible job is accepted and fails at alloc; with it (the default) refused at submit', async () => {
  const inst = await start(confFile('nofeas.toml', '[ingest.validator]\nplugins = ["jobspec"]\n'));
  try {
    const sub = inst.flux(['submit', '-N3', 'true']);
    assert.is(sub.code, 0, sub.stderr);
    const id = sub.stdout.trim();
    const ev = inst.flux(['job', 'wait-event', '-t', '30', id, 'clean']);
    assert.is(ev.code, 0, ev.stderr);
    assert.match(inst.flux(['job', 'eventlog', id]).stdout, /exception type="alloc" severity=0 note="unsatisfiable request/);
    assert.is(await inst.stop(), 0);
  } finally {
    inst.kill();
  }
  // disable = true: no validator plugin runs (the jobspec checks stay)
  const off = await start(confFile('valoff.toml', '[ingest.validator]\ndisable = true\nplugins = ["jobspec", "feasibility"]\n'));
  try {
    const sub = off.flux(['submit', '-N3', 'true']);
    assert.is(sub.code, 0, sub.stderr);
    assert.is(off.flux(['job', 'wait-event', '-t', '30', sub.stdout.trim(), 'clean']).code, 0);
    const bad = off.flux(['job', 'submit'], { input: '{"version": 1}' });
    assert.is(bad.code, 1, 'a malformed jobspec is still refused');
    assert.is(await off.stop(), 0);
  } finally {
    off.kill();
  }
  const dflt = await start(confFile('feas.toml', '[ingest]\n'));
  try {
    const r = dflt.flux(['submit', '-N3', 'true']);
    assert.equal([r.code, r.stdout], [1, '']);
    assert.match(r.stderr, /^\[Errno 22\] unsatisfiable request/);
    assert.is(await dflt.stop(), 0);
  } finally {
    dflt.kill();
  }
});

const QUEUES = '[resource]\nnoverify = true\nconfig = [{ hosts = "vm[0-1]", cores = "0-1" }, { hosts = "vm1", properties = ["big"] }]\n[queues.big]\nrequires = ["big"]\n[queues.small]\n[policy.jobspec.defaults.system]\nqueue = "big"\nduration = "5m"\n';

test('frobnicator plugins: without constraints a queue adds no constraint; without defaults no default queue or duration', async () => {
  const noCons = await start(confFile('nocons.toml', `${QUEUES}[ingest.frobnicator]\nplugins = ["defaults"]\n`));
  try {
    const id = noCons.flux(['submit', 'true']).stdout.trim();
    const js = JSON.parse(noCons.flux(['job', 'info', id, 'jobspec']).stdout) as { attributes: { system: Record<string, unknown> } };
    assert.is(js.attributes.system['queue'], 'big');
    assert.is(js.attributes.system['duration'], 300);
    assert.is(js.attributes.system['constraints'], undefined, 'no queue constraint added');
    assert.is(await noCons.stop(), 0);
  } finally {
    noCons.kill();
  }
  const off = await start(confFile('frboff.toml', `${QUEUES}[ingest.frobnicator]\ndisable = true\n`));
  try {
    const r = off.flux(['submit', 'true']);
    assert.equal([r.code, r.stderr], [1, '[Errno 22] no queue specified (no defaults: [ingest.frobnicator] leaves out defaults)\n']);
    const id = off.flux(['submit', '-q', 'big', 'true']).stdout.trim();
    const js = JSON.parse(off.flux(['job', 'info', id, 'jobspec']).stdout) as { attributes: { system: Record<string, unknown> } };
    assert.is(js.attributes.system['constraints'], undefined, 'disable = true: no queue constraint either');
    assert.is(await off.stop(), 0);
  } finally {
    off.kill();
  }
  const noDef = await start(confFile('nodef.toml', `${QUEUES}[ingest.frobnicator]\nplugins = ["constraints"]\n`));
  try {
    const r = noDef.flux(['submit', 'true']);
    assert.equal([r.code, r.stderr], [1, '[Errno 22] no queue specified (no defaults: [ingest.frobnicator] leaves out defaults)\n']);
    const id = noDef.flux(['submit', '-q', 'big', 'true']).stdout.trim();
    const js = JSON.parse(noDef.flux(['job', 'info', id, 'jobspec']).stdout) as { attributes: { system: Record<string, unknown> } };
    assert.equal(js.attributes.system['constraints'], { properties: ['big'] });
    assert.is(js.attributes.system['duration'], 0, 'no default duration');
    assert.is(await noDef.stop(), 0);
  } finally {
    noDef.kill();
  }
});

test('what flux-ts has nothing for is refused at start in one line', () => {
  const cases: Array<[string, string]> = [
    ['[ingest.validator]\nplugins = ["jobspec", "schema"]\n', "ingest.validator.plugins: no validator plugin 'schema' in flux-ts (it has: jobspec, feasibility, require-instance)"],
    ['[ingest.validator]\nargs = ["--require-version=2"]\n', 'ingest.validator.args: --require-version=2: only jobspec version 1 exists'],
    ['[ingest.validator]\nargs = ["--foo"]\n', "ingest.validator.args: unknown validator argument '--foo' (flux-ts takes --require-version=1, --require-instance-minnodes=N, --require-instance-mincores=N)"],
    ['[ingest.frobnicator]\nplugins = ["defaults", "dws"]\n', "ingest.frobnicator.plugins: no frobnicator plugin 'dws' in flux-ts (it has: defaults, constraints)"],
    ['[ingest.frobnicator]\nargs = ["--x"]\n', 'ingest.frobnicator.args: no frobnicator plugin of flux-ts takes arguments'],
    ['[ingest]\nbatch-count = 4\n', 'ingest.batch-count: flux-ts batches the jobs that arrive in one event-loop turn; there is no counter to set'],
    ['[ingest]\nbuffer-size = "4M"\n', 'ingest.buffer-size: flux-ts has no validator worker processes to buffer for; a submission is bounded by the 16 MiB message frame'],
  ];
  for (const [toml, why] of cases) {
    const f = confFile('bad.toml', toml);
    const r = flux(['start', '-c', f, 'true']);
    assert.is(r.code, 1, toml);
    assert.match(r.stderr, `Config file error: ${f}:2: ${why}\n`, toml);
  }
});

test.run();
