/**
 * Nobody else's process serves your commands (issue 9): flux-launch hands its
 * descriptors, command line and environment only to a pool server of its own
 * uid (SO_PEERCRED). A listener of another uid at `<local-uri>.pool` gets
 * nothing: the launcher warns in one line and runs the command in Node.
 *
 * The fake pool speaks the launcher's wire protocol (native/pool-wire.h): it
 * says hello, records what it receives and answers "x0". FLUX_URI names a
 * symlink to the real instance's socket, so the command itself still reaches
 * the instance when the launcher falls back to Node.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { startInstance, run, tmpdir, type Instance } from '../helpers/flux';

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
let inst: Instance | undefined;
const tmp = tmpdir();

/** a pool that records what it is handed, served by a process of `uid` */
const FAKE_POOL = `
const net = require('net'), fs = require('fs');
const [sock, log] = process.argv.slice(1);
net.createServer((c) => {
  const hello = Buffer.alloc(8);
  hello.writeUInt32LE(0x33584c46, 0); // "FLX3": protocol version 3
  hello.writeUInt32LE(process.pid, 4);
  c.write(hello);
  let got = Buffer.alloc(0);
  c.on('data', (d) => {
    fs.appendFileSync(log, d);
    got = Buffer.concat([got, d]);
    // header (magic, version, body length, n extra descriptors), their numbers, then the body:
    // answer once it is all here
    if (got.length >= 16 && got.length >= 16 + 4 * got.readUInt32LE(12) + got.readUInt32LE(8)) c.end('x0\\n');
  });
  c.on('error', () => undefined);
}).listen(sock, () => process.stdout.write('ready\\n'));
`;

function startFake(dir: string, uid: number): Promise<{ proc: ChildProcess; log: string }> {
  const sock = path.join(dir, 'local-0.pool');
  const log = path.join(dir, 'received');
  fs.writeFileSync(log, '');
  fs.chownSync(log, uid, uid);
  const proc = spawn(process.execPath, ['-e', FAKE_POOL, sock, log], { uid, gid: uid, cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    proc.on('error', reject);
    proc.on('exit', (code) => reject(new Error(`the fake pool exited (${code})`)));
    proc.stdout!.once('data', () => resolve({ proc, log }));
  });
}

/** a directory where `uid` may listen, with local-0 leading to the real instance */
function fakeInstanceDir(name: string, uid: number): string {
  const dir = path.join(tmp.dir, name);
  fs.mkdirSync(dir);
  fs.chownSync(dir, uid, uid);
  fs.symlinkSync(inst!.uri.slice('local://'.length), path.join(dir, 'local-0'));
  return dir;
}

test.before(async () => {
  fs.chmodSync(tmp.dir, 0o755);
  inst = await startInstance();
});

test.after(async () => {
  try {
    if (inst) await inst.stop();
  } finally {
    tmp.cleanup();
  }
});

(asRoot ? test : test.skip)('a pool served by another uid gets nothing: one warning, and the command runs in Node', async () => {
  const dir = fakeInstanceDir('other', NOBODY);
  const fake = await startFake(dir, NOBODY);
  try {
    const r = run('flux', ['getattr', 'size'], { env: { FLUX_URI: `local://${dir}/local-0`, FLUX_CLI_POOL: '1', SECRET_TOKEN: 'hunter2' } });
    assert.is(r.stdout, '1\n', 'the command ran, against the instance');
    assert.is(r.code, 0);
    assert.is(
      r.stderr,
      `flux: warning: not using the warm client pool ${dir}/local-0.pool: its server runs as uid ${NOBODY}, not 0\n`,
    );
    const got = fs.readFileSync(fake.log, 'utf8');
    assert.is(got, '', 'the other uid received no command line, no environment');
  } finally {
    fake.proc.kill('SIGKILL');
  }
});

(asRoot ? test : test.skip)('the same fake pool served by our own uid is handed the command (the check is what stops it)', async () => {
  const dir = fakeInstanceDir('same', 0);
  const fake = await startFake(dir, 0);
  try {
    const r = run('flux', ['getattr', 'size'], { env: { FLUX_URI: `local://${dir}/local-0`, FLUX_CLI_POOL: '1', SECRET_TOKEN: 'hunter2' } });
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, '', 'the fake answered in place of the command');
    const got = fs.readFileSync(fake.log, 'utf8');
    assert.ok(got.includes('getattr\0size\0') && got.includes('SECRET_TOKEN=hunter2'), 'it received argv and environment');
  } finally {
    fake.proc.kill('SIGKILL');
  }
});

test.run();
