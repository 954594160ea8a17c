/** tbon.interface-hint: which local address each kind of hint names; connect's time limit and abort. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as os from 'node:os';
import { InterfaceHintError, connect, hintAddress, tcpWildcard } from '../../../overlay/transport';
import { deafListener } from '../../helpers/deaf-listener';

const loName = Object.entries(os.networkInterfaces()).find(([, a]) => a?.some((x) => x.family === 'IPv4' && x.address === '127.0.0.1'))?.[0];

test('an interface name and a CIDR name that interface address', async () => {
  if (!loName) return console.log('  (skipped: no interface holds 127.0.0.1)');
  assert.is(await hintAddress(loName), '127.0.0.1');
  assert.is(await hintAddress('127.0.0.0/8'), '127.0.0.1');
  assert.is(await hintAddress('127.0.0.1/32'), '127.0.0.1');
});

test('default-route and hostname give some local address', async () => {
  const all = Object.values(os.networkInterfaces()).flatMap((a) => (a ?? []).map((x) => x.address));
  const d = await hintAddress('default-route');
  assert.ok(all.includes(d), `${d} is not a local address`);
  assert.type(await hintAddress('hostname').catch((e: Error) => e.message), 'string');
});

test('hints that name nothing are refused with one line', async () => {
  for (const [hint, why] of [
    ['nosuch0', 'not an interface here, default-route, hostname, or an IPv4 CIDR'],
    ['10.0.0.0/33', 'not an interface here, default-route, hostname, or an IPv4 CIDR'],
    ['300.0.0.0/8', 'not an interface here, default-route, hostname, or an IPv4 CIDR'],
    ['203.0.113.0/24', 'no interface address in that network'],
  ]) {
    const e = await hintAddress(hint!).catch((x: Error) => x);
    assert.instance(e, InterfaceHintError);
    assert.is((e as Error).message, `tbon.interface-hint ${hint}: ${why}`);
  }
});

test('tcpWildcard brackets IPv6', () => {
  assert.is(tcpWildcard('10.1.2.3'), 'tcp://10.1.2.3:*');
  assert.is(tcpWildcard('fd00::1'), 'tcp://[fd00::1]:*');
});


test('connect: ETIMEDOUT after the limit (tbon.connect_timeout), and an abort stops it', async () => {
  const deaf = await deafListener();
  try {
    const t0 = Date.now();
    const e = (await connect(`tcp://127.0.0.1:${deaf.port}`, 300).catch((x: Error) => x)) as NodeJS.ErrnoException;
    assert.instance(e, Error);
    assert.is(e.code, 'ETIMEDOUT');
    assert.is(e.message, 'connect ETIMEDOUT: no answer in 0.3s');
    assert.ok(Date.now() - t0 < 5000);
    const ac = new AbortController();
    const p = connect(`tcp://127.0.0.1:${deaf.port}`, 0, ac.signal).catch((x: Error) => x);
    ac.abort(new Error('received SIGTERM'));
    assert.is(((await p) as Error).message, 'received SIGTERM');
  } finally {
    deaf.close();
  }
});

test.run();
