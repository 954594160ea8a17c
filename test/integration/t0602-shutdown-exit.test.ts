/**
 * Honest ends (issue 9): `flux shutdown` of an instance whose initial program
 * still runs (`flux start sleep 300`) succeeds: the broker going away is what
 * it asked for, so it exits 0 without "lost connection", through the warm
 * client pool or not, and by URI from outside the instance.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { FLUX, ROOT, run } from '../helpers/flux';

interface Started {
  uri: string;
  proc: ChildProcess;
  exited: Promise<number>;
}

const started = new Set<ChildProcess>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `flux start sh -c 'echo $FLUX_URI; exec sleep 300'`, up and with its URI */
function startSleeping(): Promise<Started> {
  const proc = spawn(FLUX, ['start', 'sh', '-c', 'echo "$FLUX_URI"; exec sleep 300'], {
    env: { ...process.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}` },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.add(proc);
  const exited = new Promise<number>((res) => proc.on('exit', (code, sig) => res(code ?? 128 + (sig ? (os.constants.signals[sig] ?? 0) : 0))));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    proc.stderr!.on('data', (d) => (err += d));
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ uri: out.split('\n')[0]!.trim(), proc, exited });
    });
    void exited.then(() => reject(new Error(`flux start ended before it was up: ${err}`)));
  });
}

function killAll(): void {
  for (const p of started) {
    try {
      process.kill(-p.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  started.clear();
}

/** wait until `uri`'s pool has an idle warm client */
async function poolIdle(uri: string): Promise<void> {
  for (let k = 0; k < 200; k++) {
    const r = run('flux', ['module', 'stats', 'cli-pool'], { env: { FLUX_URI: uri, FLUX_CLI_POOL: '0' } });
    if (r.code === 0 && (JSON.parse(r.stdout) as { idle: number }).idle >= 1) return;
    await sleep(50);
  }
  throw new Error('no idle warm client');
}

test.after(() => killAll());

for (const pool of [1, 0] as const) {
  test(`flux shutdown in an instance running sleep 300 exits 0 (FLUX_CLI_POOL=${pool})`, async () => {
    const inst = await startSleeping();
    try {
      if (pool === 1) await poolIdle(inst.uri);
      const r = run('flux', ['shutdown'], { env: { FLUX_URI: inst.uri, FLUX_CLI_POOL: String(pool) } });
      assert.not.match(r.stderr, /lost connection/);
      assert.is(r.code, 0, r.stderr);
      await inst.exited;
    } finally {
      killAll();
    }
  });
}

test('flux shutdown URI from outside the instance exits 0', async () => {
  const inst = await startSleeping();
  try {
    const r = run('flux', ['shutdown', inst.uri], { env: { FLUX_URI: '' } });
    assert.not.match(r.stderr, /lost connection/);
    assert.is(r.code, 0, r.stderr);
    await inst.exited;
  } finally {
    killAll();
  }
});

test.run();
