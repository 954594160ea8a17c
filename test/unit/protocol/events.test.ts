/**
 * Event contracts (ADR 0019): a declared event reaches a module's subscribers
 * only when its payload fits the schema its publisher's protocol file gives; a
 * malformed one is dropped with one log line naming the topic and the field
 * (however many subscribers the broker has), never reaches a handler and never
 * throws. Every declared event has a publish site in the tree, and every
 * publish site in the tree names a declared event. Publishing the wrong shape
 * is a type error (the @ts-expect-error lines fail the build if it is not).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { event as makeEvent, type Message } from '../../../kernel/message/message';
import { Router } from '../../../kernel/router/router';
import { LocalHandle, type BrokerContext } from '../../../kernel/router/local-handle';
import { event, type Handle } from '../../../kernel/api';
import { checkEvent, declareEvents, isDeclaredEvent } from '../../../lib/protocol/event-check';
import { compileProtocol, type ProtocolDoc } from '../../../lib/protocol/avro';
import { eventProtocols } from '../../../lib/protocol/events';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const R = { version: 1, execution: { R_lite: [{ rank: '0', children: { core: '0' } }], starttime: 0, expiration: 0, nodelist: ['h'] } };

function broker(): { router: Router; handles: LocalHandle[]; logs: string[] } {
  const router = new Router(0, 'broker-0');
  const logs: string[] = [];
  const ctx: BrokerContext = { router, rank: 0, size: 1, getattr: () => undefined, log: (sev, app, text) => logs.push(`${sev} ${app}: ${text}`), publish: async () => undefined };
  const handles = ['sched', 'other'].map((n) => new LocalHandle(ctx, n));
  for (const h of handles) router.addEndpoint(h);
  return { router, handles, logs };
}

test('checkEvent names the offending field of a declared event; undeclared topics pass untouched', () => {
  assert.equal(checkEvent('resource.update', { R, down: '' }), { ok: true });
  assert.equal(checkEvent('resource.update', { R, down: 5 }), { ok: false, why: 'down: expected string, got 5' });
  assert.equal(checkEvent('resource.update', undefined), { ok: false, why: 'R: expected object, got nothing' });
  assert.equal(checkEvent('job-purge-inactive', { jobs: [1, 'x'] }), { ok: false, why: 'jobs.1: expected job id, got "x"' });
  assert.equal(checkEvent('overlay.online', { members: '0-3', extra: true }), { ok: true }, 'fields the schema does not name are ignored');
  assert.equal(checkEvent('site.anything', 42), { ok: true });
  assert.ok(isDeclaredEvent('job-exception'));
  assert.not.ok(isDeclaredEvent('site.anything'));
});

test('a malformed event is dropped before any subscriber, with one log line naming topic and field', () => {
  const { router, handles, logs } = broker();
  const got: unknown[] = [];
  const [sched, other] = handles as [LocalHandle, LocalHandle];
  sched.subscribe('resource.update', (_m, ev) => got.push(['sched', ev.down]));
  other.subscribe('resource.', (m, ev) => got.push(['other', m.topic, ev]));
  assert.not.throws(() => router.dispatchEvent(makeEvent('resource.update', { R, down: 5 }, 1)));
  assert.equal(got, []);
  assert.equal(logs, ['3 sched: resource.update: malformed event dropped: down: expected string, got 5']);
  router.dispatchEvent(makeEvent('resource.update', { R, down: '2' }, 2));
  assert.equal(got, [
    ['sched', '2'],
    ['other', 'resource.update', { R, down: '2' }],
  ]);
  // an undeclared topic under the same prefix is not checked
  router.dispatchEvent(makeEvent('resource.site-note', 'free text', 3));
  assert.equal(got[2], ['other', 'resource.site-note', 'free text']);
  assert.is(logs.length, 1);
});

test('a module handler entry (event()) receives the checked payload, typed; a malformed one never reaches it', () => {
  const { router, handles, logs } = broker();
  const ids: number[] = [];
  const entry = event('job-exception', (_m: Message, ev) => {
    const id: number = ev.id;
    const severity: number = ev.severity;
    if (severity === 0) ids.push(id);
  });
  handles[0]!.subscribe(entry.topic, entry.fn);
  router.dispatchEvent(makeEvent('job-exception', { id: 7, type: 'cancel', severity: '0' }, 1));
  router.dispatchEvent(makeEvent('job-exception', { id: 8, type: 'cancel', severity: 0 }, 2));
  assert.equal(ids, [8]);
  assert.equal(logs, ['3 sched: job-exception: malformed event dropped: severity: expected integer, got "0"']);
});

function siteProtocol(name: string, topic: string, type: string): ProtocolDoc {
  return { protocol: name, messages: {}, events: { [topic]: { payload: [{ name: 'who', type }] } } };
}

test('a site protocol declares its events while its module is loaded; a clash with another declaration fails', () => {
  const greeter = compileProtocol(siteProtocol('greeter', 'greeter.greeted', 'string'));
  assert.equal(checkEvent('greeter.greeted', { who: 1 }), { ok: true }, 'undeclared before the load');
  const withdraw = declareEvents(greeter);
  assert.equal(checkEvent('greeter.greeted', { who: 1 }), { ok: false, why: 'who: expected string, got 1' });
  // another broker of this process loads it too; a reload of the same protocol may change the schema
  const again = declareEvents(compileProtocol(siteProtocol('greeter', 'greeter.greeted', 'int')));
  assert.throws(() => declareEvents(compileProtocol(siteProtocol('other', 'greeter.greeted', 'long'))), /event greeter.greeted is declared by protocol greeter too/);
  assert.throws(() => declareEvents(compileProtocol(siteProtocol('other', 'resource.update', 'string'))), /event resource.update is declared by the tree/);
  withdraw();
  withdraw();
  assert.ok(isDeclaredEvent('greeter.greeted'), 'still loaded once');
  again();
  assert.not.ok(isDeclaredEvent('greeter.greeted'), 'withdrawn with its last load');
  assert.equal(checkEvent('greeter.greeted', { who: 1 }), { ok: true });
});

/** never called: the lines under @ts-expect-error must not type-check, or the build fails */
export function publishTypes(h: Handle): void {
  // @ts-expect-error down is an idset string
  void h.publish('resource.update', { R, down: 5 });
  // @ts-expect-error a declared event needs its payload
  void h.publish('job-purge-inactive');
  // @ts-expect-error sender is required
  void h.publish('rexec.client-gone', {});
  void h.publish('resource.update', { R, down: '0-1' });
  void h.publish('site.anything', 5);
  void h.publish('site.nothing');
  h.subscribe('overlay.online', (_m, ev) => {
    // @ts-expect-error members is a string
    const n: number = ev.members;
    void n;
  });
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

test('every declared event is published in the tree, and every publish site names a declared event', () => {
  const published = new Map<string, string>();
  for (const dir of ['kernel', 'modules', 'plugins', 'overlay', 'cli']) {
    for (const f of sources(path.join(ROOT, dir))) {
      const text = fs.readFileSync(f, 'utf8');
      // publish, publishPrivate and a module's wrapper of them (publishJobEvent) are publish sites
      for (const m of text.matchAll(/\.publish\w*\(\s*'([^']+)'/g)) published.set(m[1]!, path.relative(ROOT, f));
    }
  }
  const declared = eventProtocols.flatMap((d) => Object.keys(d.events ?? {}));
  assert.ok(declared.length >= 6, declared.join(' '));
  for (const t of declared) assert.ok(published.has(t), `${t} is declared but published nowhere`);
  for (const [t, f] of published) assert.ok(declared.includes(t), `${f} publishes ${t}, which no protocol file declares`);
});

test.run();
