/**
 * flux start bench: median wall time of `flux start --test-size=N true` for
 * N = 1, 4, 16 (5 runs each, after one warm-up) and 64 (3 runs), and each
 * broker's peak RSS (VmHWM from /proc/<pid>/status, sampled while the brokers
 * run), beside flux-core 0.88's wall times (722 ms, 1180 ms, 2527 ms; size 64
 * estimated) and the ratio (issue 13's goal at size 64: 0.25). Size 64 runs
 * twice: followers forked by the zygote (the default, ADR 0024) and spawned
 * (FLUX_TS_BROKER_ZYGOTE=0). A forked broker's RSS counts the pages it still
 * shares with the zygote.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FLUX, ROOT } from '../helpers/flux';

const RUNS = 5;
/**
 * [size, flux-core 0.88's ms, runs]. Flux's size-64 time was not measured
 * here: it is extrapolated from its 4 -> 16 cost per broker (~112 ms), and
 * printed as an estimate.
 */
const FLUX_PER_BROKER = (2527 - 1180) / 12;
const SIZES: Array<[number, number, number, boolean]> = [
  [1, 722, RUNS, true],
  [4, 1180, RUNS, true],
  [16, 2527, RUNS, true],
  [64, Math.round(2527 + 48 * FLUX_PER_BROKER), 3, true],
  [64, Math.round(2527 + 48 * FLUX_PER_BROKER), 3, false],
];

/**
 * pids whose parent is `ppid`: the kernel's list of its main thread's children
 * (flux start spawns from it), else a scan of /proc. The scan, every 25 ms,
 * read the stat file of every process: at size 64 it cost the run ~10 %.
 */
function children(ppid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${ppid}/task/${ppid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    /* no such file (CONFIG_PROC_CHILDREN): scan */
  }
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

function vmHwmKiB(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const zygotes = new Map<number, boolean>();
/** whether pid is a broker zygote (cli/broker-zygote.js), whose children are brokers */
function isZygote(pid: number): boolean {
  let z = zygotes.get(pid);
  if (z === undefined) {
    try {
      z = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('broker-zygote.js');
    } catch {
      z = false;
    }
    zygotes.set(pid, z);
  }
  return z;
}

/** flux start's brokers: its children, and the zygote's instead of the zygote */
function brokers(front: number): number[] {
  const out: number[] = [];
  for (const c of children(front)) {
    if (isZygote(c)) out.push(...children(c));
    else out.push(c);
  }
  return out;
}

/** One `flux start -sN true`: wall ms and each broker's peak RSS (KiB). */
function once(n: number, fork = true): Promise<{ ms: number; rss: number[] }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(FLUX, ['start', `--test-size=${n}`, 'true'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}`, FLUX_TS_BROKER_ZYGOTE: fork ? '1' : '0' },
    });
    let err = '';
    p.stderr!.on('data', (d) => (err += d));
    const peak = new Map<number, number>();
    const sample = () => {
      if (p.pid === undefined) return;
      for (const c of brokers(p.pid)) {
        const kb = vmHwmKiB(c);
        if (kb !== undefined) peak.set(c, Math.max(peak.get(c) ?? 0, kb));
      }
    };
    const timer = setInterval(sample, 25);
    p.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      clearInterval(timer);
      if (code !== 0) reject(new Error(`flux start -s${n} true exited ${code}: ${err.slice(0, 400)}`));
      else resolve({ ms, rss: [...peak.values()] });
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

async function main(): Promise<void> {
  await once(1); // warm-up (file cache)
  console.log(
    `${'command'.padEnd(40)} ${'median ms (ts)'.padStart(14)} ${'min-max ms'.padStart(13)} ${'ms (flux 0.88)'.padStart(14)} ${'ratio'.padStart(6)} ${'broker peak RSS MiB (median/max)'.padStart(33)}`,
  );
  for (const [n, fluxMs, runs, fork] of SIZES) {
    const times: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await once(n, fork);
      times.push(r.ms);
      rss.push(...r.rss);
    }
    const mib = (kb: number) => (kb / 1024).toFixed(1);
    const rssText = rss.length > 0 ? `${mib(median(rss))} / ${mib(Math.max(...rss))}` : 'n/a';
    console.log(
      `${`flux start --test-size=${n} true${fork ? '' : ' (spawned)'}`.padEnd(40)} ${median(times).toFixed(0).padStart(14)} ${`${Math.min(...times).toFixed(0)}-${Math.max(...times).toFixed(0)}`.padStart(13)} ${(n === 64 ? `~${fluxMs} (est.)` : String(fluxMs)).padStart(14)} ${(median(times) / fluxMs).toFixed(2).padStart(6)} ${rssText.padStart(33)}`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
