/**
 * Input a command cannot send, refused on the client in one line before
 * anything goes out: a kvs value over the frame limit (and stdin read no
 * further than that limit), a jobspec nested too deeply, a count past what a
 * jobspec holds; and the words for what is not there: `job info` for a job
 * that does not exist, an unsatisfiable request that names the shortfall, and
 * a job waiting for a drained node that says drained (size 2, 2 cores a node).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FLUX, ROOT, run, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { until } from '../helpers/wait';

let inst: Instance;
const tmp = tmpdir();
const LIMIT = 16777216;

test.before(async () => {
  inst = await startInstance(['--test-size=2'], { env: { FLUX_RESOURCE_FAKE_CORES: '2' } });
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
  tmp.cleanup();
});

test('kvs put -r KEY=- refuses a value over the frame limit, in one line, and stays connected', () => {
  const big = inst.flux(['kvs', 'put', '-r', 'big=-'], { input: 'x'.repeat(LIMIT + 1000) });
  assert.equal([big.code, big.stderr], [1, `flux-kvs: big: value is larger than a message may carry (${LIMIT} bytes)\n`]);
  // under the limit as read, over it once JSON-escaped: refused by the client, not dropped by the broker
  const escaped = inst.flux(['kvs', 'put', '-r', 'nl=-'], { input: '\n'.repeat(LIMIT - 1000) });
  assert.equal([escaped.code, escaped.stderr], [1, `flux-kvs: nl: value is larger than a message may carry (${LIMIT} bytes)\n`]);
  assert.is(inst.flux(['kvs', 'get', 'big']).stderr, 'flux-kvs: big: No such file or directory\n');
  assert.is(inst.flux(['kvs', 'put', '-r', 'small=-'], { input: 'x'.repeat(1000) }).code, 0);
  assert.is(inst.flux(['kvs', 'get', 'small']).stdout, `${'x'.repeat(1000)}\n`);
  assert.not.match(inst.flux(['dmesg']).stdout, /exceed/);
});

test('kvs put -r KEY=- </dev/zero stops at the limit instead of reading forever', () => {
  const r = run('sh', ['-c', 'exec flux kvs put -r z=- </dev/zero'], { env: inst.env, timeoutMs: 30_000 });
  assert.equal([r.code, r.stderr], [1, `flux-kvs: z: value is larger than a message may carry (${LIMIT} bytes)\n`]);
});

test('job submit refuses a jobspec nested too deeply before encoding it', () => {
  const deep = path.join(tmp.dir, 'deep.json');
  fs.writeFileSync(deep, '['.repeat(100_000) + ']'.repeat(100_000));
  const r = inst.flux(['job', 'submit', deep]);
  assert.equal([r.code, r.stderr], [1, `flux-job: ${deep}: jobspec nested too deeply (more than 511 levels)\n`]);
  const s = inst.flux(['job', 'submit'], { input: '['.repeat(512) + ']'.repeat(512) });
  assert.equal([s.code, s.stderr], [1, 'flux-job: stdin: jobspec nested too deeply (more than 511 levels)\n']);
});

test('counts past what a jobspec holds are refused as typed', () => {
  const r = inst.flux(['run', '-n', '99999999999999999999', 'true']);
  assert.equal([r.code, r.stderr], [1, 'flux-run: ERROR: -n 99999999999999999999: task count must be an integer <= 2147483647\n']);
  const n = inst.flux(['submit', '--nodes=2147483648', 'true']);
  assert.equal([n.code, n.stderr], [1, 'flux-submit: ERROR: --nodes=2147483648: node count must be an integer <= 2147483647\n']);
});

test('job info for a well-formed id of no job says it is not found', () => {
  for (const id of ['ƒ11111111111', 'f123456789']) {
    const r = inst.flux(['job', 'info', id, 'jobspec']);
    assert.equal([r.code, r.stderr], [1, `flux-job: job ${id} not found\n`]);
  }
  assert.is(inst.flux(['job', 'info', 'notanid', 'jobspec']).stderr, 'flux-job: error parsing jobid: "notanid"\n');
});

test('a request no node is big enough for names the shortfall', () => {
  const r = inst.flux(['run', '-N1', '-n5', 'true']);
  assert.equal([r.code, r.stderr], [1, 'flux-run: ERROR: unsatisfiable request: need 5 core(s) on 1 node, nodes have at most 2 core(s)\n']);
  // too few nodes: Flux's words
  assert.is(inst.flux(['run', '-N3', 'true']).stderr, 'flux-run: ERROR: unsatisfiable request: need 3 exclusive node(s), only 2 eligible\n');
});

test('a job that waits for a drained node says drained, not down', async () => {
  const host = inst.flux(['getattr', 'hostname']).stdout.trim();
  assert.is(inst.flux(['resource', 'drain', '1']).code, 0);
  const proc = spawn(FLUX, ['run', '-N2', 'true'], {
    env: { ...process.env, ...inst.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number>((res) => proc.on('close', (code, sig) => res(code ?? (sig ? -1 : 1))));
  try {
    await until(() => err.includes('is waiting: '), 'the reason it waits');
    assert.match(err, new RegExp(`^flux-job: \\S+ is waiting: needs 2 node\\(s\\), 1 up; 1 node\\(s\\) drained: ${host} \\(rank 1\\)\\n`));
    proc.kill('SIGTERM');
    assert.is(await exit, 143);
  } finally {
    proc.kill('SIGKILL');
    inst.flux(['resource', 'undrain', '1']);
  }
});

test.run();
