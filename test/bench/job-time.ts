/**
 * Where a job's time goes in the broker (issue 13): a size-1 instance runs
 * 1000 `true` jobs with its broker under `node --cpu-prof` (flux start
 * --wrap), and each sample of the profile is charged to the part of the
 * broker whose code is nearest the top of its stack:
 *
 * - spawn: starting the task (modules/job-exec/native-spawn: the addon's
 *   posix_spawn of flux-task, its pipes), and child_process spawns
 * - shell: the rest of job execution (modules/job-exec, plugins/shell: the
 *   job shell in the broker, output log and files, exec eventlog)
 * - store: the kvs (modules/kvs) and its LMDB store (npm lmdb)
 * - messages: the kernel (router, connectors, codec, module host), lib/rpc
 *   and the Avro codec (npm avsc), and socket I/O
 * - jobs: job-ingest, job-manager and its jobtap plugins, sched
 * - gc, and the rest (other modules, Node's own code with none of ours above it)
 *
 * beside the floor: the wall time of spawning /bin/true from Node
 * (child_process.spawnSync), which no job can go below. The profiler slows
 * the broker (about 10-20 %): the row's jobs/s is the profiled run's, and the
 * broker's CPU per job without the profiler is in the main table.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startInstance } from '../helpers/flux';

export const PARTS = ['spawn', 'shell', 'store', 'messages', 'jobs', 'gc', 'other'] as const;
export type Part = (typeof PARTS)[number];

export interface Breakdown {
  jobs: number;
  jps: number;
  /** ms of broker CPU per job in each part (profiled) */
  ms: Record<Part, number>;
  /** ms per job the broker was idle */
  idle: number;
  /** ms of wall time to spawn /bin/true once from Node */
  floor: number;
}

interface ProfNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfNode[];
  samples: number[];
  timeDeltas: number[];
}

/** the part a frame's code belongs to, or undefined for code that is none of ours (Node's, natives) */
function partOf(url: string, fn: string): Part | 'idle' | undefined {
  if (url === '') {
    if (fn === '(idle)') return 'idle';
    if (fn === '(garbage collector)') return 'gc';
    return undefined;
  }
  if (url.includes('/modules/job-exec/native-spawn')) return 'spawn';
  if (url.includes('/modules/job-exec/') || url.includes('/plugins/shell/')) return 'shell';
  if (url.includes('/modules/kvs/') || url.includes('/node_modules/lmdb/')) return 'store';
  if (url.includes('/kernel/') || url.includes('/lib/rpc/') || url.includes('/node_modules/avsc/')) return 'messages';
  if (/\/modules\/(job-manager|job-ingest|sched)\//.test(url) || url.includes('/plugins/jobtap/') || url.includes('/plugins/sched/')) return 'jobs';
  if (url.startsWith('node:internal/child_process')) return 'spawn';
  if (url.startsWith('node:net') || url.startsWith('node:internal/stream_base_commons')) return 'messages';
  if (url.includes('/dist/') || url.includes('/node_modules/')) return 'other';
  return undefined;
}

/**
 * The source file of a position in a build's bundle (dist/bundle/*.js): the
 * bundles are written without whitespace (scripts/bundle.js), so a position
 * is a column of a long line; the bundle's source map (NAME.js.map, written
 * beside it, never loaded by the broker) names the file, read with Node's own
 * module.SourceMap.
 */
const maps = new Map<string, SourceMap | null>();
export function sourceOf(url: string, line: number, column = 0): string {
  if (!/\/dist\/bundle\/[^/]+\.js$/.test(url)) return url;
  let map = maps.get(url);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(fs.readFileSync(new URL(url + '.map'), 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
    } catch {
      map = null;
    }
    maps.set(url, map);
  }
  const e = map?.findEntry(line, column) as { originalSource?: string } | undefined;
  // relative to the bundle's folder: "../modules/kvs/store.js", "../../node_modules/avsc/lib/types.js"
  return e?.originalSource ? path.resolve(path.dirname(fileURLToPath(url)), e.originalSource) : url;
}

/** ms per part over `jobs` jobs: each sample charged to the nearest frame that has a part */
export function breakdown(file: string, jobs: number): { ms: Record<Part, number>; idle: number } {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  for (const n of p.nodes) n.callFrame.url = sourceOf(n.callFrame.url, n.callFrame.lineNumber, n.callFrame.columnNumber);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const part = new Map<number, Part | 'idle'>();
  const resolve = (id: number): Part | 'idle' => {
    const have = part.get(id);
    if (have) return have;
    const n = byId.get(id)!;
    const up = parent.get(id);
    const mine = partOf(n.callFrame.url, n.callFrame.functionName) ?? (up === undefined ? 'other' : resolve(up));
    part.set(id, mine);
    return mine;
  };
  const ms = Object.fromEntries(PARTS.map((k) => [k, 0])) as Record<Part, number>;
  let idle = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const t = (p.timeDeltas[i] ?? 0) / 1000 / jobs;
    const k = resolve(p.samples[i]!);
    if (k === 'idle') idle += t;
    else ms[k] += t;
  }
  return { ms, idle };
}

