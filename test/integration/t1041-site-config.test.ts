/**
 * docs/guide/tuning-your-instance.md: the worked site configuration
 * (docs/examples/site-config/*.toml) started as it is, with `flux start -c
 * DIR`, and each of the guide's claims checked through the real commands.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { until } from '../helpers/wait';

const SITE = path.join(ROOT, 'docs', 'examples', 'site-config');
const tmp = tmpdir('flux-t1041-');
const LOG = path.join(tmp.dir, 'broker.log');
let inst: Instance | undefined;
const ok = (args: readonly string[]) => {
  const r = inst!.flux(args);
  assert.is(r.code, 0, `flux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const refused = (args: readonly string[]) => {
  const r = inst!.flux(args);
  assert.is.not(r.code, 0, `flux ${args.join(' ')} was accepted`);
  return r.stderr;
};

test.before(async () => {
  inst = await startInstance(['--test-size=2', '--test-hosts=node[0-1]', '-c', SITE, `-Slog-filename=${LOG}`], {
    brokerEnv: { FLUX_RESOURCE_FAKE_CORES: '4' },
    timeoutMs: 60_000,
  });
});
test.after(async () => {
  if (inst) await inst.stop().catch(() => inst!.kill());
  tmp.cleanup();
});

test('resources: two nodes of 4 cores, node0 debug and node1 batch', () => {
  const R = JSON.parse(ok(['resource', 'R'])) as { execution: { nodelist: string[]; properties: Record<string, string> } };
  assert.equal(R.execution.nodelist, ['node[0-1]']);
  assert.equal(R.execution.properties, { debug: '0', batch: '1' });
  assert.is(ok(['resource', 'list', '-s', 'free', '-no', '{queue} {ncores} {nodelist}']), 'debug 4 node0\nbatch 4 node1\n');
});

test('queues: listed with their limits, stopped until flux queue start', () => {
  assert.match(ok(['queue', 'status', '-q', 'debug']), /Scheduling is stopped/);
  ok(['queue', 'start', '--all']);
  const list = ok(['queue', 'list', '-no', '{queue} {defaults.timelimit!F} {limits.timelimit!F} {limits.range.ncores}']);
  assert.is(list, 'debug 5m 10m 0-4\nbatch 30m 1h 0-4\n');
});

test('policy: over-limit jobs are refused at submit; a job lands in its queue on its node', () => {
  assert.match(refused(['submit', '-t', '2h', 'true']), /requested duration \(2h\) exceeds policy limit of 1h for queue batch/);
  assert.match(refused(['submit', '-q', 'debug', '-t', '20m', 'true']), /exceeds policy limit of 10m for queue debug/);
  assert.match(refused(['submit', '-n', '8', 'true']), /requested ncores \(8\) exceeds policy limit of 4 for queue batch/);
  const id = ok(['submit', '-q', 'debug', '--wait', 'true']).trim();
  assert.is(ok(['jobs', '-no', '{queue} {nodelist} {duration!F}', id]), 'debug node0 5m\n');
  const b = ok(['submit', '--wait', 'true']).trim();
  assert.is(ok(['jobs', '-no', '{queue} {nodelist} {duration!F}', b]), 'batch node1 30m\n');
});

test('job-manager plugins: loaded in order; multi-factor sets the priority', () => {
  assert.is(ok(['jobtap', 'list']), 'limit-duration\nlimit-job-size\nmulti-factor\n');
  const id = ok(['submit', '--urgency=hold', 'sleep', '300']).trim();
  const [pri, urg] = ok(['jobs', '-no', '{priority} {urgency}', id]).trim().split(' ').map(Number);
  assert.is(urg, 0);
  assert.is(pri, 0, 'a held job has priority 0');
  ok(['job', 'urgency', id, '16']);
  const p2 = Number(ok(['jobs', '-no', '{priority}', id]).trim());
  assert.ok(p2 > 16, `multi-factor priority ${p2} is more than the urgency`);
  ok(['cancel', id]);
});

test('tbon knobs: visible as attributes and in flux config get', () => {
  assert.is(ok(['getattr', 'tbon.topo']), 'kary:2\n');
  assert.is(ok(['getattr', 'tbon.torpid_max']), '30s\n');
  assert.is(ok(['getattr', 'tbon.connect_timeout']), '1m\n');
  assert.equal(JSON.parse(ok(['config', 'get', 'tbon'])), { topo: 'kary:2', torpid_max: '30s', tcp_user_timeout: '2m', connect_timeout: '1m' });
});

test('logging: -Slog-filename gets every entry, one timestamped line each', async () => {
  ok(['logger', 'from-t1041']);
  // The broker appends to the file asynchronously after it takes the entry.
  const line = /^\d{4}-\d\d-\d\dT[\d:.]+Z logger\.notice\[0\]: from-t1041$/m;
  const seen = () => fs.readFileSync(LOG, 'utf8').includes('from-t1041');
  await until(seen, 'the entry to reach the log file', 10_000).catch(() => undefined);
  assert.match(fs.readFileSync(LOG, 'utf8'), line);
});

test.run();
