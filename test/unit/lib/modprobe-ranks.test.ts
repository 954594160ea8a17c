/** The module table's ranks values and the [modules] updates of the broker config. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configuredTable, ranksMatcher, unknownModuleUpdate } from '../../../lib/modprobe';

const on = (ranks: string | undefined, n = 6) => [...Array(n).keys()].filter((r) => ranksMatcher(ranks)!(r));

test('all, leader, idsets, >N and <N', () => {
  assert.equal(on(undefined), [0, 1, 2, 3, 4, 5]);
  assert.equal(on('all'), [0, 1, 2, 3, 4, 5]);
  assert.equal(on('leader'), [0]);
  assert.equal(on('0,2-3'), [0, 2, 3]);
  assert.equal(on('>0'), [1, 2, 3, 4, 5]);
  assert.equal(on('<2'), [0, 1]);
  for (const bad of ['x', '1-', '>', 'leader,1', '']) assert.is(ranksMatcher(bad), undefined, bad);
});

test('disable, NAME.ranks and NAME.args; a name the table lacks is one line', () => {
  const doc = [{ name: 'kvs' }, { name: 'cron', ranks: 'leader', args: ['sync=heartbeat.pulse'] }, { name: 'heartbeat' }];
  assert.equal(configuredTable(doc, { disable: ['heartbeat'], cron: { args: ['sync_epsilon=1'] }, kvs: { ranks: '0' } }), [
    { name: 'kvs', ranks: '0' },
    { name: 'cron', ranks: 'leader', args: ['sync_epsilon=1'] },
  ]);
  assert.equal(configuredTable(doc, { disable: ['heartbeat'] }, false).length, 3);
  assert.is(unknownModuleUpdate(doc, { nosuch: { ranks: '0' } }), 'modules.nosuch: no module nosuch in the module table (kvs, cron, heartbeat)');
  assert.is(unknownModuleUpdate(doc, { disable: ['cron'], cron: { ranks: '0' } }), undefined);
});

test.run();
