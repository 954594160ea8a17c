/** RFC 46 job shapes: the RFC's use cases, as RFC 14 resources lists, and the errors that say where. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseShape } from '../../../lib/formats/shape';
import { thrownMessage } from '../../helpers/errors';

test("the RFC's node-level use cases", () => {
  assert.equal(parseShape('slot=4/node'), [{ type: 'slot', count: 4, label: 'task', with: [{ type: 'node', count: 1 }] }]);
  assert.equal(parseShape('slot=3-30/node'), [{ type: 'slot', count: '3-30', label: 'task', with: [{ type: 'node', count: 1 }] }]);
  assert.equal(parseShape('slot=4{nodelevel}/node{-x}/socket=2+/core=4+'), [
    { type: 'slot', count: 4, label: 'nodelevel', with: [{ type: 'node', count: 1, exclusive: false, with: [{ type: 'socket', count: '2+', with: [{ type: 'core', count: '4+' }] }] }] },
  ]);
  assert.equal(parseShape('[cluster/slot=2{ib}/node/[memory=4{unit:GB};ib10g];switch/slot=2{bicore}/node/core=2]'), [
    {
      type: 'cluster',
      count: 1,
      with: [{ type: 'slot', count: 2, label: 'ib', with: [{ type: 'node', count: 1, with: [{ type: 'memory', count: 4, unit: 'GB' }, { type: 'ib10g', count: 1 }] }] }],
    },
    { type: 'switch', count: 1, with: [{ type: 'slot', count: 2, label: 'bicore', with: [{ type: 'node', count: 1, with: [{ type: 'core', count: 2 }] }] }] },
  ]);
  assert.equal(parseShape('slot=4,9,16,25/node')[0]!.count, '4,9,16,25');
});

test("the RFC's general use cases, and flux-ts's own shapes", () => {
  assert.equal(parseShape('slot=10/core=2'), [{ type: 'slot', count: 10, label: 'task', with: [{ type: 'core', count: 2 }] }]);
  assert.equal(parseShape('node/[slot=10{read-db}/[core;memory=4{unit:GB}];slot{db}/[core=6;memory=24{unit:GB}]]'), [
    {
      type: 'node',
      count: 1,
      with: [
        { type: 'slot', count: 10, label: 'read-db', with: [{ type: 'core', count: 1 }, { type: 'memory', count: 4, unit: 'GB' }] },
        { type: 'slot', count: 1, label: 'db', with: [{ type: 'core', count: 6 }, { type: 'memory', count: 24, unit: 'GB' }] },
      ],
    },
  ]);
  // exclusive as x, +x and exclusive:true; a table value; JSON values
  assert.equal(parseShape('node=2{x}/slot=2/[core=4;gpu]'), [
    { type: 'node', count: 2, exclusive: true, with: [{ type: 'slot', count: 2, label: 'task', with: [{ type: 'core', count: 4 }, { type: 'gpu', count: 1 }] }] },
  ]);
  assert.equal(parseShape('node{+x,a:{b:1,c:"two words"},d:[1,2],e:null,f:1.5}')[0], { type: 'node', count: 1, exclusive: true, a: { b: 1, c: 'two words' }, d: [1, 2], e: null, f: 1.5 });
  assert.equal(parseShape(' slot = [4] / core ')[0]!.count, 4);
});

test('what is not a shape is one line saying where', () => {
  assert.is(thrownMessage(() => parseShape('')), 'empty shape');
  assert.is(thrownMessage(() => parseShape('slot=4')), "a slot must have resources below it (slot/...) at position 6 of 'slot=4'");
  assert.is(thrownMessage(() => parseShape('[slot/core;slot/gpu]')), "several slots each need a label (slot{NAME}) at position 19 of '[slot/core;slot/gpu]'");
  assert.is(thrownMessage(() => parseShape('slot=0/core')), "'0' is not a count (a positive integer, an idset such as 4,9,16, or a range such as 3-30 or 2+) at position 6 of 'slot=0/core'");
  assert.is(thrownMessage(() => parseShape('[node;core')), "expected ']' before the end at position 10 of '[node;core'");
  assert.is(thrownMessage(() => parseShape('node{a:1')), "expected '}' before the end at position 8 of 'node{a:1'");
  assert.is(thrownMessage(() => parseShape('node]')), "unexpected ']' at position 4 of 'node]'");
  assert.is(thrownMessage(() => parseShape('node{"a}')), "unclosed quote \" at position 5 of 'node{\"a}'");
  assert.match(thrownMessage(() => parseShape('a/'.repeat(100) + 'core')), /^nested deeper than 64 levels at position \d+/);
});

test.run();
