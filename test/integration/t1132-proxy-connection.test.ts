/**
 * flux proxy when its connection to the instance is lost while COMMAND runs
 * (flux-proxy(1)): by default one line and SIGHUP/SIGCONT to COMMAND;
 * --nohup leaves COMMAND running and waits for it; --reconnect tries again
 * every 2 seconds until an instance answers at the URI. -f/--force.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FLUX, ROOT, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

const tmp = tmpdir('flux-proxy-conn-');
const started: Instance[] = [];
const procs: ChildProcess[] = [];
const gos: string[] = [];

test.after(async () => {
  // a COMMAND left waiting (a failed test) is released: it ends by itself
  for (const g of gos) fs.writeFileSync(g, '');
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const i of started) await i.stop().catch(() => i.kill());
  tmp.cleanup();
});

async function instance(args: string[] = ['--test-size=1']): Promise<Instance> {
  const i = await startInstance(args);
  started.push(i);
  return i;
}

/** flux proxy ARGS, its output watched as it comes */
function proxy(args: string[]): { out: () => string; err: () => string; done: Promise<number> } {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}` };
  delete env['FLUX_URI'];
  const p = spawn(FLUX, ['proxy', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(p);
  let out = '';
  let err = '';
  p.stdout!.on('data', (d) => (out += d));
  p.stderr!.on('data', (d) => (err += d));
  const done = new Promise<number>((res) => p.on('close', (code, sig) => res(code ?? 128 + (sig ? (os.constants.signals[sig] ?? 0) : 0))));
  return { out: () => out, err: () => err, done };
}

/** COMMAND: says it runs (file READY), waits for file GO, prints "survived", exits 3 */
function waiter(name: string): { argv: string[]; ready: string; go: string } {
  const ready = path.join(tmp.dir, `${name}.ready`);
  const go = path.join(tmp.dir, `${name}.go`);
  gos.push(go);
  return { argv: ['sh', '-c', `: > ${ready}; while [ ! -e ${go} ]; do sleep 0.05; done; echo survived; exit 3`], ready, go };
}

test('lost connection: one line, then SIGHUP to COMMAND (exit 129); with --nohup COMMAND runs on and its exit code is the proxy\'s', async () => {
  for (const nohup of [false, true]) {
    const inst = await instance();
    const w = waiter(`hup-${nohup}`);
    const p = proxy([...(nohup ? ['--nohup'] : []), inst.uri, ...w.argv]);
    await waitUntil(() => fs.existsSync(w.ready), { what: 'COMMAND to start' });
    inst.kill();
    const line = `flux-proxy: lost connection to the broker at ${inst.uri}\n`;
    await waitUntil(() => p.err() === line, { what: `the lost-connection line; stderr: ${p.err()}` });
    fs.writeFileSync(w.go, '');
    const rc = await p.done;
    if (nohup) assert.equal([rc, p.out(), p.err()], [3, 'survived\n', line]);
    else assert.equal([rc, p.out(), p.err()], [129, '', line]);
  }
});

test('-n is --nohup', async () => {
  const inst = await instance();
  const w = waiter('n');
  const p = proxy(['-n', inst.uri, ...w.argv]);
  await waitUntil(() => fs.existsSync(w.ready), { what: 'COMMAND to start' });
  inst.kill();
  await waitUntil(() => p.err().includes('lost connection'), { what: 'the lost-connection line' });
  fs.writeFileSync(w.go, '');
  assert.equal([await p.done, p.out()], [3, 'survived\n']);
});

test('--reconnect: after a lost connection, tries every 2s until an instance answers at the URI again; COMMAND is not signalled', async () => {
  const rundir = path.join(tmp.dir, 'rundir');
  fs.mkdirSync(rundir);
  const first = await instance([`-Srundir=${rundir}`]);
  const w = waiter('reconnect');
  const p = proxy(['--reconnect', first.uri, ...w.argv]);
  await waitUntil(() => fs.existsSync(w.ready), { what: 'COMMAND to start' });
  first.kill();
  await waitUntil(() => p.err().includes('reconnecting'), { what: `the reconnecting line; stderr: ${p.err()}` });
  const second = await instance([`-Srundir=${rundir}`]);
  assert.is(second.uri, first.uri);
  await waitUntil(() => p.err().includes('reconnected'), { what: `the reconnected line; stderr: ${p.err()}`, timeoutMs: 20_000 });
  fs.writeFileSync(w.go, '');
  assert.equal(
    [await p.done, p.out(), p.err()],
    [3, 'survived\n', `flux-proxy: lost connection to the broker at ${first.uri}: reconnecting every 2s\nflux-proxy: reconnected to ${first.uri}\n`],
  );
});

test('-f/--force: connects (the broker is the same Flux version, so no warning)', async () => {
  const inst = await instance();
  for (const f of ['-f', '--force']) {
    const p = proxy([f, inst.uri, 'flux', 'getattr', 'size']);
    assert.equal([await p.done, p.out(), p.err()], [0, '1\n', '']);
  }
});

test.run();
