/**
 * Hostile clients, part 1: payloads nested too deep. A payload nested 5000 deep
 * on its way to rank 1 used to crash rank 0 (RangeError in JSON encoding), and a
 * jobspec nested 20000 deep left a job in state S although its submit failed.
 * Now the connector refuses such a payload where it enters (EPROTO, one log
 * line naming the client), the broker keeps serving, and a failed submit leaves
 * no job behind; a payload within the limit still travels between ranks. A
 * submit that fails in the job manager (its kvs is gone) leaves nothing either.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startInstance, type Instance } from '../helpers/flux';
import { RawClient, nested, requestBody } from '../helpers/raw-client';
import { CLIENT_PAYLOAD_DEPTH } from '../../kernel/message/limits';

const EPROTO = 71;

/** dmesg lines from the connector that name this test process */
function refusals(inst: Instance): string[] {
  const r = inst.flux(['dmesg']);
  assert.is(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l.includes('connector-local') && l.includes(`(pid ${process.pid})`));
}

function jobspec(user: string): string {
  return (
    '{"version":1,"resources":[{"type":"slot","count":1,"label":"task","with":[{"type":"core","count":1}]}],' +
    '"tasks":[{"command":["true"],"slot":"task","count":{"per_slot":1}}],' +
    `"attributes":{"system":{"duration":0},"user":{"x":${user}}}}`
  );
}

let inst: Instance | undefined;

test.before(async () => {
  inst = await startInstance(['--test-size=2']);
});

test.after(async () => {
  if (inst) {
    const rc = await inst.stop();
    inst = undefined;
    assert.is(rc, 0, 'flux start exit code');
  }
});

test('a payload nested 5000 deep for rank 1 is refused with EPROTO; the broker keeps serving', async () => {
  const i = inst!;
  const c = await RawClient.connect(i);
  try {
    for (let tag = 1; tag <= 3; tag++) c.send(requestBody('broker.ping', `{"x":${nested(5000)}}`, { nodeid: 1, matchtag: tag }));
    for (let tag = 1; tag <= 3; tag++) {
      const r = await c.reply(tag);
      assert.is(r.errnum, EPROTO);
      assert.is(r.errstr, `broker.ping: malformed request: payload nested deeper than ${CLIENT_PAYLOAD_DEPTH} levels`);
    }
    assert.not.ok(c.closed, 'the client is answered, not dropped');
  } finally {
    c.close();
  }
  const up = i.flux(['uptime']);
  assert.is(up.code, 0, up.stderr);
  const ping = i.flux(['ping', '--count=1', '1']);
  assert.is(ping.code, 0, ping.stderr);
  const lines = refusals(i);
  assert.is(lines.length, 1, `one log line for the client:\n${lines.join('\n')}`);
  assert.match(lines[0]!, /connector-local\.warning\[0\]: refused a message from client-\d+ \(pid \d+\): broker\.ping: malformed request: payload nested deeper than 512 levels$/);
});

test('a payload within the limit still goes to rank 1 and back', async () => {
  const c = await RawClient.connect(inst!);
  try {
    const deep = nested(CLIENT_PAYLOAD_DEPTH - 1);
    c.send(requestBody('broker.ping', `{"x":${deep}}`, { nodeid: 1, matchtag: 7 }));
    const r = await c.reply(7);
    assert.is(r.errnum, 0, r.errstr);
    assert.is(JSON.stringify((r.payload as { x: unknown }).x), deep);
  } finally {
    c.close();
  }
});

test('a jobspec nested 20000 deep is refused and leaves no job behind', async () => {
  const i = inst!;
  const c = await RawClient.connect(i);
  try {
    c.send(requestBody('job-ingest.submit', `{"jobspec":${jobspec(nested(20000))}}`, { matchtag: 3 }));
    const r = await c.reply(3);
    assert.is(r.errnum, EPROTO);
    assert.match(r.errstr ?? '', /^job-ingest\.submit: malformed request: payload nested deeper than 512 levels$/);
    // the same jobspec within the limit is a job
    c.send(requestBody('job-ingest.submit', `{"jobspec":${jobspec(nested(8))}}`, { matchtag: 4 }));
    const ok = await c.reply(4);
    assert.is(ok.errnum, 0, ok.errstr);
  } finally {
    c.close();
  }
  const jobs = i.flux(['jobs', '-a', '-n', '-o', '{state}']);
  assert.is(jobs.code, 0, jobs.stderr);
  const states = jobs.stdout.trim().split('\n').filter(Boolean);
  assert.is(states.length, 1, `one job (the valid one), not a ghost: ${jobs.stdout}`);
  const up = i.flux(['uptime']);
  assert.is(up.code, 0, up.stderr);
});

test('a submit the job manager cannot store leaves no job, no eventlog, no jobspec', () => {
  const i = inst!;
  const before = i.flux(['jobs', '-a', '-n', '-o', '{id}']).stdout.trim().split('\n').filter(Boolean);
  assert.is(i.flux(['module', 'remove', 'kvs']).code, 0);
  try {
    const r = i.flux(['submit', 'true']);
    assert.is(r.code, 1, 'the submit fails');
    // the jobspec, J and first events go to the kvs in one transaction
    assert.match(r.stderr, /kvs\.commit/);
  } finally {
    const load = i.flux(['module', 'load', 'kvs']);
    assert.is(load.code, 0, load.stderr);
  }
  const after = i.flux(['jobs', '-a', '-n', '-o', '{id}']).stdout.trim().split('\n').filter(Boolean);
  assert.equal(after, before, 'no job was left in the job manager');
  const run = i.flux(['run', 'echo', 'next']);
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stdout, 'next\n');
});

test.run();
