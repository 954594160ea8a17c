/**
 * The overlay port resists strangers: a static-config instance on loopback
 * (brokers told apart by -Shostname) whose rank 0 is held to 1024 descriptors
 * is hit by 1100 idle TCP connections and some that send garbage. Local
 * commands keep working, a broker that starts meanwhile still joins, rank 0's
 * descriptor count stays bounded, every stranger is closed (the idle ones by
 * the handshake timeout at the latest), and the log names their addresses in
 * rate-limited lines. Also: tbon.interface-hint picks where a PMI-booted broker
 * binds, so such tests keep overlay traffic on loopback.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { skipped } from '../helpers/skip';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { flux, run, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { freePort, killGroup, startBroker } from '../helpers/loopback-brokers';
import { until } from '../helpers/wait';

/** A follower broker (`flux start` as one broker of the static config), its stderr kept. */
const follower = (toml: string, host: string) => startBroker([`-o,--config-path=${toml},-Shostname=${host}`]);

const fdCount = (pid: number) => fs.readdirSync(`/proc/${pid}/fd`).length;

test('1100 idle and 30 garbage connections: local commands work, a new broker joins, descriptors stay bounded', async () => {
  const t = tmpdir();
  const port = await freePort();
  const cert = path.join(t.dir, 'test.cert');
  assert.is(flux(['keygen', cert]).code, 0);
  const toml = path.join(t.dir, 'boot.toml');
  const uri = `tcp://127.0.0.1:${port}`;
  fs.writeFileSync(toml, `[bootstrap]\ncurve_cert = "${cert}"\nhosts = [ { host = "ov0", bind = "${uri}", connect = "${uri}" }, { host = "ov[1-2]" } ]\n`);
  const followers: Array<ReturnType<typeof follower>> = [];
  const strangers: net.Socket[] = [];
  let inst: Instance | undefined;
  try {
    // rank 0 and rank 1 (quorum 2); rank 2 comes later, during the attack
    followers.push(follower(toml, 'ov1'));
    inst = await startInstance([`-o,--config-path=${toml},-Shostname=ov0,-Sbroker.quorum=2`], { timeoutMs: 60_000 });
    const pid = Number(inst.flux(['getattr', 'broker.pid']).stdout);
    // as on a stock system: 1024 descriptors (prlimit is util-linux's; without it the bound below still shows)
    if (run('sh', ['-c', 'command -v prlimit']).code === 0) {
      const lim = run('prlimit', ['--pid', String(pid), '--nofile=1024:1024']);
      assert.is(lim.code, 0, lim.stderr);
    } else console.log('  (prlimit not found: rank 0 keeps its own descriptor limit)');
    const before = fdCount(pid);

    let closedByBroker = 0;
    const open = (): Promise<net.Socket> =>
      new Promise((resolve) => {
        const s = net.createConnection(port, '127.0.0.1');
        s.on('error', () => {});
        s.on('close', () => closedByBroker++);
        // read what the broker sends (a refusal), or its close would wait behind it
        s.resume();
        // a broker out of descriptors stops accepting: do not wait on SYN retries
        const t = setTimeout(() => resolve(s), 2000);
        const done = () => (clearTimeout(t), resolve(s));
        s.once('connect', done);
        s.once('error', done);
        strangers.push(s);
      });
    for (let i = 0; i < 1100; i += 100) await Promise.all(Array.from({ length: 100 }, open));
    // garbage: random bytes, an HTTP request, a huge frame header, a hello with a foreign key
    const garbage = [
      ...Array.from({ length: 10 }, () => crypto.randomBytes(65536)),
      ...Array.from({ length: 10 }, () => Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')),
      ...Array.from({ length: 5 }, () => Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3])),
      ...Array.from({ length: 5 }, () => {
        const body = Buffer.concat([Buffer.from('FLUXOV1\0', 'latin1'), crypto.randomBytes(64)]);
        const hdr = Buffer.alloc(4);
        hdr.writeUInt32BE(body.length);
        return Buffer.concat([hdr, body]);
      }),
    ];
    for (const g of garbage) (await open()).write(g);

    // local users are not locked out, and rank 0 holds a bounded number of descriptors
    const up = await inst.fluxAsync(['uptime']);
    assert.is(up.code, 0, up.stderr);
    assert.match(up.stdout, /,  size 3\b/);
    const during = fdCount(pid);
    assert.ok(during < before + 100, `rank 0 holds ${during} descriptors (${before} before the attack)`);

    // a legitimate broker that starts now still joins
    followers.push(follower(toml, 'ov2'));
    await until(async () => (await inst!.fluxAsync(['overlay', 'status', '--summary'])).stdout === 'full\n', 'ov2 to join', 60_000);
    const ping = await inst.fluxAsync(['ping', '-c', '1', '2']);
    assert.is(ping.code, 0, ping.stderr);

    // every stranger is closed by the broker: garbage at once, idle ones by the handshake timeout
    await until(() => closedByBroker === strangers.length, `the broker to close all ${strangers.length} strangers`, 60_000);
    assert.ok(fdCount(pid) < before + 20, `rank 0 still holds ${fdCount(pid)} descriptors`);

    // the log names addresses, a handful of lines at a time, and counts the rest
    const dmesg = () => inst!.flux(['dmesg']).stdout.split('\n');
    await until(() => dmesg().some((l) => /overlay\.err\[0\]: \d+ more failed connections? in the last 10s not logged \(the last from 127\.0\.0\.1:\d+\)$/.test(l)), 'a summary line', 60_000);
    const named = dmesg().filter((l) => /overlay\.err\[0\]: connection from 127\.0\.0\.1:\d+ closed: /.test(l));
    assert.ok(named.length >= 1, 'no line names a stranger');
    assert.ok(named.length <= 30, `${named.length} lines for the strangers: not rate-limited`);
    assert.ok(named.some((l) => /closed: (handshake timed out|\d+ connections were waiting to authenticate)$/.test(l)), named.join('\n'));
    const up2 = await inst.fluxAsync(['uptime']);
    assert.is(up2.code, 0, up2.stderr);
    assert.is(await inst.stop(), 0);
  } finally {
    for (const s of strangers) s.destroy();
    inst?.kill();
    for (const f of followers) killGroup(f);
    t.cleanup();
  }
});

