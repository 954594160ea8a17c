/** The message tracer (lib/msg-trace.ts): filters, sizes, payloads with --full, and a failing trace that is stopped, never thrown. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MessageTracer, type TraceRecord } from '../../../lib/msg-trace';

const filter = { names: [] as string[], nodeid: -1, typemask: 0, topic_glob: '*', full: false };
const req = { type: 1, topic: 'kvs.get', payload: { key: 'a' }, errnum: 0 };

test('filters by module, peer, type and topic; size of the JSON payload; payload only with full', () => {
  const dropped: string[] = [];
  const t = new MessageTracer((k) => dropped.push(k));
  const got: Record<string, TraceRecord[]> = { all: [], kvs: [], resp: [], peer: [], glob: [] };
  t.add('all', { ...filter, full: true }, (r) => got['all']!.push(r));
  t.add('kvs', { ...filter, names: ['kvs'] }, (r) => got['kvs']!.push(r));
  t.add('resp', { ...filter, typemask: 2 }, (r) => got['resp']!.push(r));
  t.add('peer', { ...filter, nodeid: 3 }, (r) => got['peer']!.push(r));
  t.add('glob', { ...filter, topic_glob: 'job-*' }, (r) => got['glob']!.push(r));
  t.record('rx', 'kvs', req);
  t.record('tx', 'sched', { type: 2, topic: 'job-manager.x', errnum: 2, errstr: 'gone' }, 3);
  assert.equal(got['all']!.map((r) => [r.prefix, r.name, r.payload_size, r.payload, r.errstr]), [
    ['rx', 'kvs', 11, { key: 'a' }, ''],
    ['tx', 'sched', 0, null, 'gone'],
  ]);
  assert.equal([got['kvs']!.length, got['resp']!.length, got['peer']!.length, got['glob']!.length], [1, 1, 1, 1]);
  assert.is(got['kvs']![0]!.payload, null, 'no payload without full');
  assert.equal(dropped, []);
  assert.is(t.removeAll('a'), 1);
  assert.ok(t.active);
});

test('a trace whose send fails is stopped and reported; the message goes on', () => {
  const dropped: Array<[string, string]> = [];
  const t = new MessageTracer((k, why) => dropped.push([k, why]));
  const seen: string[] = [];
  t.add('bad', filter, () => {
    throw new Error('cannot encode');
  });
  t.add('good', filter, (r) => seen.push(r.topic));
  t.record('rx', 'kvs', req);
  t.record('rx', 'kvs', req);
  assert.equal(dropped, [['bad', 'cannot encode']]);
  assert.equal(seen, ['kvs.get', 'kvs.get']);
  // its own stream is never traced
  t.record('tx', 'broker', { type: 2, topic: 'module.trace', errnum: 0 });
  assert.is(seen.length, 2);
});

test.run();
