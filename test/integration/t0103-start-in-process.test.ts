/**
 * flux start --test-size=N --test-in-process: all N brokers in the one
 * `flux start` process (overlay/inproc-*), driven by the real `flux` command:
 * every rank answers (exec, getattr), resources of every rank, an event
 * published at rank 0 reaches subscribers on every rank, jobs run across
 * ranks, the initial program's exit code is the instance's, and the options
 * that name broker processes are refused in one line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'node:path';
import { ROOT, flux, startInstance, tmpdir, type Instance } from '../helpers/flux';

const SIZE = 64;
const tmp = tmpdir('flux-t0103-');
let inst: Instance;

test.before(async () => {
  inst = await startInstance([`--test-size=${SIZE}`, '--test-in-process'], {
    env: { TMPDIR: tmp.dir },
    brokerEnv: { FLUX_RESOURCE_FAKE_CORES: '2' },
    timeoutMs: 120_000,
  });
});
test.after(async () => {
  try {
    if (inst) assert.is(await inst.stop(), 0, inst.stderr());
  } finally {
    tmp.cleanup();
  }
});

test('every rank is a broker of one instance, and they all share one process', () => {
  assert.is(inst.flux(['getattr', 'size']).stdout, `${SIZE}\n`);
  const exec = inst.flux(['exec', '-r', 'all', 'true']);
  assert.equal([exec.code, exec.stderr], [0, '']);
  const ranks = inst.flux(['exec', '-r', '0,17,63', 'flux', 'getattr', 'rank']);
  assert.equal(ranks.stdout.split('\n').filter(Boolean).sort(), ['0', '17', '63']);
  const pids = inst.flux(['exec', '-r', '0,63', 'flux', 'getattr', 'broker.pid']);
  const [a, b] = pids.stdout.split('\n').filter(Boolean);
  assert.is(a, b, 'rank 0 and rank 63 are one process');
  assert.is(inst.flux(['getattr', 'broker.boot-method']).stdout, 'inproc\n');
});

test('uptime and resources see the whole instance', () => {
  const up = inst.flux(['uptime']);
  assert.is(up.code, 0, up.stderr);
  assert.match(up.stdout, /\bsize 64\b/);
  const info = inst.flux(['resource', 'info']);
  assert.is(info.stdout, `${SIZE} Nodes, ${2 * SIZE} Cores, 0 GPUs\n`);
  const overlay = inst.flux(['overlay', 'status', '--summary']);
  assert.equal([overlay.code, overlay.stdout], [0, 'full\n']);
});

test('an event published at rank 0 reaches a subscriber on every rank', () => {
  const rundir = inst.flux(['getattr', 'rundir']).stdout.trim();
  const client = path.join(ROOT, 'dist', 'cli', 'api', 'client.js');
  // one client per rank (its local-N socket), all subscribed before rank 0 publishes
  const script = `
    const { Client } = require(${JSON.stringify(client)});
    (async () => {
      const got = new Set();
      const hs = await Promise.all(Array.from({ length: ${SIZE} }, (_, r) => Client.connect('local://${rundir}/local-' + r)));
      const all = new Promise((resolve) => hs.forEach((h, r) => h.subscribe('t0103.', (m) => {
        if (m.payload && m.payload.n === 7) got.add(r);
        if (got.size === ${SIZE}) resolve();
      })));
      await Promise.all(hs.map((h) => h.rpc('attr.get', { name: 'rank' })));
      await hs[0].rpc('event.pub', { topic: 't0103.hello', payload: { n: 7 } });
      const t = setTimeout(() => process.stdout.write('only ' + got.size + '\\n', () => process.exit(1)), 20000);
      await all;
      clearTimeout(t);
      console.log('all ' + got.size);
      hs.forEach((h) => h.close());
    })().catch((e) => process.stderr.write(e.message + '\\n', () => process.exit(1)));`;
  const r = inst.flux(['env', process.execPath, '-e', script]);
  assert.equal([r.code, r.stdout, r.stderr], [0, `all ${SIZE}\n`, '']);
});

test('jobs run on ranks other than 0', () => {
  const r = inst.flux(['run', '-N4', '--label-io', 'flux', 'getattr', 'rank']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n').filter(Boolean).sort(), ['0: 0', '1: 1', '2: 2', '3: 3']);
});

test('the initial program exit code is the instance exit code', () => {
  const r = flux(['start', '--test-size=4', '--test-in-process', 'sh', '-c', 'flux exec -r 3 true && exit 3'], { env: { TMPDIR: tmp.dir } });
  assert.is(r.code, 3, r.stderr);
  assert.match(r.stderr, /rc2\.0: sh -c flux exec -r 3 true && exit 3 Exited \(rc=3\)/);
});

test('SIGINT to flux start ends the instance in order: the initial program gets SIGHUP', async () => {
  const small = await startInstance(['--test-size=8', '--test-in-process'], { env: { TMPDIR: tmp.dir } });
  const exited = new Promise<number>((resolve) => small.proc.on('exit', (code, sig) => resolve(code ?? (sig ? 128 : 1))));
  small.proc.kill('SIGINT');
  assert.is(await exited, 129, small.stderr());
  assert.not.match(small.stderr(), /dead to Flux|failed/);
});

test('options that need broker processes are refused in one line', () => {
  const cases: Array<[string[], string]> = [
    [['--test-in-process', 'true'], 'flux-start: --test-in-process only works with --test-size\n'],
    [['--test-size=2', '--test-in-process', '--wrap=strace', 'true'], 'flux-start: --wrap does not apply to --test-in-process (no broker process to wrap)\n'],
    [['--test-size=2', '--test-in-process', '--test-start-mode=leader', 'true'], 'flux-start: --test-start-mode does not apply to --test-in-process (every rank starts in this process)\n'],
    [['--test-size=2', '--test-in-process', '--test-pmi-clique=none', 'true'], 'flux-start: --test-pmi-clique does not apply to --test-in-process (the brokers boot without PMI)\n'],
  ];
  for (const [args, err] of cases) {
    const r = flux(['start', ...args], { env: { TMPDIR: tmp.dir } });
    assert.equal([r.code, r.stderr], [1, err], args.join(' '));
  }
});

test.run();