/** wall ms of one spawn of /bin/true from Node (median of n) */
export function spawnFloor(n = 200): number {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync('/bin/true', { stdio: 'ignore' });
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(n / 2)]!;
}

/**
 * Run `jobs` true jobs (after a warm-up) in a size-1 instance whose broker is
 * profiled, with a statedir when persistent; the profile covers the whole
 * broker run, so the warm-up and start-up are in it too (a small share).
 */
export async function profiledRun(jobs: number, persistent: boolean): Promise<Breakdown> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-bench-prof-'));
  const wrap = path.join(dir, 'wrap.sh');
  const profDir = path.join(dir, 'prof');
  fs.mkdirSync(profDir);
  fs.writeFileSync(wrap, `#!/bin/sh\nn="$1"; shift\nexec "$n" --cpu-prof --cpu-prof-dir=${profDir} "$@"\n`, { mode: 0o700 });
  const state = persistent ? [`-Sstatedir=${path.join(dir, 'state')}`] : [];
  if (persistent) fs.mkdirSync(path.join(dir, 'state'), { mode: 0o700 });
  try {
    const inst = await startInstance(['--test-size=1', `--wrap=${wrap}`, ...state]);
    let secs = 0;
    let pid = '';
    try {
      pid = inst.flux(['getattr', 'broker.pid']).stdout.trim();
      inst.flux(['submit', '--cc=1-20', '--quiet', '--wait', 'true'], { timeoutMs: 120_000 });
      const t0 = process.hrtime.bigint();
      const r = inst.flux(['submit', `--cc=1-${jobs}`, '--quiet', '--wait', 'true'], { timeoutMs: 300_000 });
      secs = Number(process.hrtime.bigint() - t0) / 1e9;
      if (r.code !== 0) throw new Error(`submit failed: ${r.stderr.slice(0, 300)}`);
    } finally {
      await inst.stop().catch(() => inst.kill());
    }
    // the broker's (processes it starts with node's options, the cli pool's clients, write their own)
    const prof = fs.readdirSync(profDir).find((f) => f.endsWith(`.${pid}.0.001.cpuprofile`));
    if (!prof) throw new Error(`the broker (pid ${pid}) wrote no profile: ${fs.readdirSync(profDir).join(' ')}`);
    const { ms, idle } = breakdown(path.join(profDir, prof), jobs + 20);
    return { jobs, jps: jobs / secs, ms, idle, floor: spawnFloor() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function printBreakdown(rows: Array<{ label: string; b: Breakdown }>): void {
  console.log(`\nwhere a job's time goes: broker CPU ms per job (node --cpu-prof, size 1, ${rows[0]?.b.jobs ?? 0} true jobs), against the floor of spawning /bin/true`);
  const head = ['store'.padEnd(9), 'jobs/s', ...PARTS, 'total', 'idle', 'floor /bin/true'];
  console.log(head.map((h, i) => (i === 0 ? h : h.padStart(i === head.length - 1 ? 16 : 8))).join(' '));
  for (const { label, b } of rows) {
    const total = PARTS.reduce((a, k) => a + b.ms[k], 0);
    const cells = [b.jps.toFixed(1), ...PARTS.map((k) => b.ms[k].toFixed(2)), total.toFixed(2), b.idle.toFixed(2)];
    console.log([label.padEnd(9), ...cells.map((c) => c.padStart(8)), b.floor.toFixed(2).padStart(16)].join(' '));
  }
}
