/** RFC 29 hostlist expand/compress against flux-core's computed examples. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hostlist } from '../../../lib/formats';
import { HostRanges } from '../../../lib/formats/hostlist-ranges';

test('expand', () => {
  assert.equal(hostlist.expand('foo[1-5]'), ['foo1', 'foo2', 'foo3', 'foo4', 'foo5']);
  assert.equal(hostlist.expand('foo[0-1]-eth2'), ['foo0-eth2', 'foo1-eth2']);
  assert.equal(hostlist.expand('[1-3,5-6]'), ['1', '2', '3', '5', '6']);
  assert.equal(hostlist.expand('foo1,foo1,foo1'), ['foo1', 'foo1', 'foo1']);
  assert.equal(hostlist.expand('[00-2]'), ['00', '01', '02']);
  assert.equal(hostlist.expand('p[00-1]p'), ['p00p', 'p01p']);
  assert.equal(hostlist.expand('foo[1,1,2]'), ['foo1', 'foo1', 'foo2']);
  assert.equal(hostlist.expand(',1,2,'), ['1', '2']);
  assert.equal(hostlist.expand(''), []);
  assert.throws(() => hostlist.expand('foo[3-1]'), /descending/);
  assert.throws(() => hostlist.expand('foo[1-3'), /mismatched/);
});

const cases: Array<[string, string]> = [
  ['test0,test1,test2,test3,test4,test5,test6,test7', 'test[0-7]'],
  ['foo3,foo1,foo2', 'foo[3,1-2]'],
  ['foo1,fooi,foo2,foo3', 'foo1,fooi,foo[2-3]'],
  ['fooi,foo1,foo2,foo3,foo5,foo7,foo8', 'fooi,foo[1-3,5,7-8]'],
  ['foo9,foo10', 'foo[9-10]'],
  ['foo01,foo2,foo3', 'foo[01,2-3]'],
  ['foo-1a-2,foo-1a-3', 'foo-1a-[2-3]'],
  ['foo1-bar,foo3-bar', 'foo1-bar,foo3-bar'],
  ['node1x,node2x,node3x', 'node1x,node2x,node3x'],
  ['test0,test0,test0', 'test[0,0,0]'],
  ['fluke,fluke', 'fluke,fluke'],
  ['vm,vm,vm', 'vm,vm,vm'],
  ['1,2,3,4,5,9', '[1-5,9]'],
];

test('compress as flux-core', () => {
  for (const [input, want] of cases) assert.is(hostlist.compress(input.split(',')), want, input);
});

test('compress/expand round trip', () => {
  for (const [input, want] of cases) assert.equal(hostlist.expand(want), input.split(','), want);
});

test('uniq sorted', () => {
  assert.is(hostlist.uniqSorted(hostlist.expand('foo[1-2],foo[2-3]')), 'foo[1-3]');
});

/** mulberry32, seeded: a failure names its seed */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('compressing the ranges gives what compressing every host does (random hostlists)', () => {
  const r = rng(20261205);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  for (let n = 0; n < 3000; n++) {
    const parts: string[] = [];
    for (let k = 1 + Math.floor(r() * 5); k > 0; k--) {
      const prefix = pick(['n', 'n', 'm', 'n1', '', 'x-']);
      const suffix = pick(['', '', '', '-ib']);
      const width = pick([1, 1, 2, 3]);
      const lo = Math.floor(r() * 120);
      const pad = (v: number) => String(v).padStart(width, '0');
      const range = r() < 0.3 ? pad(lo) : `${pad(lo)}-${pad(lo + Math.floor(r() * 30))}`;
      parts.push(r() < 0.2 ? `${prefix}${lo}${suffix}` : `${prefix}[${range}]${suffix}`);
    }
    const list = parts.join(',');
    assert.is(new HostRanges([list]).compress(), hostlist.compress(hostlist.expand(list)), list);
  }
  // a padded run that an unpadded range continues: the run ends where the width changes
  for (const list of ['n[08-09],n[10-100]', 'n[1-3],n[004-005],n[6-7]', 'n[9],n[10-11]', 'n1[0-2],n[13-14]']) {
    assert.is(new HostRanges([list]).compress(), hostlist.compress(hostlist.expand(list)), list);
  }
  assert.is(new HostRanges(['n[08-09],n[10-100]']).compress(), 'n[08-99,100]');
  // past the bound on expanded lists, in one step
  assert.is(new HostRanges(['n[1-2000000],n[2000001-3000000],n7']).compress(), 'n[1-3000000,7]');
});

test.run();
