/** RFC 31 constraints: the --requires syntax, checking, and matching a node. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkConstraint, constraintHosts, matchConstraint, parseRequires, parseRequiresAll } from '../../../lib/formats/constraint';

test('parseRequires: terms, operators, negation, precedence', () => {
  assert.equal(parseRequires('gpu'), { properties: ['gpu'] });
  assert.equal(parseRequires('a,b'), { properties: ['a', 'b'] });
  assert.equal(parseRequires('host:n[0-3]'), { hostlist: ['n[0-3]'] });
  assert.equal(parseRequires('rank:0-3'), { ranks: ['0-3'] });
  assert.equal(parseRequires('-slow'), { not: [{ properties: ['slow'] }] });
  assert.equal(parseRequires('not slow'), { not: [{ properties: ['slow'] }] });
  assert.equal(parseRequires('a b'), { and: [{ properties: ['a'] }, { properties: ['b'] }] });
  assert.equal(parseRequires('a or b && c'), { or: [{ properties: ['a'] }, { and: [{ properties: ['b'] }, { properties: ['c'] }] }] });
  assert.equal(parseRequires('(a | b) & c'), { and: [{ or: [{ properties: ['a'] }, { properties: ['b'] }] }, { properties: ['c'] }] });
  assert.equal(parseRequiresAll(['a', 'rank:1']), { and: [{ properties: ['a'] }, { ranks: ['1'] }] });
});

test('parseRequires: errors name the token and its position', () => {
  const err = (s: string) => {
    try {
      parseRequires(s);
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  assert.is(err('&&'), "Invalid token '&&' at position 0");
  assert.is(err('a or'), 'Unexpected end of input');
  assert.is(err('(a'), 'Unexpected end of input');
  assert.is(err('a )'), "Invalid token ')' at position 2");
  assert.is(err('x:1'), "unknown constraint operator 'x' at position 0");
  assert.is(err('host:n[0-'), "hostlist operator: invalid hostlist 'n[0-'");
  assert.is(err(''), 'empty constraint');
});

test('checkConstraint refuses what RFC 31 does not define', () => {
  assert.is(checkConstraint({}), undefined);
  assert.is(checkConstraint({ properties: 'a' }), 'properties operator requires an array of strings');
  assert.is(checkConstraint({ nope: [] }), 'unknown constraint operator: nope');
  assert.is(checkConstraint({ and: [{ or: [{ ranks: ['x'] }] }] }), "ranks operator: invalid idset 'x'");
  let deep: unknown = {};
  for (let i = 0; i < 100; i++) deep = { not: [deep] };
  assert.is(checkConstraint(deep), 'constraint nested too deeply');
});

test('matchConstraint', () => {
  const n = { rank: 3, hostname: 'n3', properties: ['gpu', 'fast'] };
  assert.ok(matchConstraint({}, n));
  assert.ok(matchConstraint({ properties: ['gpu', '^slow'] }, n));
  assert.not.ok(matchConstraint({ properties: ['^fast'] }, n));
  assert.ok(matchConstraint({ hostlist: ['n[0-1]', 'n3'] }, n));
  assert.not.ok(matchConstraint({ ranks: ['0-2'] }, n));
  assert.ok(matchConstraint({ or: [{ ranks: ['0-2'] }, { properties: ['gpu'] }] }, n));
  assert.not.ok(matchConstraint({ not: [{ properties: ['gpu'] }] }, n));
  assert.not.ok(matchConstraint({ properties: ['gpu'], ranks: ['0'] }, n), 'keys of one object are and-ed');
  assert.equal(constraintHosts({ or: [{ hostlist: ['a[1-2]'] }, { not: [{ hostlist: ['b'] }] }] }), ['a1', 'a2', 'b']);
});

test.run();
