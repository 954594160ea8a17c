/** wait-inactive-many's batches: summaries grouped, the end at once, ENODATA last, disconnect and unload. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Errno, type Handle, type Message } from '../../../kernel/api';
import { BATCH_MAX, BATCH_MS, InactiveBatches } from '../../../modules/job-manager/inactive-batches';
import { waitUntil } from '../../helpers/wait';

interface Sent {
  to: string;
  jobs?: number[];
  errnum?: number;
}

/** a handle that records what the batches answer, by the request's sender */
function recorder() {
  const sent: Sent[] = [];
  const h = {
    respond: (m: Message, p: { jobs: { id: number }[] }) => sent.push({ to: m.route[0]!, jobs: p.jobs.map((j) => j.id) }),
    respondError: (m: Message, errnum: number) => sent.push({ to: m.route[0]!, errnum }),
  } as unknown as Handle;
  return { h, sent };
}
const req = (sender: string) => ({ route: [sender] }) as unknown as Message;
const summary = (id: number) => ({ id, state: 64 });

test('summaries that end close together go out in one response; the last job ends the stream at once', async () => {
  const { h, sent } = recorder();
  const b = new InactiveBatches(h);
  b.add(req('c1'), [], [1, 2, 3, 4]);
  b.fire(1, summary(1));
  b.fire(2, summary(2));
  assert.equal(sent, [], 'nothing before the batch is due');
  await waitUntil(() => sent.length === 1, { what: 'the first batch', timeoutMs: BATCH_MS * 40, intervalMs: 5 });
  assert.equal(sent[0], { to: 'c1', jobs: [1, 2] });
  b.fire(4, summary(4));
  b.fire(3, summary(3));
  assert.equal(sent.slice(1), [{ to: 'c1', jobs: [4, 3] }, { to: 'c1', errnum: Errno.ENODATA }], 'the end is not held back');
  b.fire(5, summary(5));
  assert.is(sent.length, 3, 'a job nobody waits on is not sent');
});

test('jobs already inactive are answered at once; all inactive: the answer then ENODATA', () => {
  const { h, sent } = recorder();
  const b = new InactiveBatches(h);
  b.add(req('c1'), [summary(7)], [8]);
  assert.equal(sent, [{ to: 'c1', jobs: [7] }]);
  b.add(req('c2'), [summary(7), summary(8)], []);
  assert.equal(sent.slice(1), [{ to: 'c2', jobs: [7, 8] }, { to: 'c2', errnum: Errno.ENODATA }]);
  b.add(req('c3'), [], []);
  assert.equal(sent.slice(3), [{ to: 'c3', jobs: [] }, { to: 'c3', errnum: Errno.ENODATA }], 'no ids: one empty answer, then the end');
});

test('a full batch goes out without waiting; two requests on one job both hear of it', () => {
  const { h, sent } = recorder();
  const b = new InactiveBatches(h);
  const ids = Array.from({ length: BATCH_MAX + 1 }, (_v, i) => i + 1);
  b.add(req('c1'), [], ids);
  b.add(req('c2'), [], [1]);
  for (const id of ids.slice(0, BATCH_MAX)) b.fire(id, summary(id));
  assert.is(sent.filter((s) => s.to === 'c1').length, 1);
  assert.is(sent.find((s) => s.to === 'c1')!.jobs!.length, BATCH_MAX);
  assert.equal(
    sent.filter((s) => s.to === 'c2'),
    [
      { to: 'c2', jobs: [1] },
      { to: 'c2', errnum: Errno.ENODATA },
    ],
  );
});

test('a client that went away is forgotten; an unload sends what is ready and ends the others with ENOSYS', () => {
  const { h, sent } = recorder();
  const b = new InactiveBatches(h);
  b.add(req('gone'), [], [1, 2]);
  b.add(req('stays'), [], [2, 3]);
  b.fire(1, summary(1));
  b.disconnect('gone');
  b.fire(2, summary(2));
  b.abort();
  assert.equal(sent, [
    { to: 'stays', jobs: [2] },
    { to: 'stays', errnum: Errno.ENOSYS },
  ]);
  b.fire(3, summary(3));
  assert.is(sent.length, 2, 'nothing after the unload');
});

test.run();
