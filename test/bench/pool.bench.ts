/**
 * The warm client pool's hand-over cost: median wall time of `flux getattr
 * rank` (the smallest round trip to the broker) by what the command inherits:
 *   0-2          stdin, stdout, stderr only
 *   + fd 3       one more descriptor, passed at its number (PMI_FD in a job)
 *   + fds 3-20   some of them are the warm client's own: it declines, and the
 *                launcher starts Node (what every such command costs)
 *   no pool      FLUX_CLI_POOL=0: every command starts Node
 * A command at a time, 300 ms apart, so that the pool has refilled.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync, type StdioOptions } from 'node:child_process';
import { FLUX, ROOT, startInstance, type Instance } from '../helpers/flux';

const RUNS = 21;

interface Mode {
  name: string;
  extra: number;
  env: NodeJS.ProcessEnv;
}

const MODES: Mode[] = [
  { name: '0-2', extra: 0, env: {} },
  { name: '+ fd 3', extra: 1, env: {} },
  { name: '+ fds 3-20', extra: 18, env: {} },
  { name: 'no pool', extra: 0, env: { FLUX_CLI_POOL: '0' } },
];

function pause(ms: number): void {
  spawnSync('sleep', [String(ms / 1000)]);
}

function medianMs(inst: Instance, mode: Mode): number {
  const fd = fs.openSync('/dev/null', 'r');
  const stdio: StdioOptions = ['ignore', 'pipe', 'pipe', ...Array.from({ length: mode.extra }, () => fd)];
  const env = { ...process.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}`, ...inst.env, ...mode.env };
  const t: number[] = [];
  try {
    for (let i = 0; i < RUNS + 2; i++) {
      pause(300);
      const t0 = process.hrtime.bigint();
      const r = spawnSync(FLUX, ['getattr', 'rank'], { stdio, env, encoding: 'utf8' });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0 || r.stdout !== '0\n') throw new Error(`flux getattr rank (${mode.name}) failed: ${r.stderr.slice(0, 300)}`);
      if (i >= 2) t.push(ms); // two warm-up runs
    }
  } finally {
    fs.closeSync(fd);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

async function main(): Promise<void> {
  const inst = await startInstance();
  try {
    console.log(`${'command'.padEnd(20)} ${'inherits'.padEnd(12)} median ms`);
    for (const m of MODES) console.log(`${'flux getattr rank'.padEnd(20)} ${m.name.padEnd(12)} ${medianMs(inst, m).toFixed(1).padStart(9)}`);
  } finally {
    await inst.stop().catch(() => inst.kill());
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1; // let the error line drain; nothing else keeps the loop alive
});
