/** flux job eventlog: the context values Flux packs as reals print as jansson prints them (cli/eventlog/reals.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { contextValue, janssonReal } from '../../../cli/eventlog/reals';
import { renderEntry } from '../../../cli/commands/job/eventlog';

test('janssonReal: %.17g with .0 for whole numbers', () => {
  assert.is(janssonReal(150), '150.0');
  assert.is(janssonReal(0), '0.0');
  assert.is(janssonReal(2.5), '2.5');
  assert.is(janssonReal(1796205154.5305398), '1796205154.5305398');
  assert.is(janssonReal(0.1), '0.10000000000000001');
  assert.is(janssonReal(1e20), '1e20');
  assert.is(janssonReal(1e-7), '9.9999999999999995e-8');
});

test('only the known real keys of jobspec-update and resource-update print as reals', () => {
  assert.is(contextValue('jobspec-update', 'attributes.system.duration', 120), '120.0');
  assert.is(contextValue('resource-update', 'expiration', 0), '0.0');
  assert.is(contextValue('priority', 'priority', 0), '0');
  assert.is(contextValue('jobspec-update', 'attributes.system.queue', 'batch'), '"batch"');
  assert.is(renderEntry({ timestamp: 1, name: 'jobspec-update', context: { 'attributes.system.duration': 145 } }, 'T'), 'T jobspec-update attributes.system.duration=145.0');
  assert.is(renderEntry({ timestamp: 1, name: 'finish', context: { status: 0 } }, 'T'), 'T finish status=0');
});

test.run();
