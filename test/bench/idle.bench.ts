/**
 * Idle memory bench (issue 13: rank 0 idle at most 48 MiB; Flux's broker 14):
 * rank 0 of `flux start --test-size=1`, once it is idle (its CPU time has not
 * moved for 5 s, and at least 8 s after start), read from /proc/PID/status and
 * smaps_rollup: VmRSS, RssAnon, RssFile and Pss. Rows: a bare `node -e` (Node's
 * own floor), the broker with broker.idle-reduce=none (no reduction when idle:
 * what it was before), the broker as built (the default), and the same broker
 * idle again after a burst of 1000 jobs (with the burst's peak, VmHWM).
 * `idle.bench.js maps` also prints where rank 0's resident pages are, by
 * mapping; `idle.bench.js plain` leaves out the broker.idle-reduce=none row.
 * Every figure is read the same way each run; none is asserted.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { Client } from '../../cli/api/client';
import { startInstance, type Instance } from '../helpers/flux';

interface Mem {
  rss: number;
  anon: number;
  file: number;
  pss: number;
  hwm: number;
}

const kib = (text: string, key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);

function memOf(pid: number): Mem {
  const st = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const roll = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return { rss: kib(st, 'VmRSS'), anon: kib(st, 'RssAnon'), file: kib(st, 'RssFile'), pss: kib(roll, 'Pss'), hwm: kib(st, 'VmHWM') };
}

/** utime + stime, in clock ticks */
function cpuTicks(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait until `pid` has used no CPU for 5 s in a row (over twice the 2 s broker.idle-reduce), and `minMs` have passed (at most 30 s). */
async function idle(pid: number, minMs: number): Promise<void> {
  const t0 = Date.now();
  let last = cpuTicks(pid);
  let still = 0;
  while (Date.now() - t0 < 30_000) {
    await sleep(500);
    const now = cpuTicks(pid);
    still = now === last ? still + 500 : 0;
    last = now;
    if (still >= 5000 && Date.now() - t0 >= minMs) return;
  }
}

/** where the resident pages of `pid` are: Rss by mapping (path and permissions), largest first */
function byMapping(pid: number): Array<[string, number]> {
  const agg = new Map<string, number>();
  let cur = '';
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const m = /^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) {
      cur = `${m[2] || '[anon]'} ${m[1]}`;
      continue;
    }
    if (line.startsWith('Rss:')) agg.set(cur, (agg.get(cur) ?? 0) + kib(line, 'Rss'));
  }
  return [...agg].sort((a, b) => b[1] - a[1]);
}

/** a bare Node, idle for a second */
function bareNode(): Promise<Mem> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
    void (async () => {
      await idle(p.pid!, 1000);
      const m = memOf(p.pid!);
      p.kill();
      resolve(m);
    })().catch(reject);
  });
}

interface Reduced {
  count: number;
  method: string;
}

async function reductions(inst: Instance): Promise<Reduced> {
  const h = await Client.connect(inst.uri);
  try {
    const r = await h.rpc<{ idle_reduce: { count: number; last: { method: string } | null } }>('broker.stats-get', {});
    return { count: r.idle_reduce.count, method: r.idle_reduce.last?.method ?? '-' };
  } catch {
    return { count: 0, method: 'n/a' };
  } finally {
    h.close();
  }
}

interface Row {
  label: string;
  mem: Mem;
  reduced?: Reduced;
}

async function broker(setattrs: string[], burst: boolean, maps: boolean): Promise<Row[]> {
  const inst = await startInstance(['--test-size=1', ...setattrs.map((s) => `-S${s}`)]);
  try {
    const pid = Number(inst.flux(['getattr', 'broker.pid']).stdout.trim());
    await idle(pid, 8000);
    const label = setattrs.length > 0 ? setattrs.join(' ') : 'default';
    const rows: Row[] = [{ label: `broker (${label}), idle`, mem: memOf(pid) }];
    if (maps) {
      console.log(`\nrank 0 (${label}), idle: resident pages by mapping (MiB)`);
      for (const [name, k] of byMapping(pid).slice(0, 10)) console.log(`${(k / 1024).toFixed(1).padStart(7)}  ${name}`);
    }
    rows[0]!.reduced = await reductions(inst);
    if (burst) {
      const r = inst.flux(['submit', '--cc=1-1000', '--quiet', '--wait', 'true'], { timeoutMs: 300_000 });
      if (r.code !== 0) throw new Error(`burst failed: ${r.stderr.slice(0, 300)}`);
      const peak = memOf(pid);
      rows.push({ label: `  after 1000 jobs, at once`, mem: peak });
      await idle(pid, 0);
      rows.push({ label: `  after 1000 jobs, idle`, mem: memOf(pid), reduced: await reductions(inst) });
    }
    return rows;
  } finally {
    await inst.stop().catch(() => inst.kill());
  }
}

function print(rows: Row[]): void {
  const mib = (k: number) => (k / 1024).toFixed(1).padStart(7);
  console.log(`\nrank 0 idle memory, MiB (goal: VmRSS <= 48; flux 0.88's broker: 14; Node's own floor: the first row)`);
  console.log(`${'process'.padEnd(46)}  ${'VmRSS'.padStart(7)}  ${'RssAnon'.padStart(7)}  ${'RssFile'.padStart(7)}  ${'Pss'.padStart(7)}  ${'VmHWM'.padStart(7)}  reductions`);
  for (const r of rows) {
    const red = r.reduced === undefined ? '' : `${r.reduced.count} (${r.reduced.method})`;
    console.log(`${r.label.padEnd(46)}  ${mib(r.mem.rss)}  ${mib(r.mem.anon)}  ${mib(r.mem.file)}  ${mib(r.mem.pss)}  ${mib(r.mem.hwm)}  ${red}`);
  }
}

async function main(): Promise<void> {
  const maps = process.argv[2] === 'maps';
  const rows: Row[] = [{ label: 'node -e (Node alone)', mem: await bareNode() }];
  // `plain`: no broker.idle-reduce row (a build from before it refuses the attribute)
  if (process.argv[2] !== 'plain') rows.push(...(await broker(['broker.idle-reduce=none'], false, maps)));
  rows.push(...(await broker([], true, maps)));
  print(rows);
}

main().catch((e: unknown) => {
  // exit once the message is written (an instance left running would keep the process alive)
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`, () => process.exit(1));
});
