/**
 * Packed directories (modules/kvs/pack.ts, store.ts hint/pack): the
 * serialization round trip, and a store whose cold directories are packed
 * reads, lists, copies, writes and removes exactly as one that is not.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Packer, deserialize, serialize } from '../../../modules/kvs/pack';
import { Store } from '../../../modules/kvs/store';
import type { Dir } from '../../../modules/kvs/tree';

/** a job's directory as the kvs holds one: values, open and closed eventlogs, a link, an empty directory */
function job(s: Store, dir: string, i: number): void {
  s.put(`${dir}.jobspec`, { tasks: [{ command: ['true'] }], attributes: { system: { cwd: '/tmp', job: i } } });
  s.put(`${dir}.J`, `signed-${i}-${'x'.repeat(200)}`);
  s.append(`${dir}.eventlog`, [{ timestamp: 1000 + i, name: 'submit', context: { userid: 0 } }]);
  s.append(`${dir}.eventlog`, [{ timestamp: 1001 + i, name: 'clean' }]);
  s.append(`${dir}.guest.exec.eventlog`, [{ timestamp: 1000.5 + i, name: 'done' }]);
  s.close(`${dir}.guest.exec.eventlog`);
  s.close(`${dir}.guest.empty-closed`);
  s.append(`${dir}.guest.output`, [{ timestamp: 1000.7, name: 'data', context: { stream: 'stdout', rank: '0', data: 'héllo ✓\n' } }]);
  s.link(`${dir}.alias`, `${dir}.jobspec`);
  s.mkdir(`${dir}.nothing`);
  s.put(`${dir}.deep.er.value`, [1, 'two', null]);
}

/** everything a reader sees of the store */
function view(s: Store): unknown {
  const keys = s.keys('');
  return {
    size: s.size,
    keys,
    extras: s.extras(''),
    values: keys.map((k) => (s.kind(k) === 'link' ? ['link', s.readlink(k)] : [s.kind(k), s.get(k), s.isClosed(k)])),
  };
}

/** a store with two jobs, the first hinted and made cold (two ticks) */
function twoJobs(): { s: Store; plain: Store } {
  const s = new Store();
  const plain = new Store();
  for (const st of [s, plain]) {
    job(st, 'job.a', 1);
    job(st, 'job.b', 2);
  }
  s.hint('job.a');
  s.tick();
  s.tick();
  assert.is(s.packCold(() => true), false);
  assert.is(s.packStats().packed, 1);
  return { s, plain };
}

test('serialize / deserialize: every kind of node, empty directories and non-ASCII text', () => {
  const s = new Store();
  job(s, 'j', 7);
  const root = (s as unknown as { root: Dir }).root;
  const d = root.get('j') as Dir;
  const { bytes, count } = serialize(d, () => {
    throw new Error('nothing packed here');
  });
  assert.is(count, s.size);
  assert.equal(deserialize(bytes), d);
  assert.throws(() => deserialize(bytes.subarray(0, bytes.length - 1)), /truncated/);
  assert.throws(() => deserialize(Buffer.concat([bytes, Buffer.from([0])])), /trailing/);
});

test('Packer: a round trip, and a later directory packs small against the dictionary', () => {
  const s = new Store();
  job(s, 'a', 1);
  job(s, 'b', 2);
  const root = (s as unknown as { root: Dir }).root;
  const p = new Packer();
  const a = p.pack(root.get('a') as Dir)!;
  const b = p.pack(root.get('b') as Dir)!;
  assert.equal(p.unpack(a), root.get('a'));
  assert.equal(p.unpack(b), root.get('b'));
  const raw = serialize(root.get('b') as Dir, () => new Map()).bytes.length;
  assert.ok(b.data.length * 4 < raw, `${b.data.length} bytes packed of ${raw}`);
});

test('a packed directory reads the same: get, entries, keys, dir extras, kind, readlink, has', () => {
  const { s, plain } = twoJobs();
  assert.equal(view(s), view(plain));
  assert.equal(s.entries('job.a.eventlog'), plain.entries('job.a.eventlog'));
  assert.is(s.isDir('job.a.nothing'), true);
  assert.is(s.kind('job.a'), 'dir');
  // a link in it is followed
  assert.equal(s.get('job.a.alias'), plain.get('job.a.alias'));
  assert.equal([...s.records('job.a')], [...plain.records('job.a')]);
  // reads do not unpack it in the tree
  assert.is(s.packStats().packed, 1);
});

test('a write in a packed directory unpacks it; it packs again once cold', () => {
  const { s, plain } = twoJobs();
  for (const st of [s, plain]) {
    st.put('job.a.memo', { note: 'x' });
    st.append('job.a.eventlog', [{ timestamp: 5000, name: 'memo' }]);
  }
  assert.is(s.packStats().packed, 0);
  assert.equal(view(s), view(plain));
  // closed stays closed
  assert.throws(() => s.append('job.a.guest.exec.eventlog', [{ timestamp: 1, name: 'x' }]), /closed/);
  // the appends count went along (the backing store numbers them)
  assert.is(s.append('job.a.eventlog', [{ timestamp: 5001, name: 'again' }]).n, plain.append('job.a.eventlog', [{ timestamp: 5001, name: 'again' }]).n);
  s.tick();
  assert.is(s.packCold(() => true), false);
  assert.is(s.packStats().packed, 0, 'written in the last tick: not cold yet');
  s.tick();
  s.tick();
  s.packCold(() => true);
  assert.is(s.packStats().packed, 1);
  assert.equal(view(s), view(plain));
});

test('unlink, mkdir, link and copy through packed directories; a rollback packs it back', () => {
  const { s, plain } = twoJobs();
  // a copy from a packed directory is a copy of what it holds
  for (const st of [s, plain]) st.copy('job.a', 'saved.a');
  assert.equal(view(s), view(plain));
  // a transaction that unpacks it and fails puts the packed one back
  s.begin();
  s.put('job.a.x', 1);
  s.rollback();
  assert.is(s.packStats().packed, 1);
  assert.equal(view(s), view(plain));
  for (const st of [s, plain]) {
    assert.is(st.unlink('job.a.guest.output', false), 1);
    st.mkdir('job.a.made');
    st.link('job.a.ln2', 'job.b.J');
  }
  assert.equal(view(s), view(plain));
  // a packed directory is removed whole (purge), without unpacking, and counted
  const t = twoJobs();
  assert.is(t.s.unlink('job.a', false), 0, 'not empty');
  assert.is(t.s.unlink('job.a', true), t.plain.unlink('job.a', true));
  assert.equal(view(t.s), view(t.plain));
  assert.is(t.s.packStats().unpacks, 0);
});

test('hints: a busy directory waits, a missing or empty one is dropped, a large one stays unpacked', () => {
  const s = new Store();
  s.mkdir('empty');
  s.hint('empty');
  s.hint('missing.dir');
  s.put('big.v', 'y'.repeat(100 * 1024));
  s.hint('big');
  job(s, 'busy', 1);
  s.hint('busy');
  s.tick();
  s.put('busy.late', 1);
  s.tick();
  s.packCold(() => true);
  assert.is(s.packStats().packed, 0);
  assert.is(s.hinted, 1, 'only the busy one waits');
  s.tick();
  s.tick();
  s.packCold(() => true);
  assert.is(s.packStats().packed, 1);
  assert.is(s.hinted, 0);
  assert.is(s.unlink('empty', false), 1);
  // more(): false stops it with work left
  job(s, 'c', 3);
  s.hint('c');
  s.tick();
  s.tick();
  assert.is(s.packCold(() => false), true);
});

test.run();
