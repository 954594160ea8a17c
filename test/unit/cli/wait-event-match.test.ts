/** flux job wait-event -m KEY=VAL: which contexts match (compact JSON, or a string's text). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { contextMatcher } from '../../../cli/commands/job/wait-event-match';

test('no = is not a test', () => {
  assert.is(contextMatcher('status'), undefined);
});

test('numbers, strings, objects and missing keys', () => {
  const m = contextMatcher('status=0')!;
  assert.ok(m('finish', { status: 0 }));
  assert.not.ok(m('finish', { status: 256 }));
  assert.not.ok(m('finish', {}));
  assert.not.ok(m('finish', undefined));
  const s = contextMatcher('type=cancel')!;
  assert.ok(s('exception', { type: 'cancel' }), 'a string by its text');
  assert.ok(contextMatcher('type="cancel"')!('exception', { type: 'cancel' }), 'a string as JSON');
  assert.ok(contextMatcher('a={"b":[1,2]}')!('x', { a: { b: [1, 2] } }), 'compact JSON');
  assert.ok(contextMatcher('k=a=b')!('x', { k: 'a=b' }), 'the value is all after the first =');
  assert.ok(contextMatcher('k=')!('x', { k: '' }), 'an empty string');
});

test.run();
