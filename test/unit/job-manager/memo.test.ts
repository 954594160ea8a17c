/** A memo merges into annotations.user (null removes); the scheduler's annotations at alloc keep the memos. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withMemo, withSchedAnnotations, withoutMemos } from '../../../modules/job-manager/memo';

test('memos merge under user, null removes, an empty user goes', () => {
  let a = withMemo(undefined, { uri: 'ssh://h/p', x: 1 });
  assert.equal(a, { user: { uri: 'ssh://h/p', x: 1 } });
  a = withMemo({ sched: { resource_summary: 'rank0/core0' }, ...a }, { x: null });
  assert.equal(a, { sched: { resource_summary: 'rank0/core0' }, user: { uri: 'ssh://h/p' } });
  assert.equal(withMemo({ user: { x: 1 } }, { x: null }), undefined);
});

test("the scheduler's annotations replace the old ones but keep the user's", () => {
  assert.equal(withSchedAnnotations({ sched: { reason_pending: 'x' }, user: { a: 1 } }, { sched: { resource_summary: 'r' } }), { sched: { resource_summary: 'r' }, user: { a: 1 } });
  assert.equal(withSchedAnnotations(undefined, { sched: {} }), { sched: {} });
});

test('the alloc event carries the annotations without the memos', () => {
  const sched = { sched: { resource_summary: 'r' } };
  assert.is(withoutMemos(sched), sched);
  assert.equal(withoutMemos({ ...sched, user: { a: 1 } }), sched);
  assert.is(withoutMemos({ user: { a: 1 } }), undefined);
});

test.run();
