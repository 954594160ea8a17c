/**
 * Which file each task's stream goes to, decided once the task ranks are
 * placed (after every plugin's shell.init: a taskmap may move tasks between
 * nodes) and before any file opens. A template with a task tag names a file
 * per task; else one with a node tag a file per node, for the tasks of that
 * node's shell; else one file for the job. Templates that name the same path
 * share its file (stderr following stdout to per-task files, say). Each file
 * gets its `redirect` event naming the task ranks that write to it.
 */
import * as path from 'node:path';
import { idset } from '../../../kernel/api';
import { shellTaskRanks, templateScope, type LeaderContext, type OutputSink, type Stream } from '../../../modules/job-exec/plugin-api';

export interface Target {
  sink: OutputSink;
  path: string;
  label: boolean;
}

/** a redirected stream as the options name it */
export interface Wanted {
  stream: Stream;
  template: string;
  label: boolean;
}

export interface Routes {
  /** each stream's file, by task rank */
  byRank: Map<Stream, Target[]>;
  /** `redirect` events for the output eventlog, in the order of `wanted`, then of the files */
  events: Array<{ name: string; context: Record<string, unknown> }>;
}

export function resolveRoutes(ctx: LeaderContext, wanted: readonly Wanted[], append: boolean): Routes {
  const byPath = new Map<string, OutputSink>();
  const open = (p: string, label: boolean): Target => {
    const abs = path.resolve(ctx.cwd, p);
    let sink = byPath.get(abs);
    if (sink === undefined) {
      sink = ctx.openOutput(abs, { append, display: p });
      byPath.set(abs, sink);
    }
    return { sink, path: p, label };
  };
  const shells = [...ctx.placements].sort((a, b) => a.shellRank - b.shellRank).map((p) => ({ shellRank: p.shellRank, ranks: shellTaskRanks(p) }));
  const byRank = new Map<Stream, Target[]>();
  const events: Routes['events'] = [];
  const redirect = (stream: Stream, rank: string, p: string) => events.push({ name: 'redirect', context: { stream, rank, path: p } });
  for (const w of wanted) {
    const targets = new Array<Target>(ctx.ntasks);
    const scope = templateScope(w.template);
    if (scope === 'job') {
      const t = open(ctx.expand(w.template), w.label);
      targets.fill(t);
      redirect(w.stream, ctx.allRanks, t.path);
    } else if (scope === 'node') {
      for (const s of shells) {
        if (s.ranks.length === 0) continue;
        const t = open(ctx.expand(w.template, { shellRank: s.shellRank }), w.label);
        for (const r of s.ranks) targets[r] = t;
        redirect(w.stream, idset.encode(s.ranks, { brackets: true }), t.path);
      }
    } else {
      for (const s of shells) {
        s.ranks.forEach((id, index) => (targets[id] = open(ctx.expand(w.template, { shellRank: s.shellRank, task: { id, index } }), w.label)));
      }
      targets.forEach((t, rank) => redirect(w.stream, String(rank), t.path));
    }
    byRank.set(w.stream, targets);
  }
  return { byRank, events };
}
