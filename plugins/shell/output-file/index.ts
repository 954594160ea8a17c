/**
 * output-file: output redirection (`--output`/`--error`, shell options
 * output.{stdout,stderr}.{type,path,label}, output.mode). Each task's
 * redirected streams go to files named by templates, relative to the job's
 * cwd (a task tag: a file per task; a node tag or `{{tmpdir}}`: a file per
 * node; routes.ts). A file per node or per task is opened and written by the
 * shell of its node (shell side), on that node's filesystem; the job's one
 * file by the leader (rank 0), which also posts the `redirect` events. An
 * unknown tag in a file name is the job's exception before anything runs.
 * Lines are prefixed `<rank>: ` when output.<stream>.label is set. stderr
 * follows stdout to its file unless told otherwise. The files are opened and
 * written by the host (openOutput) before the tasks start: a FIFO, a full
 * disk or /dev/full fails the job, never the broker.
 */
import { badTagPhrase, defineShellPlugin, ShellError, templateScope, unknownTag, type ShellOptions, type Stream, type StreamOpt } from '../../../modules/job-exec/plugin-api';
import { leaderRoutes, redirectEvents, shellRoutes, type Target, type Wanted } from './routes';
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
  if (bad !== undefined) throw new ShellError(`${badTagPhrase(bad)} in ${stream} file name '${template}'`);
}

/** the redirected streams of the job's options */
function wantedOf(options: ShellOptions): Wanted[] {
  const wanted: Wanted[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    const t = target(options, stream);
    if (t) wanted.push({ stream, template: t.path, label: t.label });
  }
  return wanted;
}

/** write a chunk of task `rank` to its file */
function put(t: Target, rank: string, data: string | Buffer): void {
  // labels go on the lines of the bytes, which are written as they are
  t.sink.write(t.label ? labelLines(data, `${rank}: `) : data);
}

export default defineShellPlugin({
  name: 'output-file',
  leader(ctx) {
    const wanted = wantedOf(ctx.options);
    for (const w of wanted) checkTemplate(w.stream, w.template);
    if (wanted.length === 0) return undefined;
    let routes: Map<Stream, Target> | undefined;
    return {
      // after every plugin's shell.init (the tasks are placed), before the host opens the files
      startEvents: () => {
        routes ??= leaderRoutes(ctx, wanted, ctx.options.output?.mode === 'append');
        return redirectEvents(ctx, wanted);
      },
      output(stream, rank, data) {
        const t = routes?.get(stream);
        if (!t) return false;
        put(t, rank, data);
        return true;
      },
    };
  },
  shell(ctx) {
    // the job's one file is the leader's; a shell opens its node's and its tasks'
    const wanted = wantedOf(ctx.options).filter((w) => templateScope(w.template) !== 'job' && unknownTag(w.template) === undefined);
    if (wanted.length === 0) return undefined;
    let routes: Map<Stream, Map<number, Target>> | undefined;
    return {
      'shell.init': () => {
        routes = shellRoutes(ctx, wanted, ctx.options.output?.mode === 'append');
      },
      output(stream, rank, data) {
        const t = routes?.get(stream)?.get(Number(rank));
        if (!t) return false;
        put(t, rank, data);
        return true;
      },
    };
  },
});
