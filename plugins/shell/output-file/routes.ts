/**
 * Which file each task's stream goes to, and who opens it. A template with a
 * task tag names a file per task; else one with a node tag (or `{{tmpdir}}`,
 * each node's own) a file per node, for the tasks of that node's shell; else
 * one file for the job. As in Flux, the per-node and per-task files are
 * opened and written by the shell of the node whose tasks write them
 * (shellRoutes, on that node's filesystem); the job's one file by the leader
 * (leaderRoutes, rank 0). Templates that name the same path share its file
 * (stderr following stdout to per-task files, say).
 *
 * The leader posts a `redirect` event for each file, naming the task ranks
 * that write to it (redirectEvents), once the tasks are placed (after every
 * plugin's shell.init: a taskmap may move tasks between nodes) and before any
 * shell starts. `{{tmpdir}}` stays as written in those paths: each node's
 * job tmpdir is its own.
 */
import * as path from 'node:path';
import { idset } from '../../../kernel/api';
import { shellTaskRanks, templateScope, type LeaderContext, type OutputSink, type ShellContext, type Stream } from '../../../modules/job-exec/plugin-api';

export interface Target {
  sink: OutputSink;
  label: boolean;
}

/** a redirected stream as the options name it */
export interface Wanted {
  stream: Stream;
  template: string;
  label: boolean;
}

export type RedirectEvent = { name: string; context: Record<string, unknown> };

/** opens each path once (relative to cwd): templates naming the same file share it */
function opener(cwd: string, open: (abs: string, display: string) => OutputSink): (p: string, label: boolean) => Target {
  const byPath = new Map<string, OutputSink>();
  return (p, label) => {
    const abs = path.resolve(cwd, p);
    let sink = byPath.get(abs);
    if (sink === undefined) {
      sink = open(abs, p);
      byPath.set(abs, sink);
    }
    return { sink, label };
  };
}

/** the job's shells in shell-rank order, with their task ranks (the leader's view) */
function shellsOf(ctx: LeaderContext): Array<{ shellRank: number; ranks: number[] }> {
  return [...ctx.placements].sort((a, b) => a.shellRank - b.shellRank).map((p) => ({ shellRank: p.shellRank, ranks: shellTaskRanks(p) }));
}

/** `redirect` events for the output eventlog: in the order of `wanted`, then of the files */
export function redirectEvents(ctx: LeaderContext, wanted: readonly Wanted[]): RedirectEvent[] {
  const events: RedirectEvent[] = [];
  const redirect = (stream: Stream, rank: string, p: string) => events.push({ name: 'redirect', context: { stream, rank, path: p } });
  const shells = shellsOf(ctx);
  for (const w of wanted) {
    const scope = templateScope(w.template);
    if (scope === 'job') {
      redirect(w.stream, ctx.allRanks, ctx.expand(w.template));
    } else if (scope === 'node') {
      for (const s of shells) {
        if (s.ranks.length > 0) redirect(w.stream, idset.encode(s.ranks, { brackets: true }), ctx.expand(w.template, { shellRank: s.shellRank }));
      }
    } else {
      const byRank = new Array<string>(ctx.ntasks);
      for (const s of shells) s.ranks.forEach((id, index) => (byRank[id] = ctx.expand(w.template, { shellRank: s.shellRank, task: { id, index } })));
      byRank.forEach((p, rank) => redirect(w.stream, String(rank), p));
    }
  }
  return events;
}

/** the leader's files (templates without a node, task or tmpdir tag): each stream's one file */
export function leaderRoutes(ctx: LeaderContext, wanted: readonly Wanted[], append: boolean): Map<Stream, Target> {
  const open = opener(ctx.cwd, (abs, display) => ctx.openOutput(abs, { append, display }));
  const out = new Map<Stream, Target>();
  for (const w of wanted) if (templateScope(w.template) === 'job') out.set(w.stream, open(ctx.expand(w.template), w.label));
  return out;
}

/** a shell's files (per-node and per-task templates): each stream's file by task rank, for this shell's tasks */
export function shellRoutes(ctx: ShellContext, wanted: readonly Wanted[], append: boolean): Map<Stream, Map<number, Target>> {
  const open = opener(ctx.cwd, (abs, display) => ctx.openOutput(abs, { append, display }));
  const ranks = shellTaskRanks(ctx.placement);
  const out = new Map<Stream, Map<number, Target>>();
  for (const w of wanted) {
    const scope = templateScope(w.template);
    if (scope === 'job') continue;
    const targets = new Map<number, Target>();
    if (scope === 'node') {
      if (ranks.length === 0) continue;
      const t = open(ctx.expand(w.template), w.label);
      for (const r of ranks) targets.set(r, t);
    } else {
      ranks.forEach((id, index) => targets.set(id, open(ctx.expand(w.template, { id, index }), w.label)));
    }
    out.set(w.stream, targets);
  }
  return out;
}
