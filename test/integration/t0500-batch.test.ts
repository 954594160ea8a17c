/**
 * Flux running Flux (the walkthrough's "Starting with Flux"): the job shell's
 * PMI for tasks (and a real MPI program), `flux submit -N2 flux start SCRIPT`
 * and `flux batch -N2 SCRIPT` starting a child instance of depth 1 on the
 * allocation, directives, and flux batch's errors.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, startInstance, tmpdir, type Instance } from '../helpers/flux';

let inst: Instance;
const tmp = tmpdir();
const host = os.hostname();
const workload = path.join(ROOT, 'docs', 'examples', 'workload.sh');

test.before(async () => {
  // 2 cores per broker whatever the host has; child instances discover what they are given
  inst = await startInstance(['--test-size=3'], { brokerEnv: { FLUX_RESOURCE_FAKE_CORES: '2' } });
});
test.after(async () => {
  try {
    await inst.stop();
  } finally {
    tmp.cleanup();
  }
});

function script(name: string, body: string): string {
  const p = path.join(tmp.dir, name);
  fs.writeFileSync(p, body, { mode: 0o755 });
  return p;
}

/** wait for job `id` to end; its exit status as flux job status gives it */
function waitJob(id: string): number {
  return inst.flux(['job', 'status', id]).code;
}

/** the walkthrough's figures from a child instance of 2 nodes (and its hostname lines) */
function assertWalkthrough(out: string, hostnames = true): void {
  assert.match(out, /^2 Nodes, 4 Cores, 0 GPUs$/m, out);
  assert.match(out, /^ \d\d:\d\d:\d\d run [0-9.]+(?:ms|s|m|h|d),  owner \S+,  depth 1,  size 2$/m, out);
  if (hostnames) assert.equal(out.split('\n').filter((l) => /^\d: /.test(l)).sort(), [`0: ${host}`, `1: ${host}`]);
}

