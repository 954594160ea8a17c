/**
 * Job throughput bench: in a size-1 and a size-4 instance, 1000 jobs via
 * `flux submit --cc=1-1000 --quiet --wait true` (jobs/s), the submit-only rate
 * (queue stopped), and rank 0 broker RSS before/after 1000 completed jobs,
 * beside flux-core 0.88's figures.
 */
import * as fs from 'node:fs';
import { startInstance, type Instance } from '../helpers/flux';

const N = 1000;

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

function timed(inst: Instance, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = inst.flux(args, { timeoutMs: 300_000 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.code !== 0) throw new Error(`flux ${args.join(' ')} failed: ${r.stderr.slice(0, 300)}`);
  return secs;
}

interface Row {
  size: number;
  jps: number;
  submitJps: number;
  rssBefore: number;
  rssAfter: number;
}

async function measure(size: number): Promise<Row> {
  const inst = await startInstance([`--test-size=${size}`]);
  try {
    const pid = Number(inst.flux(['getattr', 'broker.pid']).stdout.trim());
    const shape = size > 1 ? ['-N1'] : [];
    // warm up
    timed(inst, ['submit', '--cc=1-20', '--quiet', '--wait', ...shape, 'true']);
    const rssBefore = rssKiB(pid);
    const secs = timed(inst, ['submit', `--cc=1-${N}`, '--quiet', '--wait', ...shape, 'true']);
    const rssAfter = rssKiB(pid);
    inst.flux(['queue', 'stop', '--quiet']);
    const submitSecs = timed(inst, ['submit', `--cc=1-${N}`, '--quiet', ...shape, 'true']);
    inst.flux(['cancel', '--all']);
    inst.flux(['queue', 'start', '--quiet']);
    return { size, jps: N / secs, submitJps: N / submitSecs, rssBefore, rssAfter };
  } finally {
    await inst.stop().catch(() => inst.kill());
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const size of [1, 4]) rows.push(await measure(size));
  const flux: Record<number, string> = { 1: '66.6', 4: '52.9 (-N1)' };
  console.log('size  jobs/s (flux-ts)  jobs/s (flux 0.88)  submit jobs/s (ts / flux)  RSS before  RSS after  per job (ts / flux)');
  for (const r of rows) {
    const per = (r.rssAfter - r.rssBefore) / N;
    console.log(
      `${String(r.size).padStart(4)}  ${r.jps.toFixed(1).padStart(16)}  ${flux[r.size]!.padStart(18)}  ${`${r.submitJps.toFixed(0)} / ~1550`.padStart(25)}  ${`${(r.rssBefore / 1024).toFixed(1)} MiB`.padStart(10)}  ${`${(r.rssAfter / 1024).toFixed(1)} MiB`.padStart(9)}  ${`${per.toFixed(1)} KiB / 512 KiB`.padStart(19)}`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