test('garbage alone is closed at once and logged with the address', async () => {
  const t = tmpdir();
  const port = await freePort();
  const cert = path.join(t.dir, 'test.cert');
  assert.is(flux(['keygen', cert]).code, 0);
  const toml = path.join(t.dir, 'boot.toml');
  const uri = `tcp://127.0.0.1:${port}`;
  fs.writeFileSync(toml, `[bootstrap]\ncurve_cert = "${cert}"\nhosts = [ { host = "gb0", bind = "${uri}", connect = "${uri}" }, { host = "gb1" } ]\n`);
  let inst: Instance | undefined;
  try {
    inst = await startInstance([`-o,--config-path=${toml},-Shostname=gb0,-Sbroker.quorum=1`], { timeoutMs: 60_000 });
    const s = net.createConnection(port, '127.0.0.1');
    s.on('error', () => {});
    await new Promise((r) => s.once('connect', r));
    const local = `127.0.0.1:${s.localPort}`;
    s.resume();
    let closed = false;
    s.once('close', () => (closed = true));
    s.write('GET / HTTP/1.1\r\n\r\n');
    await until(() => closed, 'the broker to close the connection', 5000);
    await until(() => inst!.flux(['dmesg']).stdout.includes(`connection from ${local} closed: protocol error: frame of`), 'the log line', 60_000);
    assert.is(await inst.stop(), 0);
  } finally {
    inst?.kill();
    t.cleanup();
  }
});

test('tbon.interface-hint: attribute, [tbon] interface-hint, and a hint that names nothing', () => {
  const lo = Object.entries(os.networkInterfaces()).find(([, a]) => a?.some((x) => x.family === 'IPv4' && x.address === '127.0.0.1'))?.[0];
  if (!lo) return skipped('tbon.interface-hint: attribute, [tbon] interface-hint, and a hint that names nothing', 'no interface holds 127.0.0.1');
  const show = ['sh', '-c', 'flux getattr tbon.endpoint; flux getattr tbon.interface-hint; flux exec -r 1 flux getattr rank'];
  for (const [how, hint] of [
    [['-Stbon.interface-hint=' + lo], lo],
    [['-Stbon.interface-hint=127.0.0.0/8'], '127.0.0.0/8'],
    [[`--conf=tbon.interface-hint=${lo}`], lo],
  ] as Array<[string[], string]>) {
    const r = flux(['start', '-s2', '-Stbon.prefertcp=1', ...how, ...show], { timeoutMs: 60_000 });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^tcp://127\\.0\\.0\\.1:\\d+\\n${hint.replace(/[./]/g, '\\$&')}\\n1\\n$`));
  }
  const bad = flux(['start', '-s2', '-Stbon.prefertcp=1', '-Stbon.interface-hint=nosuch0', 'true'], { timeoutMs: 60_000 });
  assert.is.not(bad.code, 0);
  assert.match(bad.stderr, 'tbon.interface-hint nosuch0: not an interface here, default-route, hostname, or an IPv4 CIDR');
  const none = flux(['start', '-s2', '-Stbon.prefertcp=1', '-Stbon.interface-hint=203.0.113.0/24', 'true'], { timeoutMs: 60_000 });
  assert.is.not(none.code, 0);
  assert.match(none.stderr, 'tbon.interface-hint 203.0.113.0/24: no interface address in that network');
});

test.run();
