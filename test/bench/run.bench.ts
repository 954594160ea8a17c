/**
 * flux run latency bench: median wall time of `flux run true` (size 1) and
 * `flux run -N3 --label-io hostname` (size 3), beside flux-core 0.88's figures
 * (111 ms and 130 ms), three ways:
 *   warm         a command at a time, the pool refilled between them (300 ms
 *                apart): what a user typing commands gets
 *   back-to-back one right after the other: the pool's replacements start while
 *                the next commands run (2 cores here)
 *   no pool      FLUX_CLI_POOL=0: every command starts Node
 */
import { spawnSync } from 'node:child_process';
import { startInstance, type Instance } from '../helpers/flux';

const RUNS = 21;

interface Mode {
  name: string;
  pauseMs: number;
  env: NodeJS.ProcessEnv;
}

const MODES: Mode[] = [
  { name: 'warm', pauseMs: 300, env: {} },
  { name: 'back-to-back', pauseMs: 0, env: {} },
  { name: 'no pool', pauseMs: 0, env: { FLUX_CLI_POOL: '0' } },
];

function pause(ms: number): void {
  if (ms > 0) spawnSync('sleep', [String(ms / 1000)]);
}

function medianMs(inst: Instance, args: string[], mode: Mode): number {
  const t: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    pause(mode.pauseMs);
    const t0 = process.hrtime.bigint();
    const r = inst.flux(args, { env: mode.env });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.code !== 0) throw new Error(`flux ${args.join(' ')} failed: ${r.stderr.slice(0, 300)}`);
    if (i >= 2) t.push(ms); // two warm-up runs
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

async function rows(size: number, args: string[], flux: number): Promise<string[]> {
  const inst = await startInstance([`--test-size=${size}`]);
  try {
    return MODES.map((m) => {
      const ms = medianMs(inst, args, m);
      return `${`flux ${args.join(' ')}`.padEnd(36)} ${String(size).padStart(4)}  ${m.name.padEnd(12)} ${ms.toFixed(1).padStart(9)} ${flux.toFixed(0).padStart(15)} ${`${((100 * ms) / flux).toFixed(0)}%`.padStart(8)}`;
    });
  } finally {
    await inst.stop().catch(() => inst.kill());
  }
}

async function main(): Promise<void> {
  const out = [...(await rows(1, ['run', 'true'], 111)), ...(await rows(3, ['run', '-N3', '--label-io', 'hostname'], 130))];
  console.log(`${'command'.padEnd(36)} size  ${'mode'.padEnd(12)} median ms  ms (flux 0.88)  of flux`);
  for (const r of out) console.log(r);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
