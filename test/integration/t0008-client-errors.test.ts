/** Client-side failures: nothing listening at FLUX_URI, and a broker that goes away mid-command. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { FLUX, flux, startInstance, tmpdir } from '../helpers/flux';

test('FLUX_URI pointing nowhere: one line naming the path, exit 1', () => {
  for (const cmd of [['getattr', 'rank'], ['lsattr'], ['uptime'], ['setattr', 'log-stderr-level', '3']]) {
    const r = flux(cmd, { env: { FLUX_URI: 'local:///nonexistent/sock' } });
    assert.equal([r.code, r.stdout], [1, ''], cmd.join(' '));
    assert.is(r.stderr, 'flux: flux_open: cannot connect to local:///nonexistent/sock: No such file or directory\n');
  }
  for (const cmd of [['dmesg'], ['ping', '0'], ['module', 'list'], ['exec', 'true'], ['logger', 'x']]) {
    const r = flux(cmd, { env: { FLUX_URI: 'local:///nonexistent/sock' } });
    assert.is(r.code, 1, cmd.join(' '));
    assert.match(r.stderr, /^flux-[a-z]+: flux_open: cannot connect to local:\/\/\/nonexistent\/sock: No such file or directory\n$/, cmd.join(' '));
  }
});

test('a socket nobody listens on: connection refused, naming the path', async () => {
  const t = tmpdir();
  const sock = path.join(t.dir, 'dead.sock');
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(sock, () => r()));
  // close the listener but keep the file: connect() gets ECONNREFUSED
  await new Promise<void>((r) => {
    srv.close(() => r());
  });
  if (!fs.existsSync(sock)) fs.writeFileSync(sock, '');
  try {
    const r = flux(['getattr', 'rank'], { env: { FLUX_URI: `local://${sock}` } });
    assert.is(r.code, 1);
    assert.match(r.stderr, new RegExp(`^flux: flux_open: cannot connect to local://${sock.replace(/[.]/g, '\\.')}: (Connection refused|No such file or directory)\\n$`));
  } finally {
    t.cleanup();
  }
});

test('broker goes away under flux dmesg -f: one line, non-zero exit', async () => {
  const inst = await startInstance();
  try {
    const child = spawn(FLUX, ['dmesg', '-f', '-n'], { env: { ...process.env, ...inst.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? 128)));
    // the follower is attached once a new entry reaches it; stop the instance after that
    const attached = new Promise<void>((resolve) => {
      child.on('exit', () => resolve());
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('attach-marker')) resolve();
      });
    });
    const timer = setInterval(() => inst.flux(['logger', 'attach-marker']), 200);
    try {
      await attached;
    } finally {
      clearInterval(timer);
    }
    const rc = await inst.stop();
    assert.is(rc, 0);
    const code = await exited;
    assert.is.not(code, 0);
    const lines = err.trimEnd().split('\n');
    assert.is(lines.length, 1, err);
    assert.match(lines[0]!, /^flux-dmesg: lost connection to the broker at local:\/\/.*\/local-0$/);
  } finally {
    inst.kill();
  }
});

test.run();
