/**
 * flux submit --cc's copies (cli/jobspec/copies.ts): the request is encoded
 * once with a marker for the id; each copy's bytes must be exactly the
 * request its own FLUX_JOB_CC would have made.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyRequests } from '../../cli/jobspec/copies';
import type { Submission } from '../../cli/jobspec/build';

function submission(env: Record<string, string>): Submission {
  return {
    jobspec: { version: 1, attributes: { system: { duration: 0, cwd: '/tmp', environment: env } }, resources: [], tasks: [] } as unknown as Submission['jobspec'],
    urgency: 16,
    flags: 0,
  };
}

const decode = (b: Buffer): unknown => JSON.parse(b.toString('utf8'));

test('each copy is the request made with its own FLUX_JOB_CC', () => {
  const make = (cc: string) => submission({ HOME: '/root', FLUX_JOB_CC: cc, Z: 'é"\\' });
  const copy = copyRequests(make);
  for (const id of [1, 7, 10, 999999]) assert.equal(decode(copy(id).bytes), JSON.parse(JSON.stringify(make(String(id)))), `id ${id}`);
});

test('an id used more than once (an --env rule that copies it) is put in everywhere', () => {
  const make = (cc: string) => submission({ FLUX_JOB_CC: cc, COPY: `x-${cc}-${cc}` });
  const copy = copyRequests(make);
  assert.equal(decode(copy(42).bytes), JSON.parse(JSON.stringify(make('42'))));
});

test('copies without FLUX_JOB_CC (--bcc, or an --env rule that removed it) are all the same request', () => {
  const copy = copyRequests(() => submission({ HOME: '/root' }));
  assert.equal(decode(copy(1).bytes), decode(copy(2).bytes));
  assert.equal(decode(copy(3).bytes), JSON.parse(JSON.stringify(submission({ HOME: '/root' }))));
});

test.run();
