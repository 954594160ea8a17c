/** The store's transactions (kvs.commit): rollback undoes every change since begin; copy checks the keys it makes. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Store } from '../../../modules/kvs/store';

function filled(): Store {
  const s = new Store();
  s.put('a.v', 1);
  s.append('a.log', [{ timestamp: 1, name: 'one' }]);
  s.link('a.ln', 'a.v');
  s.mkdir('a.empty');
  s.put('b', 'leaf');
  return s;
}

const snapshot = (s: Store) => ({ keys: s.keys(''), size: s.size, extras: s.extras(''), log: s.get('a.log'), closed: s.isClosed('a.log') });

test('rollback undoes puts, appends, closes, unlinks, mkdirs, links and copies', () => {
  const s = filled();
  const before = snapshot(s);
  s.begin();
  s.put('b.under', 2); // replaces the value b by a directory
  s.append('a.log', [{ timestamp: 2, name: 'two' }]);
  s.close('a.log');
  s.unlink('a.v', false);
  s.mkdir('a');
  s.link('c', 'b');
  s.copy('b', 'd.e');
  s.unlink('d', true);
  s.rollback();
  assert.equal(snapshot(s), before);
  assert.is(s.get('b'), 'leaf');
  // the log takes appends as before
  assert.equal(s.append('a.log', [{ timestamp: 3, name: 'three' }]).n, 2);
});

test('end keeps the changes; copy makes every kind and refuses a key too long', () => {
  const s = filled();
  s.begin();
  assert.equal(s.copy('a', 'z').sort(), ['z.ln', 'z.log', 'z.v']);
  s.end();
  assert.is(s.get('z.v'), 1);
  assert.is(s.readlink('z.ln'), 'a.v');
  assert.is(s.kind('z.empty'), 'dir');
  assert.match(String(s.get('z.log')), /"one"/);
  assert.equal([...s.records('z')].map((r) => r.slice(0, 2)), [['z.v', 0], ['z.log', 0], ['z.log', 1], ['z.ln', 0], ['z.empty', 0]]);
  s.put(`long.${'x'.repeat(1015)}`, 1);
  assert.throws(() => s.copy('long', 'longer-name'), /longer than 1024/);
  assert.throws(() => s.copy('a', 'a.inside'), /Invalid argument/);
});

test.run();
