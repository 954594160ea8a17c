/**
 * The broker's own knobs through the real `flux start` (issue 11):
 * tbon.connect_timeout (config key and attribute) limits one attempt of a
 * follower to reach a parent that does not answer; tbon.interface-hint picks
 * the address a TCP overlay binds, and one naming nothing is refused in one
 * line; log-syslog-enable is refused (no syslog sink).
 * (log-filename, broker.rc1_path/rc3_path and statedir: t1000, t1041.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FLUX, ROOT, flux, tmpdir } from '../helpers/flux';
import { until } from '../helpers/wait';
import { deafListener } from '../helpers/deaf-listener';


function follower(args: string[]): { proc: ChildProcess; stderr(): string } {
  const proc = spawn(FLUX, ['start', ...args, 'true'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
    env: { ...process.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}` },
  });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  return { proc, stderr: () => err };
}

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
    for (const f of [fromConfig, fromAttr]) {
      try {
        process.kill(-f.proc.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
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

test('log-syslog-enable and log-syslog-level are refused in one line', () => {
  for (const a of ['log-syslog-enable=1', 'log-syslog-level=5']) {
    const r = flux(['start', `-S${a}`, 'true']);
    assert.is(r.code, 1);
    assert.match(r.stderr, new RegExp(`^flux-broker: ${a.split('=')[0]}: setting this attribute is not supported by flux-ts`));
    assert.is(r.stderr.trim().split('\n').length, 1);
  }
});

test.run();
