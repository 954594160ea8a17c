/**
 * The broker's own services as the built-in module `broker`
 * (kernel/broker-services.ts, ADR 0018): served on the broker's endpoint
 * under all its service names, checked against kernel/protocol.avsc, left
 * out of `module.list`, refused by `module.remove` and `module.reload`; and
 * IBrokerCore, the token that lends it the Broker, is in its container alone:
 * another module cannot resolve it, even holding the symbol.
 */
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AttrStore } from '../../../../kernel/attr/attrs';
import { defineDefaultAttrs } from '../../../../kernel/attr/defaults';
import { IBrokerCore, brokerModule, treeService, type BrokerCore } from '../../../../kernel/broker-services';
import { LogRing } from '../../../../kernel/log/log-ring';
import { ModuleHost } from '../../../../kernel/module/module-host';
import { LocalHandle, type BrokerContext } from '../../../../kernel/router/local-handle';
import { Router } from '../../../../kernel/router/router';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-brokermod-'));
const seen = globalThis as unknown as { brokerCore?: symbol; tried?: { registered: boolean; resolved: string } };

/** a site module that holds the token (through globalThis) and tries to resolve it from its own container */
fs.writeFileSync(
  path.join(dir, 'thief.js'),
  `const api = require('flux-ts/kernel/api');
module.exports = api.defineModule({ name: 'thief', create(scope) {
  let resolved;
  try { resolved = typeof scope.container.resolve(globalThis.brokerCore); } catch (e) { resolved = 'refused: ' + e.message.split('\\n')[0]; }
  globalThis.tried = { registered: scope.container.isRegistered(globalThis.brokerCore, true), resolved };
  return { handlers: [] };
} });
`,
);

async function broker(): Promise<{ host: ModuleHost; router: Router; client: LocalHandle; uuid: string }> {
  const uuid = 'broker-0-uuid';
  const router = new Router(0, uuid);
  const attrs = new AttrStore();
  defineDefaultAttrs(attrs);
  attrs.setInternal('hostname', 'node0');
  const logRing = new LogRing();
  logRing.printer = () => {};
  const ctx: BrokerContext = { router, rank: 0, size: 1, getattr: (n) => attrs.get(n), log: (s, a, t) => logRing.append(s, a, t), publish: async () => undefined };
  const host = new ModuleHost(ctx, () => ({}));
  const core = { uuid, rank: 0, attrs, logRing, modules: host, applyAttr: () => {} } as unknown as BrokerCore;
  const self = (await host.loadBuiltin(brokerModule, uuid, [[IBrokerCore, core]])).handle;
  assert.is(self.uuid, uuid, "the broker module answers on the broker's own endpoint");
  const client = new LocalHandle(ctx, 'client');
  router.addEndpoint(client);
  return { host, router, client, uuid };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'answered',
    (e: Error & { errno?: number }) => `${e.errno}: ${e.message}`,
  );
}

test('it serves every broker service name from one endpoint, with the protocol checked', async () => {
  const b = await broker();
  for (const s of ['broker', 'attr', 'log', 'module', 'event', 'state-machine', 'config']) assert.is(b.router.serviceOwner(s), b.uuid, s);
  assert.is((await b.client.rpc<{ value: string }>('attr.get', { name: 'hostname' })).value, 'node0');
  assert.match(await refusal(b.client.rpc('attr.get', { name: 5 })), /^71: attr\.get: malformed request: name: /);
  assert.equal(await b.client.rpc('log.stats-get', {}), { entries: 0, bytes: 0, max_bytes: 8 << 20, followers: 0 });
});

test('it is not listed, and remove or reload of it is refused with one line', async () => {
  const b = await broker();
  assert.equal(await b.client.rpc('module.list', {}), { mods: [] });
  const why = "the broker's own services are built in and cannot be unloaded";
  assert.is(await refusal(b.client.rpc('module.remove', { name: 'broker' })), `22: remove broker: ${why}`);
  assert.is(await refusal(b.client.rpc('module.reload', { path: 'broker', args: [] })), `22: reload broker: ${why}`);
  // the default `shutdown` method every module answers is refused too, and it keeps serving
  assert.is(await refusal(b.client.rpc('attr.shutdown', {})), `22: remove broker: ${why}`);
  await b.host.removeAll();
  assert.is(b.router.serviceOwner('attr'), b.uuid, 'removeAll leaves the broker module');
});

test('overlay services: status is open to guests, disconnect-subtree needs the owner role', () => {
  assert.is(treeService('overlay.status', () => ({})).ownerOnly, false);
  assert.is(treeService('overlay.disconnect-subtree', () => ({})).ownerOnly, true);
});

test('another module cannot resolve IBrokerCore, even holding the symbol', async () => {
  const b = await broker();
  seen.brokerCore = IBrokerCore;
  assert.is(b.host.instance.isRegistered(IBrokerCore, true), false, 'not in the instance-wide container');
  await b.host.load(path.join(dir, 'thief.js'), []);
  assert.is(seen.tried?.registered, false);
  assert.match(seen.tried?.resolved ?? '', /^refused: /);
  assert.equal(await b.client.rpc('module.list', {}).then((r) => (r as { mods: Array<{ name: string }> }).mods.map((m) => m.name)), ['thief']);
  await b.host.removeAll();
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test.run();
