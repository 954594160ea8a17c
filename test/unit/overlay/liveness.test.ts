/** tbon liveness settings: -S beats [tbon] beats the default; bad values are refused with one line. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { AttrStore } from '../../../kernel/attr/attrs';
import { defineDefaultAttrs } from '../../../kernel/attr/defaults';
import { LivenessConfigError, livenessOf, resolveLiveness } from '../../../overlay/liveness';
import { SendStall } from '../../../overlay/send-stall';

function attrs(set: Record<string, string> = {}): AttrStore {
  const a = new AttrStore();
  defineDefaultAttrs(a);
  for (const [k, v] of Object.entries(set)) a.setFromCommandLine(k, v);
  return a;
}

const get = (a: AttrStore) => ['torpid_min', 'torpid_max', 'tcp_user_timeout'].map((k) => a.get(`tbon.${k}`));

test('defaults are Flux defaults', () => {
  const a = attrs();
  assert.equal(resolveLiveness(a, {}, new Set()), { torpidMinMs: 5000, torpidMaxMs: 30000, tcpUserTimeoutMs: 20000 });
  assert.equal(get(a), ['5s', '30s', '20s']);
});

test('[tbon] sets them; -S wins; values shown in Flux form', () => {
  const a = attrs({ 'tbon.torpid_max': '90s' });
  const l = resolveLiveness(a, { tbon: { torpid_min: '2s', torpid_max: '10m', tcp_user_timeout: '0' } }, new Set(['tbon.torpid_max']));
  assert.equal(l, { torpidMinMs: 2000, torpidMaxMs: 90000, tcpUserTimeoutMs: 0 });
  assert.equal(get(a), ['2s', '1.5m', '0s']);
  assert.equal(livenessOf(a), l);
});

test('torpid_max 0 disables; min must be > 0 and below max', () => {
  assert.is(resolveLiveness(attrs({ 'tbon.torpid_max': '0' }), {}, new Set(['tbon.torpid_max'])).torpidMaxMs, 0);
  assert.throws(() => resolveLiveness(attrs(), { tbon: { torpid_min: '0' } }, new Set()), /tbon\.torpid_min must be greater than zero/);
  assert.throws(() => resolveLiveness(attrs({ 'tbon.torpid_min': 'inf' }), {}, new Set(['tbon.torpid_min'])), /and finite/);
  const never = resolveLiveness(attrs({ 'tbon.torpid_max': 'inf' }), {}, new Set(['tbon.torpid_max']));
  assert.is(never.torpidMaxMs, Infinity, 'inf: never torpid');
  assert.throws(
    () => resolveLiveness(attrs({ 'tbon.torpid_max': '2s' }), {}, new Set(['tbon.torpid_max'])),
    /tbon\.torpid_max \(2s\) must be 0 or greater than tbon\.torpid_min \(5s\)/,
  );
});

test('not a duration: refused, naming where it came from', () => {
  assert.throws(() => attrs({ 'tbon.torpid_max': 'soon' }), /Error parsing tbon\.torpid_max attribute/);
  assert.throws(() => attrs({ 'tbon.tcp_user_timeout': '-1s' }), /Error parsing tbon\.tcp_user_timeout attribute/);
  try {
    resolveLiveness(attrs(), { tbon: { torpid_max: 5 } }, new Set());
    assert.unreachable();
  } catch (e) {
    assert.instance(e, LivenessConfigError);
    assert.is((e as Error).message, '[tbon] torpid_max: 5 is not a valid duration (FSD)');
  }
});

test('SendStall: a reader that stops taking data stalls the writer; one that reads does not', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stall-'));
  const sockPath = path.join(dir, 's');
  let server: net.Socket | undefined;
  const srv = net.createServer((s) => (server = s));
  await new Promise<void>((r) => srv.listen(sockPath, r));
  const client = net.createConnection(sockPath);
  await new Promise((r) => client.once('connect', r));
  while (!server) await new Promise((r) => setImmediate(r));
  try {
    server.pause(); // a stopped peer: nothing is read
    const stall = new SendStall(client);
    assert.is(stall.stalledFor(0), 0, 'nothing written');
    for (let i = 0; i < 64 && client.writableLength === 0; i++) client.write(Buffer.alloc(256 * 1024));
    assert.ok(client.writableLength > 0, 'the kernel buffer filled');
    assert.is(stall.stalledFor(1000), 0, 'first sight starts the clock');
    assert.is(stall.stalledFor(4000), 3000);
    stall.forgive(4000);
    assert.is(stall.stalledFor(4500), 500);
    server.resume();
    server.on('data', () => {});
    while (client.writableLength > 0) await new Promise((r) => setTimeout(r, 5));
    assert.is(stall.stalledFor(9000), 0, 'drained');
  } finally {
    client.destroy();
    server.destroy();
    srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
