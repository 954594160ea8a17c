/** kernel/config/reload.ts: where two configs differ, and the documents of `flux config load`. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstDiff, parseSources } from '../../../kernel/config/reload';

test('firstDiff names the first differing key, descending into tables that appear or go', () => {
  assert.is(firstDiff({ a: 1 }, { a: 1 }, ''), undefined);
  assert.is(firstDiff(undefined, undefined, 'tbon'), undefined);
  assert.is(firstDiff({ topo: 'kary:2' }, { topo: 'kary:3' }, 'tbon'), 'tbon.topo');
  assert.is(firstDiff(undefined, { noverify: true }, 'resource'), 'resource.noverify');
  assert.is(firstDiff({ config: [{ hosts: 'a' }] }, undefined, 'resource'), 'resource.config');
  assert.is(firstDiff(undefined, {}, 'resource'), undefined, 'an empty table is no change');
  assert.is(firstDiff({ a: { b: [1] } }, { a: { b: [2] } }, ''), 'a.b');
});

test('parseSources merges TOML and JSON in order, with file:line for the checks', () => {
  const { config, where } = parseSources([
    { name: 'a.toml', text: '[policy.limits]\nduration = "1m"\n' },
    { name: 'stdin', text: '{"policy": {"limits": {"duration": "2m"}}, "queues": {"x": {}}}' },
  ]);
  // (TOML tables have no prototype: compare as JSON)
  assert.is(JSON.stringify(config), JSON.stringify({ policy: { limits: { duration: '2m' } }, queues: { x: {} } }));
  assert.is(where.get('policy.limits.duration'), 'a.toml:2');
  assert.is(JSON.stringify(parseSources([{ name: 'd', text: '' }]).config), '{}');
  assert.throws(() => parseSources([{ name: 'stdin', text: '[a\n' }]), /Config file error: stdin:1: /);
  assert.throws(() => parseSources([{ name: 'x.json', text: '[1]' }]), /must be a table/);
  assert.throws(() => parseSources([]), /malformed request/);
  assert.throws(() => parseSources([{ name: 'big', text: 'x'.repeat((1 << 20) + 1) }]), /more than 1048576 bytes/);
});

test.run();
