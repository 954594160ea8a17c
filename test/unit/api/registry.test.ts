/**
 * Named registries (lib/registry.ts, ADR 0018): the last provider of a name
 * wins, a built-in answers only while nobody else provides its name, a
 * withdrawn entry lets the one before answer again, and a module's view
 * stamps what it provides so that the host can withdraw it all at unload.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ModuleRegistries, Registries, Registry } from '../../../lib/registry';

test('the last provider wins; withdrawing it brings back the one before', () => {
  const r = new Registry<string>();
  const a = r.provide('lifo', 'a');
  r.provide('lifo', 'b');
  assert.is(r.get('lifo'), 'b');
  r.withdraw(undefined);
  assert.is(r.get('lifo'), undefined, 'withdraw(owner) drops every entry of that owner');
  r.provide('lifo', 'c');
  const d = r.provide('lifo', 'd');
  d();
  assert.is(r.get('lifo'), 'c');
  a();
  assert.equal(r.names(), ['lifo']);
});

test('a built-in answers only while nobody else provides its name', () => {
  const r = new Registry<string>();
  r.provide('fcfs', 'site', { owner: 'm' });
  r.provide('fcfs', 'builtin', { fallback: true });
  r.provide('backfill', 'builtin-bf', { fallback: true });
  assert.is(r.get('fcfs'), 'site', 'a built-in provided later stays below');
  assert.ok(r.hasFallback('fcfs'));
  assert.equal(r.active().map((e) => e.value), ['builtin-bf', 'site']);
  r.provide('backfill', 'site-bf', { owner: 'm' });
  r.provide('extra', 'site-extra', { owner: 'm' });
  r.provide('fcfs', 'site-2', { owner: 'n' });
  assert.equal(r.active().map((e) => e.value), ['site-bf', 'site-extra', 'site-2'], 'the others in the order their answering entries came');
  r.withdraw('n');
  r.withdraw('m');
  r.provide('fcfs', 'site', { owner: 'm' });
  r.withdraw('m');
  assert.is(r.get('fcfs'), 'builtin');
  assert.equal(r.names(), ['backfill', 'fcfs']);
  assert.throws(() => r.provide('', 'x'), /non-empty/);
});

test('a module view provides under its owner; the broker withdraws by owner across registries', () => {
  const all = new Registries();
  const T1 = Symbol.for('test.one');
  const T2 = Symbol.for('test.two');
  const mine = new ModuleRegistries(all, 'mod-a');
  const theirs = new ModuleRegistries(all, 'mod-b');
  mine.provide(T1, 'x', 1);
  mine.provide(T2, 'y', 2);
  theirs.provide(T1, 'z', 3);
  assert.is(theirs.of<number>(T1).get('x'), 1, 'one registry per token, shared');
  all.withdraw('mod-a');
  assert.equal(all.of(T1).names(), ['z']);
  assert.equal(all.of(T2).names(), []);
});

test.run();
