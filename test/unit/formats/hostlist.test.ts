/** RFC 29 hostlist expand/compress against flux-core's computed examples. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hostlist } from '../../../lib/formats';

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

test.run();
