/**
 * Hostile clients, part 3: a client that never reads its replies used to make
 * rank 0 hold all of them (550 MiB and more, never returned). Now a client with
 * more than connector.client-outbuf bytes of replies unread is disconnected,
 * with one log line naming it, and the memory comes back; a client that reads
 * is never disconnected, however much it receives. connector.inflight-max
 * bounds the large frames being received by all clients together: a large
 * frame waits for room (small requests never do), and a client that holds room
 * without sending is disconnected after 10 s so that the others can go on.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { flux, startInstance, type Instance } from '../helpers/flux';
import { MiB, RawClient, frame, memoryOf, mib, pollUntil, requestBody } from '../helpers/raw-client';

/** a ping whose reply echoes 1 MiB */
const PING = frame(requestBody('broker.ping', `{"s":"${'p'.repeat(MiB)}"}`));
const PEAK_SLACK = 160 * MiB;
const SETTLED_SLACK = 64 * MiB;

/** connector lines in dmesg that name this test process */
function connectorLines(inst: Instance): string[] {
  return inst
    .flux(['dmesg'])
    .stdout.split('\n')
    .filter((l) => l.includes('connector-local') && l.includes(`(pid ${process.pid})`));
}

async function withInstance(args: string[], fn: (i: Instance, pid: number) => Promise<void>): Promise<void> {
  const inst = await startInstance(args);
  try {
    const pid = Number(inst.flux(['getattr', 'broker.pid']).stdout.trim());
    for (let k = 0; k < 3; k++) assert.is(inst.flux(['uptime']).code, 0);
    await fn(inst, pid);
    const rc = await inst.stop();
    assert.is(rc, 0, 'flux start exit code');
  } finally {
    inst.kill();
  }
}

/** The byte count in a slow-consumer line. */
function unreadBytes(line: string): number {
  const m = /slow consumer: (\d+) bytes of replies unread/.exec(line);
  assert.ok(m, `not a slow-consumer line: ${line}`);
  return Number(m![1]);
}

test('a client that never reads its replies is disconnected, named in one log line, and its memory returned', async () => {
  await withInstance([], async (i, pid) => {
    const base = memoryOf(pid).rss;
    const c = await RawClient.connect(i);
    try {
      c.stopReading();
      // 300 pings echoing 1 MiB each: 300 MiB of replies if the broker kept them all
      const sent = await c.flood(PING, 300);
      await c.until(() => c.closed, 'the broker to disconnect the client');
      process.stdout.write(`# disconnected after ${sent} pings\n`);
    } finally {
      c.close();
    }
    const peak = memoryOf(pid).hwm;
    let settled = Infinity;
    await pollUntil(() => (settled = memoryOf(pid).rss) < base + SETTLED_SLACK, `RSS to settle below ${mib(base + SETTLED_SLACK)}`).catch((e: Error) =>
      assert.unreachable(`${e.message} (it is ${mib(settled)})`),
    );
    process.stdout.write(`# rank 0 RSS ${mib(base)}, peak ${mib(peak)}, settled ${mib(settled)}\n`);
    assert.ok(peak < base + PEAK_SLACK, `peak RSS ${mib(peak)} over ${mib(base)} + ${mib(PEAK_SLACK)}`);
    const lines = connectorLines(i);
    assert.is(lines.length, 1, lines.join('\n'));
    assert.match(
      lines[0]!,
      /connector-local\.warning\[0\]: dropping client-\d+ \(pid \d+\): slow consumer: \d+ bytes of replies unread, over connector\.client-outbuf \(32\.0 MiB\)$/,
    );
    assert.ok(unreadBytes(lines[0]!) > 32 * MiB);
    const up = i.flux(['uptime']);
    assert.is(up.code, 0, up.stderr);
  });
});

test('connector.client-outbuf sets the budget; a client that reads is never disconnected', async () => {
  await withInstance(['-Sconnector.client-outbuf=4M'], async (i) => {
    assert.is(i.flux(['getattr', 'connector.client-outbuf']).stdout, '4M\n');
    // a reader: 40 MiB of replies, one at a time
    const reader = await RawClient.connect(i);
    try {
      for (let tag = 1; tag <= 40; tag++) {
        reader.send(requestBody('broker.ping', `{"s":"${'r'.repeat(MiB)}"}`, { matchtag: tag }));
        const r = await reader.reply(tag);
        assert.is(r.errnum, 0, r.errstr);
      }
      assert.not.ok(reader.closed);
    } finally {
      reader.close();
    }
    // a non-reader goes at 4 MiB, not at the default 32
    const c = await RawClient.connect(i);
    try {
      c.stopReading();
      await c.flood(PING, 100);
      await c.until(() => c.closed, 'the broker to disconnect the client');
    } finally {
      c.close();
    }
    const lines = connectorLines(i);
    assert.is(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /over connector\.client-outbuf \(4\.0 MiB\)$/);
    const unread = unreadBytes(lines[0]!);
    assert.ok(unread > 4 * MiB && unread < 8 * MiB, `${unread} bytes unread`);
  });
});

