/**
 * Hostile clients, part 2: forty clients each send one frame whose body is
 * 16 MiB minus one byte (the largest the connector takes), all at once. Rank 0
 * used to grow to 700 MiB and more, and keep it. Now large frames draw on the
 * connector's shared in-flight budget (connector.inflight-max), so the broker
 * reads them a few at a time: every client is answered, `flux uptime` keeps
 * working, no client is dropped, the peak stays bounded and, once the load has
 * ended, the broker's RSS settles back near where it started.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startInstance, type Instance } from '../helpers/flux';
import { MiB, RawClient, frame, memoryOf, mib, pollUntil, requestBodyOfSize } from '../helpers/raw-client';
import { MAX_FRAME } from '../../kernel/message/limits';

const CLIENTS = 40;
const ENOSYS = 38;
/** growth allowed at the peak: the budget, a few frames being decoded, V8's slack */
const PEAK_SLACK = 384 * MiB;
/** growth allowed once the load has ended and the broker has settled */
const SETTLED_SLACK = 64 * MiB;

test('forty clients sending 16 MiB - 1 frames at once are served in bounded memory', async () => {
  let inst: Instance | undefined;
  const clients: RawClient[] = [];
  try {
    inst = await startInstance();
    const i = inst;
    const pid = Number(i.flux(['getattr', 'broker.pid']).stdout.trim());
    for (let k = 0; k < 3; k++) assert.is(i.flux(['uptime']).code, 0);
    const base = memoryOf(pid).rss;

    // a valid envelope of MAX_FRAME - 1 bytes for a service nobody offers: the
    // broker must read and decode all of it to answer ENOSYS
    const body = requestBodyOfSize('flood.nothing', MAX_FRAME - 1, { matchtag: 1 });
    for (let k = 0; k < CLIENTS; k++) clients.push(await RawClient.connect(i));
    // one framed buffer written to every socket: the sender makes no copies
    const framed = frame(body);
    for (const c of clients) c.write(framed);

    // small requests are never held up by large ones
    const up = await i.fluxAsync(['uptime']);
    assert.is(up.code, 0, up.stderr);

    for (const c of clients) {
      const r = await c.reply(1, 120_000);
      assert.is(r.errnum, ENOSYS, r.errstr);
    }
    const peak = memoryOf(pid).hwm;
    for (const c of clients) c.close();
    let settled = Infinity;
    await pollUntil(() => (settled = memoryOf(pid).rss) < base + SETTLED_SLACK, `RSS to settle below ${mib(base + SETTLED_SLACK)}`, 30_000).catch((e: Error) => {
      assert.unreachable(`${e.message} (it is ${mib(settled)})`);
    });
    process.stdout.write(`# rank 0 RSS ${mib(base)}, peak ${mib(peak)}, settled ${mib(settled)}\n`);
    assert.ok(peak < base + PEAK_SLACK, `peak RSS ${mib(peak)} over ${mib(base)} + ${mib(PEAK_SLACK)}`);

    const dmesg = i.flux(['dmesg']).stdout;
    assert.not.match(dmesg, /dropping client/, 'no client was dropped');
    assert.is(i.flux(['uptime']).code, 0);
    const rc = await i.stop();
    inst = undefined;
    assert.is(rc, 0);
  } finally {
    for (const c of clients) c.close();
    inst?.kill();
  }
});

test.run();
