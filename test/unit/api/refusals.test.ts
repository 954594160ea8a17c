/**
 * Nothing silent in the client API: an option it does not know, or a value of
 * the wrong type, is refused with one FluxError line (EINVAL) naming it, before
 * anything is sent. The client here fails the test if anything reaches it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Errno } from '../../../lib/errno';
import { FluxError } from '../../../lib/errors';
import type { Client } from '../../../cli/api/client';
import { Jobspec } from '../../../cli/api/jobspec';
import { eventWatch, jobList, kill, parseJobId, raise, submit, wait } from '../../../cli/api/job';
import { outputWatch } from '../../../cli/api/output';
import { kvs } from '../../../cli/api/kvs';
import { FluxExecutor } from '../../../cli/api/executor';

const nothingSent = {
  rpc: () => assert.unreachable('an RPC was sent'),
  rpcStream: () => assert.unreachable('an RPC was sent'),
} as unknown as Client;

async function refused(fn: () => unknown, pattern: RegExp): Promise<void> {
  try {
    await fn();
  } catch (e) {
    assert.instance(e, FluxError, String(e));
    assert.is((e as FluxError).errno, Errno.EINVAL);
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected EINVAL matching ${pattern}`);
}

const js = Jobspec.fromCommand(['true'], { environment: {} });

test('submit', async () => {
  await refused(() => submit(nothingSent, js, { priority: 3 } as never), /submit: unknown option 'priority'/);
  await refused(() => submit(nothingSent, js, { urgency: 'soon' } as never), /urgency must be an integer or hold, default, expedite/);
  await refused(() => submit(nothingSent, js, { waitable: 1 } as never), /waitable must be true or false/);
  await refused(() => submit(nothingSent, '{"version":1}'), /not a version 1 jobspec/);
});

test('job ids, wait, kill, raise', async () => {
  await refused(() => parseJobId('ƒnot-an-id'), /invalid job id/);
  await refused(() => wait(nothingSent, -1), /wait: invalid job id -1/);
  await refused(() => kill(nothingSent, 1, 'SIGNOPE'), /kill: invalid signal "SIGNOPE"/);
  await refused(() => kill(nothingSent, 1, 99), /kill: invalid signal 99/);
  await refused(() => raise(nothingSent, 1, 'two words'), /type must be a word/);
});

test('watches and lists', async () => {
  await refused(() => eventWatch(nothingSent, 1, { eventlog: 'x' } as never), /eventWatch: unknown option 'eventlog'/);
  await refused(() => outputWatch(nothingSent, 1, { label: true } as never), /outputWatch: unknown option 'label'/);
  await refused(() => outputWatch(nothingSent, 1, { stream: 'both' } as never), /stream must be 'stdout' or 'stderr'/);
  await refused(() => jobList(nothingSent, { states: ['running', 'sleeping'] }), /invalid state "sleeping"/);
  await refused(() => jobList(nothingSent, { results: ['won'] }), /results must be/);
  await refused(() => jobList(nothingSent, { userid: 0 } as never), /jobList: unknown option 'userid'/);
});

test('kvs and the executor', async () => {
  await refused(() => kvs.get(nothingSent, 'a..b'), /kvs.get: invalid key "a..b"/);
  await refused(() => kvs.put(nothingSent, 'a', undefined), /kvs.put: a value is required/);
  await refused(() => kvs.watch(nothingSent, 'a', { values: true } as never), /kvs.watch: unknown option 'values'/);
  await refused(() => kvs.unlink(nothingSent, 'a', { recurse: true } as never), /kvs.unlink: unknown option 'recurse'/);
  await refused(() => new FluxExecutor({ url: 'x' } as never), /FluxExecutor: unknown option 'url'/);
});

test.run();