test('tasks get PMI from the job shell: ranks, size, and a real MPI program across 3 brokers', () => {
  const r = inst.flux(['run', '-N3', '-n6', '--label-io', 'sh', '-c', 'echo "$PMI_RANK/$PMI_SIZE $PMI_FD"']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').sort(), ['0: 0/6 3', '1: 1/6 3', '2: 2/6 3', '3: 3/6 3', '4: 4/6 3', '5: 5/6 3']);
  const off = inst.flux(['run', '-o', 'pmi=off', 'sh', '-c', 'echo "${PMI_FD:-none}"']);
  assert.is(off.stdout, 'none\n');
  const hello = process.env['MPI_HELLO'];
  if (hello) {
    const m = inst.flux(['run', '-N3', '-n6', hello]);
    assert.is(m.code, 0, m.stderr);
    assert.is(m.stdout.split('\n').filter((l) => /rank \d of 6 on .*allreduce sum 15 \(ok\)/.test(l)).length, 6, m.stdout);
  }
});

test('flux submit --output=flux-{{id}}.out -N2 flux start ./workload.sh', () => {
  const r = inst.flux(['submit', '--output=flux-{{id}}.out', '-N2', 'flux', 'start', workload], { cwd: tmp.dir });
  assert.is(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  assert.is(waitJob(id), 0);
  assertWalkthrough(fs.readFileSync(path.join(tmp.dir, `flux-${id}.out`), 'utf8'));
});

test('flux batch -N2 ./workload.sh: the id, then flux-ID.out with the child instance', () => {
  const r = inst.flux(['batch', '-N2', workload], { cwd: tmp.dir });
  assert.is(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  assert.match(id, /^ƒ[1-9A-HJ-NP-Za-km-z]+$/);
  assert.is(waitJob(id), 0);
  assertWalkthrough(fs.readFileSync(path.join(tmp.dir, `flux-${id}.out`), 'utf8'));
  assert.is(inst.flux(['jobs', '-no', '{name} {nnodes} {ntasks}', id]).stdout, `${workload} 2 2\n`);
});

test('the child instance knows its parent; directives, overrides, script args and exit status', () => {
  const s = script(
    'child.sh',
    '#!/bin/sh\n#FLUX: -N2\n#FLUX: --job-name=from-directive  # a comment\n' +
      'echo "parent=$(flux getattr parent-uri) level=$(flux getattr instance-level) size=$(flux getattr size)"\n' +
      'echo "enclosing=$FLUX_ENCLOSING_ID jobid=${FLUX_JOB_ID:-unset} args=$*"\n' +
      'flux --parent jobs -no "{state}" "$FLUX_ENCLOSING_ID"\nexit 3\n',
  );
  const r = inst.flux(['batch', '-N1', '--output=child.out', s, 'a', 'b'], { cwd: tmp.dir });
  assert.is(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  assert.is(waitJob(id), 3);
  const out = fs.readFileSync(path.join(tmp.dir, 'child.out'), 'utf8');
  // -N1 on the command line beats the directive's -N2
  assert.match(out, `parent=${inst.uri} level=1 size=1\n`);
  // the f58 prefix is ƒ or f, as the job's locale allows
  assert.match(out, new RegExp(`^enclosing=[ƒf]${id.slice(1)} jobid=unset args=a b$`, 'm'));
  assert.match(out, /^RUN$/m);
  assert.is(inst.flux(['jobs', '-no', '{name}', id]).stdout, 'from-directive\n');
});

test('flux batch --wrap: a /bin/sh script of the command', () => {
  const r = inst.flux(['batch', '-n1', '--output=wrap.out', '--wrap', 'flux', 'resource', 'info'], { cwd: tmp.dir });
  assert.is(r.code, 0, r.stderr);
  assert.is(waitJob(r.stdout.trim()), 0);
  assert.is(fs.readFileSync(path.join(tmp.dir, 'wrap.out'), 'utf8'), '1 Nodes, 1 Cores, 0 GPUs\n');
  // the jobspec as Flux writes it: the script a regular file's st_mode (33216), the rlimits after the instance's options
  const js = inst.flux(['batch', '-n1', '--dry-run', '--wrap', 'true']).stdout;
  assert.match(js, /"files": \{"script": \{"mode": 33216, "data": "#!\/bin\/sh\\ntrue\\n"/);
  assert.match(js, /"options": \{"output": \{"stdout": \{"type": "file", "path": "flux-\{\{id\}\}\.out"\}\}, "per-resource": \{"type": "node"\}, "mpi": "none", "exit-timeout": "none", "rlimit": \{/);
  // named after the wrapped command, as Flux names it (stdin: "batch")
  assert.match(inst.flux(['batch', '-n1', '--dry-run', '--wrap', 'hostname', '-f']).stdout, /"job": \{"name": "hostname"/);
  assert.match(inst.flux(['batch', '-n1', '--dry-run', '--wrap'], { input: 'hostname\n' }).stdout, /"job": \{"name": "batch"/);
});

test('flux alloc -N2 COMMAND: a child instance, attached, with the command status', () => {
  let r = inst.flux(['alloc', '-N2', 'flux', 'run', '--label-io', '-N2', 'hostname']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').sort(), [`0: ${host}`, `1: ${host}`]);
  r = inst.flux(['alloc', '-N2', 'sh', '-c', 'flux uptime; flux resource info; exit 4']);
  assert.is(r.code, 4);
  assertWalkthrough(r.stdout, false);
  assert.match(r.stderr, 'flux-job: task(s) exited with exit code 4\n');
  // no command: the shell reads commands from the piped stdin
  r = inst.flux(['alloc', '-n1'], { input: 'flux getattr size\nflux getattr instance-level\n' });
  assert.equal([r.code, r.stdout], [0, '1\n1\n']);
  r = inst.flux(['alloc', 'hostname']);
  assert.equal([r.code, r.stderr], [1, 'flux-alloc: ERROR: Number of slots to allocate must be specified\n']);
  assert.is(inst.flux(['jobs', '-a', '-no', '{name}', '--count=1']).stdout, 'flux\n');
});

test('flux uri and flux proxy reach a running child instance by its job id', () => {
  const r = inst.flux(['batch', '-N2', '--output=kvs', '--wrap', 'sleep', '60']);
  assert.is(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  try {
    assert.is(inst.flux(['job', 'wait-event', '-t', '20', id, 'memo']).code, 0, 'rank 0 of the child posts memo {uri}');
    const uri = inst.flux(['uri', id]);
    assert.is(uri.code, 0, uri.stderr);
    assert.match(uri.stdout, /^local:\/\/\/.+\/local-0\n$/);
    assert.is(inst.flux(['uri', '--remote', id]).stdout, uri.stdout.replace('local://', `ssh://${host}`));
    let p = inst.flux(['proxy', id, 'flux', 'uptime']);
    assert.match(p.stdout, /depth 1,  size 2\n$/);
    p = inst.flux(['proxy', id, 'sh', '-c', 'flux getattr parent-uri; exit 5']);
    assert.equal([p.code, p.stdout], [5, `${inst.uri}\n`]);
    p = inst.flux(['proxy', uri.stdout.trim(), 'flux', 'getattr', 'size']);
    assert.is(p.stdout, '2\n');
  } finally {
    inst.flux(['cancel', id]);
  }
  let e = inst.flux(['uri', 'nosuch']);
  assert.equal([e.code, e.stderr], [1, 'flux-uri: ERROR: nosuch: not a URI or a job id\n']);
  const done = inst.flux(['submit', '--wait', 'true']).stdout.trim();
  e = inst.flux(['uri', done]);
  assert.equal([e.code, e.stderr], [1, `flux-uri: ERROR: jobid ${done} is not running\n`]);
  e = inst.flux(['proxy', done, 'true']);
  assert.equal([e.code, e.stderr], [1, `flux-proxy: jobid ${done} is not running\n`]);
  e = inst.flux(['shutdown', 'nosuch']);
  assert.equal([e.code, e.stderr], [1, 'flux-uri: ERROR: nosuch: not a URI or a job id\nflux-shutdown: failed to resolve target nosuch to a Flux URI\n']);
  e = inst.flux(['proxy', done]);
  assert.is(e.code, 1);
});

test('flux alloc --bg: the id once the instance is up; flux shutdown ID ends it, the job completes', () => {
  const r = inst.flux(['alloc', '--bg', '-v', '-N2']);
  assert.is(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  assert.match(id, /^ƒ[1-9A-HJ-NP-Za-km-z]+$/);
  assert.match(r.stderr, new RegExp(`^${id}:  *[0-9.]+s: waiting for resources\n${id}:  *[0-9.]+s: resources allocated\n${id}:  *[0-9.]+s: waiting for instance\n${id}:  *[0-9.]+s: ready\n$`));
  assert.is(inst.flux(['jobs', '-no', '{state}', id]).stdout, 'RUN\n');
  assert.match(inst.flux(['proxy', id, 'flux', 'uptime']).stdout, /depth 1,  size 2\n$/);
  const sd = inst.flux(['shutdown', id]);
  assert.is(sd.code, 0, sd.stderr);
  assert.is(inst.flux(['job', 'status', id]).code, 0);
  assert.is(inst.flux(['jobs', '-no', '{state} {result}', id]).stdout, 'INACTIVE COMPLETED\n');
});

test('flux batch bad input: one line each, nothing submitted', () => {
  const before = inst.flux(['jobs', '-a', '-no', '{id}']).stdout;
  const noShebang = script('plain.txt', 'hostname\n');
  const badDirective = script('bad.sh', '#!/bin/sh\n#FLUX: -N1\nhostname\n#FLUX: -n2\n');
  const cases: Array<[string[], number, string]> = [
    [['batch', workload], 1, 'flux-batch: ERROR: Number of slots to allocate must be specified\n'],
    [['batch', '-N1', path.join(tmp.dir, 'nosuch.sh')], 1, `flux-batch: ERROR: [Errno 2] No such file or directory: '${path.join(tmp.dir, 'nosuch.sh')}'\n`],
    [['batch', '-N1', noShebang], 1, `flux-batch: ERROR: ${noShebang} does not appear to start with '#!'\n`],
    [['batch', '-N3', '-n2', workload], 1, 'flux-batch: ERROR: node count must not be greater than slot count\n'],
    [['batch', '-N1', '--conf=x.toml', workload], 1, 'flux-batch: ERROR: --conf=x.toml: x.toml: No such file or directory\n'],
    [['batch', '--bogus', workload], 2, 'usage: flux batch [OPTIONS...] [SCRIPT] [ARGS...]\nflux batch: error: unrecognized arguments: --bogus\n'],
  ];
  for (const [args, code, stderr] of cases) {
    const r = inst.flux(args, { cwd: tmp.dir });
    assert.equal([r.code, r.stderr, r.stdout], [code, stderr, ''], args.join(' '));
  }
  const r = inst.flux(['batch', badDirective], { cwd: tmp.dir });
  assert.is(r.code, 1);
  assert.match(r.stderr, /^flux-batch: ERROR: .*bad\.sh: line 4: orphan 'FLUX:' detected: directives disabled after line 2\n$/);
  const badOption = script('badopt.sh', '#!/bin/sh\n#FLUX: -N1 --bogus\nhostname\n');
  const b = inst.flux(['batch', badOption], { cwd: tmp.dir });
  assert.is(b.code, 2);
  assert.match(b.stderr, `flux batch: error: argument parsing failed at ${badOption} line 2\n`);
  assert.is(inst.flux(['jobs', '-a', '-no', '{id}']).stdout, before, 'no job was submitted');
});

test.run();
