/**
 * Small commands back to back (issue 13, "small commands at C speed"): each
 * command N times in a row, one right after the other, inside a size-1
 * instance, the way a script or a workflow tool calls them. Wall time per
 * command as the caller sees it (spawn to exit), median and mean, beside Flux
 * 0.88's figures on this machine kind (issue 13; C tools: getattr, uptime, job
 * status; Python: jobs, resource info; run true) and the ratio. The command
 * run is the `flux` that commands inside an instance find first on PATH: the
 * launcher itself (dist/bin/flux) when the build made it, else bin/flux.
 *
 *   npm run bench commands            (N=40; BENCH_N=... to change)
 *   BENCH_POOL=0 npm run bench commands   every command in a fresh Node
 */
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { FLUX, OWN_BIN, ROOT, startInstance, type Instance } from '../helpers/flux';

/** what `flux` is inside an instance (PATH starts with its directory) */
const INSIDE = path.join(OWN_BIN, 'flux');

const N = Number(process.env['BENCH_N'] ?? 40);
const WARMUP = 3;

interface Row {
  args: string[];
  flux: number;
  goal: number;
}

function rows(jobid: string): Row[] {
  return [
    { args: ['getattr', 'rank'], flux: 4, goal: 1.5 },
    { args: ['uptime'], flux: 5, goal: 1.5 },
    { args: ['job', 'status', jobid], flux: 5, goal: 1.5 },
    { args: ['jobs'], flux: 89, goal: 0.2 },
    { args: ['resource', 'info'], flux: 89, goal: 0.2 },
    { args: ['run', 'true'], flux: 119, goal: 0.3 },
  ];
}

function envOf(inst: Instance): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}`, ...inst.env };
  if (process.env['BENCH_POOL'] === '0') env['FLUX_CLI_POOL'] = '0';
  return env;
}

function times(env: NodeJS.ProcessEnv, args: string[], cmd = INSIDE): number[] {
  const t: number[] = [];
  for (let i = 0; i < N + WARMUP; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`flux ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(0, 300)}`);
    if (i >= WARMUP) t.push(ms);
  }
  return t;
}

function median(t: number[]): number {
  const s = [...t].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const inst = await startInstance(['--test-size=1']);
  try {
    const env = envOf(inst);
    const sub = spawnSync(FLUX, ['submit', 'true'], { env, encoding: 'utf8' });
    const jobid = sub.stdout.trim();
    if (sub.status !== 0 || jobid === '') throw new Error(`flux submit true failed: ${sub.stderr}`);
    spawnSync(FLUX, ['job', 'wait-event', jobid, 'clean'], { env });
    const head = `${'command'.padEnd(22)} ${'median ms'.padStart(9)} ${'mean ms'.padStart(8)} ${'flux ms'.padStart(8)} ${'ratio'.padStart(6)} ${'goal'.padStart(5)}`;
    console.log(`N=${N} back to back, size 1, ${path.relative(ROOT, INSIDE)}${env['FLUX_CLI_POOL'] === '0' ? ', no pool' : ''}`);
    console.log(head);
    for (const r of rows(jobid)) {
      const t = times(env, r.args);
      const med = median(t);
      const mean = t.reduce((a, b) => a + b, 0) / t.length;
      const name = `flux ${r.args.join(' ')}`.replace(jobid, 'ID');
      console.log(
        `${name.padEnd(22)} ${med.toFixed(1).padStart(9)} ${mean.toFixed(1).padStart(8)} ${String(r.flux).padStart(8)} ${(med / r.flux).toFixed(2).padStart(6)} ${r.goal.toFixed(1).padStart(5)}`,
      );
    }
    // what any command costs here before it does anything: this harness's
    // spawn and a shell
    const floor = times(env, ['-c', 'exit 0'], '/bin/sh');
    console.log(`${'(sh -c "exit 0")'.padEnd(22)} ${median(floor).toFixed(1).padStart(9)} ${(floor.reduce((a, b) => a + b, 0) / floor.length).toFixed(1).padStart(8)}   spawn floor of this harness`);
    const stats = spawnSync(FLUX, ['module', 'stats', 'cli-pool'], { env, encoding: 'utf8' });
    console.log(`cli-pool: ${stats.stdout.replace(/\s+/g, ' ').trim()}`);
  } finally {
    await inst.stop().catch(() => inst.kill());
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
