/**
 * Inactive job purge: `flux job purge` (dry run, --force, --num-limit,
 * --age-limit, ids, errors), purged jobs gone from `flux jobs -a`, `flux job
 * info` and the kvs, and the [job-manager] inactive-num-limit /
 * inactive-age-limit config applied automatically. Behaviour only.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '../../cli/api/client';
import { startInstance, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

const dirs: string[] = [];
function configDir(toml: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-t0304-'));
  fs.writeFileSync(path.join(d, 'job-manager.toml'), toml);
  dirs.push(d);
  return d;
}

const lines = (s: string) => s.split('\n').filter((l) => l.length > 0);
const allIds = (inst: Instance) => lines(inst.flux(['jobs', '-a', '-n', '-o', '{id.dec}']).stdout);

let inst: Instance;

test.before(async () => {
  inst = await startInstance();
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

test('dry run counts, --force purges the oldest down to --num-limit', () => {
  assert.is(inst.flux(['submit', '--cc=1-6', '--quiet', '--wait', 'true']).code, 0);
  const before = allIds(inst);
  assert.is(before.length, 6);
  const none = inst.flux(['job', 'purge']);
  assert.is(none.code, 0);
  assert.is(none.stdout, 'use --force to purge 0 of 6 inactive jobs\n');
  const dry = inst.flux(['job', 'purge', '--num-limit=2']);
  assert.is(dry.stdout, 'use --force to purge 4 of 6 inactive jobs\n');
  assert.is(allIds(inst).length, 6, 'a dry run purges nothing');
  const f = inst.flux(['job', 'purge', '--force', '--num-limit=2']);
  assert.is(f.code, 0);
  assert.is(f.stdout, 'purged 4 inactive jobs, 2 remaining\n');
  const after = allIds(inst);
  assert.is(after.length, 2);
  // the listing is newest inactive first: the two most recent are kept
  assert.equal(after, before.slice(0, 2));
  assert.match(inst.flux(['jobs', '--stats-only', '-a']).stdout, /, 4 inactive purged\n$/);
});

test('purged jobs are gone from flux jobs, flux job info and the kvs', async () => {
  const id = inst.flux(['submit', '--wait', 'true']).stdout.trim();
  assert.is(inst.flux(['job', 'info', id, 'eventlog']).code, 0);
  const dec = inst.flux(['job', 'id', id]).stdout.trim();
  const kvsdir = inst.flux(['job', 'id', '--to=kvs', id]).stdout.trim();
  const h = await Client.connect(inst.uri);
  try {
    const keys = (await h.rpc<{ keys: string[] }>('kvs.dir', { key: kvsdir })).keys;
    assert.ok(keys.includes(`${kvsdir}.eventlog`) && keys.includes(`${kvsdir}.jobspec`), keys.join(' '));
    assert.is(inst.flux(['job', 'purge', id]).stdout, `use --force to purge 1 of ${allIds(inst).length} inactive jobs\n`);
    const r = inst.flux(['job', 'purge', '-f', id]);
    assert.is(r.code, 0);
    assert.match(r.stdout, /^purged 1 inactive jobs, \d+ remaining\n$/);
    assert.not.ok(allIds(inst).includes(dec));
    const info = inst.flux(['job', 'info', id, 'eventlog']);
    assert.is(info.code, 1);
    assert.is(info.stderr, `flux-job: job ${id} not found\n`);
    const lookup = inst.flux(['jobs', id]);
    assert.is(lookup.code, 1);
    assert.match(lookup.stderr, /unknown/);
    assert.equal((await h.rpc<{ keys: string[] }>('kvs.dir', { key: kvsdir })).keys, []);
  } finally {
    h.close();
  }
});

test('purge errors: active job, unknown job, bad options', async () => {
  const running = inst.flux(['submit', 'sleep', '30']).stdout.trim();
  const a = inst.flux(['job', 'purge', '-f', running]);
  assert.is(a.code, 1);
  assert.is(a.stderr, 'flux-job: purge: cannot purge active job\n');
  assert.is(inst.flux(['cancel', running]).code, 0);
  const u = inst.flux(['job', 'purge', '-f', '12345']);
  assert.is(u.code, 1);
  assert.is(u.stderr, 'flux-job: purge: unknown job id\n');
  const bad = inst.flux(['job', 'purge', '--age-limit=soon']);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /age-limit/);
  assert.is(inst.flux(['job', 'purge', '--num-limit=x']).code, 1);
});

test('--age-limit purges jobs inactive for longer than the limit', () => {
  inst.flux(['submit', '--wait', 'true']);
  assert.is(inst.flux(['job', 'purge', '--age-limit=1h']).stdout.startsWith('use --force to purge 0 of '), true);
  const f = inst.flux(['job', 'purge', '-f', '--age-limit=0']);
  assert.match(f.stdout, /^purged \d+ inactive jobs, 0 remaining\n$/);
  assert.equal(allIds(inst), []);
});

test('config inactive-num-limit is applied as jobs become inactive', async () => {
  const i2 = await startInstance([`--config-path=${configDir('[job-manager]\ninactive-num-limit = 3\n')}`]);
  try {
    assert.is(i2.flux(['submit', '--cc=1-8', '--quiet', '--wait', 'true']).code, 0);
    await waitUntil(() => allIds(i2).length === 3, { what: 'inactive-num-limit=3 to keep 3 jobs' });
    assert.match(i2.flux(['jobs', '--stats-only', '-a']).stdout, /, 5 inactive purged\n$/);
  } finally {
    await i2.stop().catch(() => i2.kill());
  }
});

test('config inactive-age-limit is applied after the age passes', async () => {
  const i3 = await startInstance([`--config-path=${configDir('[job-manager]\ninactive-age-limit = "1s"\n')}`]);
  try {
    assert.is(i3.flux(['submit', '--cc=1-3', '--quiet', '--wait', 'true']).code, 0);
    await waitUntil(() => allIds(i3).length === 0, { what: 'inactive-age-limit to purge every job' });
  } finally {
    await i3.stop().catch(() => i3.kill());
  }
});

test('a bad [job-manager] limit fails the module load', () => {
  const d = configDir('[job-manager]\ninactive-num-limit = "many"\n');
  const r = inst.flux(['start', `--config-path=${d}`, 'true'], { env: { FLUX_URI: '' } });
  assert.is.not(r.code, 0);
  assert.match(r.stderr, /inactive-num-limit/);
});

test.run();
