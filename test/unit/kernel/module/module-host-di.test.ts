/**
 * The module host's DI (ADR 0018): a module class is resolved from its own
 * child container with the kernel's tokens (handle, attributes, log, args,
 * config, registries); what a module provides in a registry is seen by the
 * other modules of its broker only, and withdrawn when it unloads; init() runs
 * before the module owns its service, and its failure leaves nothing behind.
 */
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Router } from '../../../../kernel/router/router';
import type { BrokerContext } from '../../../../kernel/router/local-handle';
import { ModuleHost } from '../../../../kernel/module/module-host';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-di-'));
const seen = globalThis as unknown as { probe?: Record<string, unknown>; order?: string[] };

/** a plain-JS module whose class names its tokens (the decorators applied by hand) */
fs.writeFileSync(
  path.join(dir, 'probe.js'),
  `const api = require('flux-ts/kernel/api');
class Probe {
  constructor(h, attrs, log, args, config, name, regs) {
    log('info', 'constructed');
    globalThis.probe = { rank: h.rank, attr: attrs.get('hostname'), args, config, name, regs };
    this.handlers = [api.request('hello', () => ({ hi: name }))];
  }
}
// as TypeScript applies them: the parameters' @inject first, then @injectable
[api.IHandle, api.IAttributes, api.ILog, api.IModuleArgs, api.IConfig, api.IModuleName, api.IRegistries]
  .forEach((t, i) => api.inject(t)(Probe, undefined, i));
api.injectable()(Probe);
module.exports = api.defineModule({ name: 'probe', module: Probe });
`,
);
/** provides `things: NAME` while loaded */
fs.writeFileSync(
  path.join(dir, 'provider.js'),
  `const api = require('flux-ts/kernel/api');
module.exports = api.defineModule({ name: 'provider', create(scope) {
  const regs = scope.container.resolve(api.IRegistries);
  for (const a of scope.args) regs.provide(api.token('test.things'), a, { from: scope.name });
  return { handlers: [] };
} });
`,
);
/** init() fails when asked to */
fs.writeFileSync(
  path.join(dir, 'initfail.js'),
  `const api = require('flux-ts/kernel/api');
module.exports = api.defineModule({ name: 'initfail', create(scope) {
  return { handlers: [], init() { globalThis.order = ['init']; if (scope.args.includes('fail')) throw api.einval('cannot open the store'); },
    start() { globalThis.order.push('start'); } };
} });
`,
);

function broker(rank = 0): { host: ModuleHost; router: Router; logs: string[] } {
  const router = new Router(rank, `broker-${rank}`);
  const logs: string[] = [];
  const ctx: BrokerContext = {
    router,
    rank,
    size: 2,
    getattr: (n) => (n === 'hostname' ? `node${rank}` : undefined),
    log: (sev, app, text) => logs.push(`${app}.${sev}: ${text}`),
    publish: async () => undefined,
  };
  return { host: new ModuleHost(ctx, () => ({ probe: { x: 1 } })), router, logs };
}

test('a module class is resolved from its child container with the kernel tokens', async () => {
  const b = broker(1);
  await b.host.load(path.join(dir, 'probe.js'), ['a=1'], 'probe2');
  const p = seen.probe!;
  assert.is(p['rank'], 1);
  assert.is(p['attr'], 'node1', 'IAttributes reads the broker attributes');
  assert.equal(p['args'], ['a=1']);
  assert.equal(p['config'], { probe: { x: 1 } });
  assert.is(p['name'], 'probe2', 'IModuleName is the load name');
  assert.ok(b.logs.includes('probe2.6: constructed'), `ILog writes as the module: ${b.logs.join('|')}`);
  assert.ok(b.host.get('probe2')?.module?.handlers.length === 1);
  await b.host.removeAll();
});

test('a registry entry is seen by the broker\'s other modules, withdrawn at unload, and no other broker sees it', async () => {
  const a = broker(0);
  const other = broker(0);
  await a.host.load(path.join(dir, 'probe.js'), []);
  const regs = seen.probe!['regs'] as { of(t: symbol): { get(n: string): unknown; names(): string[] } };
  const things = Symbol.for('test.things');
  // the consumer was there first: the registry is made on first use by either side
  assert.equal(regs.of(things).names(), []);
  await a.host.load(path.join(dir, 'provider.js'), ['lifo', 'stamp']);
  assert.equal(regs.of(things).names(), ['lifo', 'stamp']);
  assert.equal(regs.of(things).get('lifo'), { from: 'provider' });
  assert.equal(other.host.registries.of(things).names(), [], 'another broker in the same process has its own');
  // a second provider of the same name wins, and the first answers again once it goes
  await a.host.load(path.join(dir, 'provider.js'), ['lifo'], 'p2');
  assert.equal(regs.of(things).get('lifo'), { from: 'p2' });
  await a.host.remove('p2');
  assert.equal(regs.of(things).get('lifo'), { from: 'provider' });
  await a.host.remove('provider');
  assert.equal(regs.of(things).names(), [], 'withdrawn with its module');
  await a.host.removeAll();
});

test('init() runs before start(); its failure fails the load and registers nothing', async () => {
  const b = broker(0);
  await b.host.load(path.join(dir, 'initfail.js'), []);
  assert.equal(seen.order, ['init', 'start']);
  await b.host.remove('initfail');
  try {
    await b.host.load(path.join(dir, 'initfail.js'), ['fail']);
    assert.unreachable('the load should fail');
  } catch (e) {
    assert.is((e as Error).message, 'load initfail: cannot open the store');
  }
  assert.equal(seen.order, ['init']);
  assert.is(b.host.get('initfail'), undefined);
  assert.is(b.router.serviceOwner('initfail'), undefined);
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test.run();
