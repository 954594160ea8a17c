/**
 * output-file: output redirection (`--output`/`--error`, shell options
 * output.{stdout,stderr}.{type,path,label}, output.mode). The leader sends the
 * redirected streams of every task to files named by templates, relative to the
 * job's cwd (a task tag: a file per task; a node tag: a file per node;
 * routes.ts), and posts `redirect` events. An unknown tag, or `{{tmpdir}}`,
 * in a file name is the job's exception before anything runs. Lines are prefixed `<rank>: ` when
 * output.<stream>.label is set. stderr follows stdout to its file unless told
 * otherwise. The files are opened and written by the host (openOutput): a
 * FIFO, a full disk or /dev/full fails the job, never the broker.
 */
import { defineShellPlugin, ShellError, unknownTag, usesTag, type ShellOptions, type Stream, type StreamOpt } from '../../../modules/job-exec/plugin-api';
import { resolveRoutes, type Routes, type Wanted } from './routes';
import { labelLines } from '../../../lib/io-data';

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

/** a file name template the shell cannot expand: the job's exception, before anything runs */
function checkTemplate(stream: Stream, template: string): void {
  const bad = unknownTag(template);
  if (bad !== undefined) throw new ShellError(`unknown template tag '${bad}' in ${stream} file name '${template}'`);
  // the job's tmpdir is made by each shell as it starts, after its files are open
  if (usesTag(template, 'tmpdir')) throw new ShellError(`template tag '{{tmpdir}}' is not supported in ${stream} file name '${template}'`);
}

export default defineShellPlugin({
  name: 'output-file',
  leader(ctx) {
    const wanted: Wanted[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const t = target(ctx.options, stream);
      if (!t) continue;
      checkTemplate(stream, t.path);
      wanted.push({ stream, template: t.path, label: t.label });
    }
    if (wanted.length === 0) return undefined;
    let routes: Routes | undefined;
    return {
      // after every plugin's shell.init (the tasks are placed), before the host opens the files
      startEvents: () => (routes ??= resolveRoutes(ctx, wanted, ctx.options.output?.mode === 'append')).events,
      output(stream, rank, data) {
        const t = routes?.byRank.get(stream)?.[Number(rank)];
        if (!t) return false;
        // labels go on the lines of the bytes, which are written as they are
        t.sink.write(t.label ? labelLines(data, `${rank}: `) : data);
        return true;
      },
    };
  },
});
