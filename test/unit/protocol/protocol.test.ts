/**
 * Service protocols (ADR 0014): every protocol file compiles, the generated
 * lib/protocol/<name>.ts files are what the protocol files give, the request
 * check names the offending field in one line, and the JSON-to-Avro mapping
 * (optional fields, unions with null, maps, free-form JSON) accepts what
 * Flux's payloads are and refuses the rest.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkRequest, compileProtocol, why, type ProtocolDoc } from '../../../lib/protocol/avro';
import { brokerProtocol } from '../../../lib/protocol/broker';
import { kvsProtocol } from '../../../lib/protocol/kvs';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

function protocolFiles(): string[] {
  const mods = fs.readdirSync(path.join(ROOT, 'modules')).map((d) => path.join(ROOT, 'modules', d, 'protocol.avsc'));
  return [path.join(ROOT, 'kernel', 'protocol.avsc'), path.join(ROOT, 'overlay', 'protocol.avsc'), ...mods].filter((f) => fs.existsSync(f));
}

test('every protocol file compiles, and its generated types are current', () => {
  const files = protocolFiles();
  assert.ok(files.length >= 3, `protocol files: ${files.join(' ')}`);
  for (const f of files) {
    const doc = JSON.parse(fs.readFileSync(f, 'utf8')) as ProtocolDoc;
    const p = compileProtocol(doc);
    assert.ok(p.methods.size > 0, f);
  }
  // exits 1 naming the stale file when lib/protocol/<name>.ts differs from what its protocol file gives
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'gen-protocol-types.js'), '--check'], { stdio: 'pipe' });
});

test('compiled lazily (the modules of the tree), each method and the events compile alone, in any order', () => {
  for (const f of protocolFiles()) {
    const text = fs.readFileSync(f, 'utf8');
    const names = Object.keys((JSON.parse(text) as ProtocolDoc).messages);
    for (const name of names) {
      // a fresh document each time: nothing compiled before this method
      const m = compileProtocol(JSON.parse(text) as ProtocolDoc, { lazy: true }).methods.get(name)!;
      assert.ok(m.request.isValid !== undefined && m.response.isValid !== undefined, `${f}: ${name}`);
    }
    assert.ok(compileProtocol(JSON.parse(text) as ProtocolDoc, { lazy: true }).events instanceof Map, f);
    // each event alone too (a broker compiles only those it sees), and again from the whole map
    const topics = Object.keys((JSON.parse(text) as ProtocolDoc).events ?? {});
    for (const topic of topics) {
      const p = compileProtocol(JSON.parse(text) as ProtocolDoc, { lazy: true });
      assert.equal(p.eventTopics, topics);
      const t = p.event(topic)!;
      assert.ok(t.isValid !== undefined, `${f}: event ${topic}`);
      assert.is(p.events.get(topic), t, `${f}: event ${topic} compiled once`);
    }
    assert.is(compileProtocol(JSON.parse(text) as ProtocolDoc, { lazy: true }).event('no.such.event'), undefined);
  }
  // a bad schema: lazily, only the document's shape is checked now; the method's first use throws naming it
  const bad = compileProtocol({ protocol: 'x', messages: { get: { request: [{ name: 'k', type: 'strin' }], response: 'null' } } }, { lazy: true });
  assert.throws(() => bad.methods.get('get')!.request, /x\.get: /);
});

test('a malformed request is one line naming the field', () => {
  const kvs = compileProtocol(kvsProtocol);
  const broker = compileProtocol(brokerProtocol);
  const get = kvs.methods.get('get')!;
  const cases: Array<[ReturnType<typeof checkRequest>, string]> = [
    [checkRequest(get, { key: 5 }), 'key: expected string, got 5'],
    [checkRequest(get, {}), 'key: expected string, got nothing'],
    [checkRequest(get, undefined), 'key: expected string, got nothing'],
    [checkRequest(get, 5), 'payload: expected object, got 5'],
    [checkRequest(get, [1]), 'key: expected string, got nothing'],
    [checkRequest(kvs.methods.get('put')!, { key: 'a' }), 'value: expected JSON value, got nothing'],
    [checkRequest(kvs.methods.get('unlink')!, { key: 'a', recursive: 'yes' }), 'recursive: expected null or boolean, got "yes"'],
    [checkRequest(kvs.methods.get('eventlog-append')!, { key: 'a', entries: [3] }), 'entries.0: expected object, got 3'],
    [checkRequest(broker.methods.get('log.append')!, { entries: [{ text: 'x' }, { text: 3 }] }), 'entries.1.text: expected string, got 3'],
    [checkRequest(broker.methods.get('module.load')!, { path: 'x', args: ['a', 2] }), 'args.1: expected string, got 2'],
    [checkRequest(broker.methods.get('attr.set')!, { name: 'a', value: 'x'.repeat(100) , force: 1 }), 'force: expected null or boolean, got 1'],
  ];
  for (const [got, want] of cases) {
    assert.is(got.ok, false, want);
    if (!got.ok) assert.is(got.why, want);
  }
});

test('lenient: fields the schema does not name are ignored; optional fields may be absent or null', () => {
  const kvs = compileProtocol(kvsProtocol);
  const watch = kvs.methods.get('watch')!;
  for (const p of [{ key: 'a' }, { key: 'a', tag: null, values: true }, { key: 'a', extra: { any: 1 } }]) {
    const c = checkRequest(watch, p);
    assert.ok(c.ok, JSON.stringify(p));
    if (c.ok) assert.is(c.value, p, 'the handler gets the payload itself');
  }
  // free-form JSON: any value, and a long integer is a number
  const put = kvs.methods.get('put')!;
  for (const value of [null, 0, 'x', [1, [2]], { a: { b: null } }, 2 ** 60]) assert.ok(checkRequest(put, { key: 'k', value }).ok, JSON.stringify(value));
  // an absent payload is {}: valid when every field is optional
  assert.ok(checkRequest(kvs.methods.get('stats-get')!, undefined).ok);
});

test('responses: the schema says what an answer is (maps, enums, null unions)', () => {
  const kvs = compileProtocol(kvsProtocol);
  const dir = kvs.methods.get('dir')!.response;
  assert.is(why(dir, { keys: ['a'] }), undefined);
  assert.is(why(dir, { keys: ['a'], links: { l: 'a' }, dirs: [], kind: 'dir' }), undefined);
  assert.is(why(dir, { keys: ['a'], kind: 'file' }), 'kind: expected one of dir, link, log, value, got "file"');
  assert.is(why(dir, { keys: 'a' }), 'keys: expected array, got "a"');
});

test('a protocol that is not Avro is refused naming the method', () => {
  assert.throws(
    () => compileProtocol({ protocol: 'x', messages: { get: { request: [{ name: 'k', type: 'strin' }], response: 'null' } } }),
    /x\.get: .*strin/,
  );
  assert.throws(() => compileProtocol({ protocol: 'x' } as unknown as ProtocolDoc), /needs "protocol"/);
});

test.run();
