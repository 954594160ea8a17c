/**
 * flux run latency bench: median wall time of `flux run true` (size 1) and
 * `flux run -N3 --label-io hostname` (size 3), beside flux-core 0.88's figures
 * (111 ms and 130 ms).
 */
import { startInstance, type Instance } from '../helpers/flux';

const RUNS = 21;

function medianMs(inst: Instance, args: string[]): number {
  const t: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t0 = process.hrtime.bigint();
    const r = inst.flux(args);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.code !== 0) throw new Error(`flux ${args.join(' ')} failed: ${r.stderr.slice(0, 300)}`);
    if (i >= 2) t.push(ms); // two warm-up runs
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

async function row(size: number, args: string[], flux: number): Promise<string> {
  const inst = await startInstance([`--test-size=${size}`]);
  try {
    const ms = medianMs(inst, args);
    return `${`flux ${args.join(' ')}`.padEnd(36)} ${String(size).padStart(4)} ${ms.toFixed(1).padStart(14)} ${flux.toFixed(0).padStart(15)}`;
  } finally {
    await inst.stop().catch(() => inst.kill());
  }
}

async function main(): Promise<void> {
  const rows = [await row(1, ['run', 'true'], 111), await row(3, ['run', '-N3', '--label-io', 'hostname'], 130)];
  console.log(`${'command'.padEnd(36)} size  median ms (ts)  ms (flux 0.88)`);
  for (const r of rows) console.log(r);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
