/**
 * The broker's own knobs through the real `flux start` (issue 11):
 * tbon.connect_timeout (config key and attribute) limits one attempt of a
 * follower to reach a parent that does not answer; tbon.interface-hint picks
 * the address a TCP overlay binds, and one naming nothing is refused in one
 * line; log-syslog-enable/level send the broker's entries to /dev/log as
 * Flux formats them (a receiver stands in for the syslog daemon), and
 * `flux setattr` changes them at run time.
 * (log-filename, broker.rc1_path/rc3_path and statedir: t1000, t1041.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { flux, tmpdir } from '../helpers/flux';
import { killGroup, startBroker as follower } from '../helpers/loopback-brokers';
import { until } from '../helpers/wait';
import { deafListener } from '../helpers/deaf-listener';
import { skipped } from '../helpers/skip';


test('tbon.connect_timeout: a follower gives up one attempt on a deaf parent after it, and retries', async () => {
  const t = tmpdir();
  const deaf = await deafListener();
  const uri = `tcp://127.0.0.1:${deaf.port}`;
  const cert = path.join(t.dir, 'ct.cert');
  assert.is(flux(['keygen', cert]).code, 0);
  const toml = path.join(t.dir, 'ct.toml');
  fs.writeFileSync(toml, `[bootstrap]\ncurve_cert = "${cert}"\nhosts = [ { host = "ct0", bind = "${uri}", connect = "${uri}" }, { host = "ct1" } ]\n[tbon]\nconnect_timeout = "1s"\n`);
  const fromConfig = follower([`-o,--config-path=${toml},-Shostname=ct1,-Slog-stderr-level=6`]);
  const fromAttr = follower([`-o,--config-path=${toml},-Shostname=ct1,-Slog-stderr-level=6,-Stbon.connect_timeout=1.5s`]);
  try {
    const line = (s: string) => `overlay.info[1]: cannot connect to parent ct0 (rank 0) at ${uri}: connect ETIMEDOUT: no answer in ${s}; retrying`;
    await until(() => fromConfig.stderr().includes(line('1s')), 'the 1s timeout line', 30_000);
    await until(() => fromAttr.stderr().includes(line('1.5s')), 'the 1.5s timeout line', 30_000);
  } finally {
    for (const f of [fromConfig, fromAttr]) killGroup(f);
    deaf.close();
    t.cleanup();
  }
});

test('tbon.interface-hint: the TCP overlay binds the address it names; one naming nothing is refused', () => {
  const r = flux(['start', '--test-size=2', '-Stbon.prefertcp=1', '-Stbon.interface-hint=127.0.0.0/8', 'flux', 'getattr', 'tbon.endpoint'], { timeoutMs: 60_000 });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^tcp:\/\/127\.0\.0\.1:\d+\n$/);
  const bad = flux(['start', '--test-size=2', '-Stbon.prefertcp=1', '-Stbon.interface-hint=nosuch0', 'true'], { timeoutMs: 60_000 });
  assert.is.not(bad.code, 0);
  assert.match(bad.stderr, /overlay\.err\[0\]: tbon\.interface-hint nosuch0: not an interface here, default-route, hostname, or an IPv4 CIDR\n/);
});

const DEV_LOG = '/dev/log';

/** A stand-in syslog daemon: each datagram to /dev/log becomes one line of `file`. */
function syslogReceiver(file: string): ChildProcess {
  const py = [
    'import socket, sys',
    's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
    `s.bind(${JSON.stringify(DEV_LOG)})`,
    'print("ready", flush=True)',
    `f = open(${JSON.stringify(file)}, "ab", buffering=0)`,
    'while True:',
    '    f.write(s.recv(65536) + b"\\n")',
  ].join('\n');
  return spawn('python3', ['-c', py], { stdio: ['ignore', 'pipe', 'inherit'] });
}

test('log-syslog-enable/level: entries at or above the level reach syslog as Flux sends them; setattr changes both', async () => {
  const name = 'log-syslog-enable/level: entries at or above the level reach syslog as Flux sends them; setattr changes both';
  if (fs.existsSync(DEV_LOG)) return skipped(name, 'a syslog daemon owns /dev/log on this machine');
  const t = tmpdir('flux-t1042-');
  const file = path.join(t.dir, 'syslog');
  const rx = syslogReceiver(file);
  try {
    let ready = '';
    rx.stdout!.on('data', (d) => (ready += d));
    await until(() => ready.includes('ready'), 'the receiver to bind /dev/log');
    const script = [
      'flux logger --severity=notice hello-notice',
      'flux logger --severity=info hidden-info',
      'flux setattr log-syslog-level 6',
      'flux logger --severity=info shown-info',
      'flux setattr log-syslog-enable 0',
      'flux logger --severity=err after-off',
    ].join('; ');
    const r = flux(['start', '-Slog-syslog-enable=1', '-Slog-syslog-level=5', 'sh', '-c', script]);
    assert.is(r.code, 0, r.stderr);
    await until(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('shown-info'), 'the entries to arrive');
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').filter((l) => /logger\./.test(l));
    const user = os.userInfo().username;
    assert.is(lines.length, 2, lines.join('\n'));
    assert.match(lines[0]!, new RegExp(`^<13>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d flux\\[\\d+\\]: ${user}@/ logger\\.notice\\[0\\]: hello-notice$`));
    assert.match(lines[1]!, /^<14>.* logger\.info\[0\]: shown-info$/);
  } finally {
    rx.kill();
    fs.rmSync(DEV_LOG, { force: true });
    t.cleanup();
  }
  for (const [a, err] of [
    ['log-syslog-enable=2', 'Error parsing log-syslog-enable attribute (0 or 1)'],
    ['log-syslog-level=9', 'Error parsing log-syslog-level attribute'],
  ]) {
    const b = flux(['start', `-S${a}`, 'true']);
    assert.is(b.code, 1);
    assert.match(b.stderr, new RegExp(`${err.replace(/[()]/g, '\\$&')}\\n$`));
    assert.is(b.stderr.trim().split('\n').length, 1, b.stderr);
  }
});

test.run();