test('bad connector sizes are refused with one line', () => {
  for (const [attr, v] of [
    ['connector.client-outbuf', '12T'],
    ['connector.client-outbuf', '100K'],
    ['connector.inflight-max', 'lots'],
  ] as const) {
    const r = flux(['start', `-S${attr}=${v}`, 'true']);
    assert.is(r.code, 1, `${attr}=${v}`);
    assert.match(r.stderr, new RegExp(`^[^\\n]* broker\\.crit\\[0\\]: Error parsing ${attr.replace('.', '\\.')} attribute\\n$`));
  }
});

/** A ping of `size` bytes from a fresh client; resolves when answered. */
async function bigPing(i: Instance, size = 2 * MiB): Promise<void> {
  const b = await RawClient.connect(i);
  try {
    b.send(requestBody('broker.ping', `{"s":"${'b'.repeat(size)}"}`, { matchtag: 5 }));
    const r = await b.reply(5);
    assert.is(r.errnum, 0, r.errstr);
  } finally {
    b.close();
  }
}

/**
 * Client A sends the header of an 8 MiB frame and 1 MiB of its body, then
 * nothing; client B then sends a 2 MiB request. Resolves with A once B has
 * been answered.
 */
async function stalledSender(i: Instance): Promise<RawClient> {
  const a = await RawClient.connect(i);
  const hdr = Buffer.alloc(4);
  hdr.writeUInt32BE(8 * MiB, 0);
  a.write(Buffer.concat([hdr, Buffer.alloc(MiB, 0x20)]));
  // a round trip on another connection: by its end the broker has read A's bytes
  const up = await i.fluxAsync(['uptime']);
  assert.is(up.code, 0, `small requests are never held up: ${up.stderr}`);
  await bigPing(i);
  return a;
}

test('connector.inflight-max: a large frame waits for room; who holds room without moving goes after 10 s', async () => {
  await withInstance(['-Sconnector.inflight-max=8M'], async (i) => {
    // a client that stopped sending the large frame it holds room for
    // N.B. B's reply and A's end come on different sockets, in no set order
    const a = await stalledSender(i);
    await a.until(() => a.closed, 'A to be disconnected', 5000);
    let lines = connectorLines(i);
    assert.is(lines.length, 1, lines.join('\n'));
    assert.match(
      lines[0]!,
      /dropping client-\d+ \(pid \d+\): stalled: sent \d+ bytes of a 8388608-byte frame, then nothing for 10s while other clients wait for room in connector\.inflight-max$/,
    );
    // a client whose unread replies (under its own 32M budget) take the room B needs
    const n = await RawClient.connect(i);
    try {
      n.stopReading();
      await n.flood(PING, 6);
      const up = await i.fluxAsync(['uptime']);
      assert.is(up.code, 0, up.stderr);
      await bigPing(i, 4 * MiB);
      await n.closedByBroker(5000);
    } finally {
      n.close();
    }
    lines = connectorLines(i);
    assert.is(lines.length, 2, lines.join('\n'));
    assert.match(
      lines[1]!,
      /dropping client-\d+ \(pid \d+\): slow consumer: \d+ bytes of replies unread, none taken for 10s while other clients wait for room in connector\.inflight-max \(8\.0 MiB\)$/,
    );
    // unread replies over the whole shared budget: the client holding most goes at once
    const m = await RawClient.connect(i);
    try {
      m.stopReading();
      await m.flood(PING, 20);
      await m.closedByBroker(5000);
    } finally {
      m.close();
    }
    lines = connectorLines(i);
    assert.is(lines.length, 3, lines.join('\n'));
    // N.B. on a loaded host the stall check armed while n's replies waited may
    // come round first and name m for taking none of them: either way m goes
    assert.match(
      lines[2]!,
      /dropping client-\d+ \(pid \d+\): slow consumer: \d+ bytes of replies unread(; all clients' unread replies are over|, none taken for 10s while other clients wait for room in) connector\.inflight-max \(8\.0 MiB\)$/,
      lines.join('\n'),
    );
  });
  // with the default budget there is room for both: nobody waits, nobody is dropped
  await withInstance([], async (i) => {
    const a = await stalledSender(i);
    assert.not.ok(a.closed, 'A still holds its frame');
    a.close();
    assert.equal(connectorLines(i), []);
  });
});

test.run();
