/**
 * output-file: output redirection (`--output`/`--error`, shell options
 * output.{stdout,stderr}.{type,path,label}, output.mode). The leader sends the
 * redirected streams of every task to files named by templates, relative to the
 * job's cwd, and posts `redirect` events. Lines are prefixed `<rank>: ` when
 * output.<stream>.label is set. stderr follows stdout to its file unless told
 * otherwise. The files are opened and written by the host (openOutput): a
 * FIFO, a full disk or /dev/full fails the job, never the broker.
 */
import * as path from 'node:path';
import { labelLines } from '../../../lib/io-data';
import { defineShellPlugin, type OutputSink, type ShellOptions, type Stream, type StreamOpt } from '../../../modules/job-exec/plugin-api';

interface Target {
  sink: OutputSink;
  path: string;
  label: boolean;
}

const isFile = (o: StreamOpt | undefined) =>
  !!o && !!o.path && (o.type === 'file' || o.type === undefined) && o.path !== 'none' && o.path !== 'kvs';

/** where a stream goes, or undefined for the output eventlog */
function target(opts: ShellOptions, stream: Stream): { path: string; label: boolean } | undefined {
  const out = opts.output ?? {};
  const o = out[stream];
  if (isFile(o)) return { path: o!.path!, label: !!o!.label };
  if (stream === 'stderr' && (!o || o.type === undefined) && isFile(out.stdout)) {
    return { path: out.stdout!.path!, label: !!(o?.label ?? out.stdout!.label) };
  }
  return undefined;
}

export default defineShellPlugin({
  name: 'output-file',
  leader(ctx) {
    const targets = new Map<Stream, Target>();
    const append = ctx.options.output?.mode === 'append';
    const byPath = new Map<string, OutputSink>();
    for (const s of ['stdout', 'stderr'] as const) {
      const t = target(ctx.options, s);
      if (!t) continue;
      const p = ctx.expand(t.path);
      const abs = path.resolve(ctx.cwd, p);
      let sink = byPath.get(abs);
      if (sink === undefined) {
        sink = ctx.openOutput(abs, { append, display: p });
        byPath.set(abs, sink);
      }
      targets.set(s, { sink, path: p, label: t.label });
    }
    if (targets.size === 0) return undefined;
    return {
      startEvents: () =>
        [...targets].map(([stream, t]) => ({ name: 'redirect', context: { stream, rank: ctx.allRanks, path: t.path } })),
      output(stream, rank, data) {
        const t = targets.get(stream);
        if (!t) return false;
        // labels go on the lines of the bytes, which are written as they are
        t.sink.write(t.label ? labelLines(data, `${rank}: `) : data);
        return true;
      },
    };
  },
});
