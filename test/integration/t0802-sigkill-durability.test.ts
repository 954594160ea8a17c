/**
 * Durability beyond Flux (issue 16): a job whose submission was acknowledged
 * is in the store before the acknowledgement. Rank 0 is SIGKILLed at random
 * points of a 1000-job submit stream (job-ingest.submit requests pipelined 32
 * at a time, the way `flux submit --cc` sends them, each id recorded when its
 * answer arrives); after a restart on the same statedir every acknowledged id
 * is there. The random points are printed, so a failure can be replayed
 * (T0802_SEED).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '../../cli/api/client';
import { encodeF58 } from '../../lib/formats';
import { flux, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

const N = 1000;
const WINDOW = 32;
const ROUNDS = 3;

const seed = Number(process.env['T0802_SEED'] ?? Date.now() % 100000);
let state = seed;
/** a small deterministic generator (a failure prints the seed) */
const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);

const d = tmpdir('flux-t0802-');
const statedir = path.join(d.dir, 'state');
const started: Instance[] = [];

test.after(() => {
  for (const i of started) i.kill();
  d.cleanup();
});

/** Submit up to N jobs, WINDOW in flight; kill rank 0 once `killAt` were acknowledged. Returns the acknowledged ids. */
async function stream(inst: Instance, killAt: number): Promise<number[]> {
  const jobspec = JSON.parse(inst.flux(['submit', '--dry-run', 'true']).stdout) as object;
  const pid = Number(inst.flux(['getattr', 'broker.pid']).stdout.trim());
  const h = await Client.connect(inst.uri);
  const acked: number[] = [];
  let next = 0;
  let killed = false;
  const worker = async () => {
    while (next < N && !killed) {
      next++;
      try {
        const r = await h.rpc<{ id: number }>('job-ingest.submit', { jobspec, urgency: 16, flags: 0 });
        acked.push(r.id);
      } catch {
        return; // the broker is gone: this one was never acknowledged
      }
      if (!killed && acked.length >= killAt) {
        killed = true;
        process.kill(pid, 'SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, worker));
  h.close();
  await waitUntil(() => inst.proc.exitCode !== null || inst.proc.signalCode !== null, { what: 'flux start to exit after SIGKILL' });
  inst.kill();
  return acked;
}

test(`every acknowledged id survives SIGKILL of rank 0 (${ROUNDS} random points, seed ${seed})`, async () => {
  const all = new Set<string>();
  for (let round = 0; round < ROUNDS; round++) {
    const inst = await startInstance(['--test-size=1', `-Sstatedir=${statedir}`]);
    started.push(inst);
    // keep the jobs pending: the stream measures the store, not execution
    assert.is(inst.flux(['queue', 'stop', '--quiet']).code, 0);
    const killAt = 1 + Math.floor(random() * (N - 1));
    const acked = await stream(inst, killAt);
    assert.ok(acked.length >= killAt, `round ${round}: ${acked.length} acknowledged before the kill at ${killAt}`);
    for (const id of acked) all.add(encodeF58(id));

    const after = await startInstance(['--test-size=1', `-Sstatedir=${statedir}`]);
    started.push(after);
    const listed = new Set(after.flux(['jobs', '-a', '--count=0', '-n', '-o', '{id.f58}']).stdout.split('\n').filter(Boolean));
    const lost = [...all].filter((id) => !listed.has(id));
    assert.equal(lost, [], `round ${round} (seed ${seed}, kill after ${killAt}): acknowledged ids lost after restart`);
    assert.is(await after.stop(), 0);
  }
});

test('[kvs] checkpoint-period is taken (every commit is on disk before its answer): a put survives SIGKILL of rank 0', async () => {
  const dir = path.join(d.dir, 'ckpt');
  fs.mkdirSync(dir);
  const conf = path.join(d.dir, 'kvs.toml');
  fs.writeFileSync(conf, '[kvs]\ncheckpoint-period = "30m"\n');
  const inst = await startInstance(['--test-size=1', `-Sstatedir=${dir}`, '-c', conf]);
  started.push(inst);
  assert.is(inst.flux(['config', 'get', 'kvs.checkpoint-period']).stdout, '30m\n');
  assert.is(inst.flux(['kvs', 'put', 'ckpt.a=42']).code, 0);
  const pid = Number(inst.flux(['getattr', 'broker.pid']).stdout.trim());
  process.kill(pid, 'SIGKILL');
  await waitUntil(() => inst.proc.exitCode !== null || inst.proc.signalCode !== null, { what: 'flux start to exit after SIGKILL' });
  inst.kill();
  const after = await startInstance(['--test-size=1', `-Sstatedir=${dir}`, '-c', conf]);
  started.push(after);
  assert.is(after.flux(['kvs', 'get', 'ckpt.a']).stdout, '42\n');
  assert.is(await after.stop(), 0);

  fs.writeFileSync(conf, '[kvs]\ngc-threshold = 100\n');
  const r = flux(['start', '-c', conf, 'true']);
  assert.is(r.code, 1);
  assert.match(r.stderr, `Config file error: ${conf}:2: kvs.gc-threshold: flux-ts keeps the kvs in LMDB, which reuses freed pages: there is no content store to garbage-collect\n`);
  fs.writeFileSync(conf, '[kvs]\ncheckpoint-period = "often"\n');
  const bad = flux(['start', '-c', conf, 'true']);
  assert.match(bad.stderr, `kvs.checkpoint-period: "often" is not a valid duration (FSD)`);
});

test.run();
