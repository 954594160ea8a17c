/** [resource] reserve: cores[@ranks] words, what each rank keeps back, and R for the scheduler. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseReserve, reservedOn, reserveUnknownRanks, withoutReserved } from '../../../lib/resource/reserve';
import { thrownMessage } from '../../helpers/errors';

const node = (rank: number, cores: number[]) => ({ rank, hostname: `n${rank}`, cores, gpus: [] });

test('words for every rank and for some add up', () => {
  const w = parseReserve(' 0-1@0   0 3@1-2 ');
  assert.equal([...reservedOn(w, 0)].sort(), [0, 1]);
  assert.equal([...reservedOn(w, 1)].sort(), [0, 3]);
  assert.equal([...reservedOn(w, 5)], [0]);
  assert.equal(reserveUnknownRanks(w, [0, 1]), [2]);
  assert.equal(parseReserve(''), []);
});

test('the scheduler gets the other cores; a rank left with none is left out', () => {
  const w = parseReserve('0-1@1 0');
  assert.equal(withoutReserved([node(0, [0, 1, 2]), node(1, [0, 1])], w), [node(0, [1, 2])]);
  // a core a rank does not have is nothing to take
  assert.equal(withoutReserved([node(0, [4, 5])], parseReserve('0')), [node(0, [4, 5])]);
});

test('a word that is not cores[@ranks] is one line naming it', () => {
  assert.is(thrownMessage(() => parseReserve('0 a')), '"a": cores "a" is not an idset (the form is cores[@ranks], e.g. "0" or "0-1@0 0")');
  assert.is(thrownMessage(() => parseReserve('0@')), '"0@": ranks "" is not an idset (the form is cores[@ranks], e.g. "0" or "0-1@0 0")');
  assert.is(thrownMessage(() => parseReserve('1@x')), '"1@x": ranks "x" is not an idset (the form is cores[@ranks], e.g. "0" or "0-1@0 0")');
});

test.run();
