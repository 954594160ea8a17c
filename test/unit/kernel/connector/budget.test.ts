/**
 * The local connector's shared in-flight budget (kernel/connector/budget.ts):
 * large frames are admitted while there is room (one larger than the budget
 * when nothing at all is held), waiters in arrival order as room is made by a finished frame,
 * a cancelled waiter or replies taken by their clients.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InflightBudget } from '../../../../kernel/connector/budget';

function waiter(log: string[], name: string) {
  return { grant: () => log.push(name) };
}

test('frames are admitted while there is room, then wait their turn', () => {
  const b = new InflightBudget(100);
  assert.ok(b.tryReserve(60));
  assert.ok(b.tryReserve(40));
  assert.not.ok(b.tryReserve(1));
  const log: string[] = [];
  b.wait(waiter(log, 'a'), 50);
  b.wait(waiter(log, 'b'), 10);
  assert.not.ok(b.tryReserve(1), 'no one jumps the queue');
  b.release(40);
  assert.equal(log, [], 'a needs 50: 40 free is not enough, and b waits behind a');
  b.release(60);
  assert.equal(log, ['a', 'b']);
  assert.is(b.reserved, 60);
});

test('a frame larger than the budget goes through alone, when nothing is held', () => {
  const b = new InflightBudget(100);
  assert.ok(b.tryReserve(500));
  assert.not.ok(b.tryReserve(500));
  b.release(500);
  b.addOut(1);
  assert.not.ok(b.tryReserve(500), 'not while a reply is unread');
  b.subOut(1);
  assert.ok(b.tryReserve(500));
});

test('unread replies take room from large frames; reading them makes it', () => {
  const b = new InflightBudget(100);
  b.addOut(90);
  assert.not.ok(b.tryReserve(50));
  assert.ok(b.tryReserve(10));
  const log: string[] = [];
  b.wait(waiter(log, 'w'), 20);
  b.release(10);
  assert.equal(log, [], 'still 90 unread');
  b.subOut(80);
  assert.equal(log, ['w']);
  assert.is(b.total, 30);
});

test('a cancelled waiter makes way for the next', () => {
  const b = new InflightBudget(10);
  assert.ok(b.tryReserve(10));
  const log: string[] = [];
  const big = waiter(log, 'big');
  b.wait(big, 10);
  b.wait(waiter(log, 'small'), 1);
  assert.ok(b.hasWaiters);
  b.cancel(big);
  assert.equal(log, []);
  b.release(10);
  assert.equal(log, ['small']);
  assert.not.ok(b.hasWaiters);
});

test.run();
