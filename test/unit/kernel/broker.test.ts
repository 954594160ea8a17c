/**
 * compressHostlist (kernel/broker.ts): the `hostlist` attribute, written as
 * Flux prints an RFC 29 hostlist: runs of one prefix with consecutive numbers
 * become ranges, zero padding is kept, order is kept.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compressHostlist } from '../../../kernel/broker';

test('empty and single hosts', () => {
  assert.is(compressHostlist([]), '');
  assert.is(compressHostlist(['node1']), 'node1');
  assert.is(compressHostlist(['login']), 'login');
});

test('a consecutive run becomes one range', () => {
  assert.is(compressHostlist(['node0', 'node1', 'node2', 'node3']), 'node[0-3]');
});

test('gaps make several ranges in one bracket', () => {
  assert.is(compressHostlist(['node1', 'node2', 'node3', 'node7', 'node9', 'node10']), 'node[1-3,7,9-10]');
});

test('zero padding is kept', () => {
  assert.is(compressHostlist(['n01', 'n02', 'n03', 'n05']), 'n[01-03,05]');
});

test('identical hosts (several brokers per node) are not merged into a range', () => {
  assert.is(compressHostlist(['vm', 'vm', 'vm']), 'vm,vm,vm');
});

test('different prefixes and plain names keep rank order', () => {
  assert.is(compressHostlist(['a1', 'a2', 'b1', 'b2', 'head']), 'a[1-2],b[1-2],head');
  assert.is(compressHostlist(['head', 'a1', 'a2']), 'head,a[1-2]');
});

test('numbers going down start a new group', () => {
  assert.is(compressHostlist(['n3', 'n2', 'n1']), 'n3,n2,n1');
});

test.run();
