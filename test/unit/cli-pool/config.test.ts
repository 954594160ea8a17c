/** The pool's size from `[cli-pool]` and the `size=N` module argument, and the errors that name what was wrong. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_SIZE, poolSize } from '../../../modules/cli-pool/config';
import { thrownMessage } from '../../helpers/errors';

const none = new Map<string, string>();

const error = thrownMessage;

test('default, config key, and the argument overriding the key', () => {
  assert.is(poolSize({}, none), DEFAULT_SIZE);
  assert.is(poolSize({ 'cli-pool': { size: 0 } }, none), 0);
  assert.is(poolSize({ 'cli-pool': { size: 5 } }, new Map([['size', '3']])), 3);
});

test('bad values are named with what was given', () => {
  assert.is(error(() => poolSize({ 'cli-pool': { size: 'many' } }, none)), 'cli-pool.size: must be an integer from 0 to 64, got "many"');
  assert.is(error(() => poolSize({ 'cli-pool': { size: 65 } }, none)), 'cli-pool.size: must be an integer from 0 to 64, got 65');
  assert.is(error(() => poolSize({ 'cli-pool': { size: 1.5 } }, none)), 'cli-pool.size: must be an integer from 0 to 64, got 1.5');
  assert.is(error(() => poolSize({}, new Map([['size', '-1']]))), 'cli-pool: size: must be an integer from 0 to 64, got "-1"');
  assert.is(error(() => poolSize({ 'cli-pool': { sise: 2 } }, none)), 'cli-pool.sise: unknown key');
  assert.is(error(() => poolSize({ 'cli-pool': 3 }, none)), '[cli-pool] must be a table');
  assert.is(error(() => poolSize({}, new Map([['big', '1']]))), 'cli-pool: unknown argument "big"');
});

test.run();
