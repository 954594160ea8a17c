/**
 * clients bench: rank 0's memory under hostile or careless local clients, each
 * run on a fresh instance: its RSS before, its peak (VmHWM) during, and its RSS
 * once the load has ended and settled (no longer falling), beside the figures
 * issue 9 measured before the connector had limits.
 *
 *   flood      40 clients each send one frame whose body is 16 MiB - 1 byte
 *   no-read    one client sends pings that echo 1 MiB and never reads a reply
 *   deep       100 payloads nested 5000 deep, sent to rank 1 of a 2-broker instance
 */
import { startInstance, type Instance } from '../helpers/flux';
import { MiB, RawClient, frame, memoryOf, nested, requestBody, requestBodyOfSize } from '../helpers/raw-client';
import { MAX_FRAME } from '../../kernel/message/limits';

interface Row {
  name: string;
  before: string;
  base: number;
  peak: number;
  after: number;
  outcome: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * RSS once it has stopped falling: sampled every second until it has not
 * fallen by a MiB for 4 s (the broker reclaims a second or two after the last
 * large message), at most 30 s.
 */
async function settledRss(pid: number): Promise<number> {
  let low = memoryOf(pid).rss;
  let still = 0;
  for (let t = 0; t < 30 && still < 4; t++) {
    await sleep(1000);
    const now = memoryOf(pid).rss;
    if (now < low - MiB) still = 0;
    else still++;
    low = Math.min(low, now);
  }
  return memoryOf(pid).rss;
}

async function measure(name: string, before: string, args: string[], load: (i: Instance) => Promise<string>): Promise<Row> {
  const inst = await startInstance(args);
  try {
    const pid = Number(inst.flux(['getattr', 'broker.pid']).stdout.trim());
    for (let k = 0; k < 3; k++) inst.flux(['uptime']);
    const base = memoryOf(pid).rss;
    const outcome = await load(inst).catch((e: Error) => {
      process.stderr.write(`${name}: ${e.message}\nflux start stderr:\n${inst.stderr()}\n`);
      throw e;
    });
    const peak = memoryOf(pid).hwm;
    const after = await settledRss(pid);
    const up = inst.flux(['uptime']).code === 0 ? 'serving' : 'NOT SERVING';
    await inst.stop();
    return { name, before, base, peak, after, outcome: `${outcome}; ${up}` };
  } finally {
    inst.kill();
  }
}

async function flood(i: Instance): Promise<string> {
  const body = requestBodyOfSize('flood.nothing', MAX_FRAME - 1, { matchtag: 1 });
  const clients: RawClient[] = [];
  try {
    for (let k = 0; k < 40; k++) clients.push(await RawClient.connect(i));
    const t0 = Date.now();
    // one framed buffer written to every socket: the sender makes no copies
    const framed = frame(body);
    for (const c of clients) c.write(framed);
    let answered = 0;
    for (const c of clients) if ((await c.reply(1, 300_000)).errnum !== 0) answered++;
    return `${answered}/40 answered in ${((Date.now() - t0) / 1000).toFixed(1)}s`;
  } finally {
    for (const c of clients) c.close();
  }
}

async function noRead(i: Instance): Promise<string> {
  const c = await RawClient.connect(i);
  try {
    c.stopReading();
    const sent = await c.flood(frame(requestBody('broker.ping', `{"s":"${'p'.repeat(MiB)}"}`)), 600);
    await c.until(() => c.closed, 'the disconnect', 60_000).catch(() => undefined);
    return c.closed ? `disconnected after ${sent} pings` : `still connected after ${sent} pings`;
  } finally {
    c.close();
  }
}

async function deep(i: Instance): Promise<string> {
  const c = await RawClient.connect(i);
  try {
    for (let tag = 1; tag <= 100; tag++) c.send(requestBody('broker.ping', `{"x":${nested(5000)}}`, { nodeid: 1, matchtag: tag }));
    let refused = 0;
    for (let tag = 1; tag <= 100; tag++) if ((await c.reply(tag)).errnum !== 0) refused++;
    return `${refused}/100 refused (EPROTO)`;
  } finally {
    c.close();
  }
}

async function main(): Promise<void> {
  const rows = [
    await measure('flood: 40 x (16 MiB - 1)', '700 MiB, kept', [], flood),
    await measure('no-read: 1 MiB pings', '550 MiB, kept', [], noRead),
    await measure('deep: 5000 levels to rank 1', 'rank 0 crashed', ['--test-size=2'], deep),
  ];
  const m = (n: number) => `${(n / MiB).toFixed(0)} MiB`;
  const head = ['scenario', 'issue 9 (before)', 'RSS before', 'peak (VmHWM)', 'RSS after', 'outcome'];
  const table = [head, ...rows.map((r) => [r.name, r.before, m(r.base), m(r.peak), m(r.after), r.outcome])];
  const widths = head.map((_, k) => Math.max(...table.map((row) => row[k]!.length)));
  for (const row of table) process.stdout.write(row.map((c, k) => c.padEnd(widths[k]!)).join('  ').trimEnd() + '\n');
}

main().catch((e: Error) => {
  process.stderr.write(`${e.stack ?? e.message}\n`);
  process.exitCode = 1; // let the error line drain; nothing else keeps the loop alive
});
