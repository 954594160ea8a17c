/**
 * Typed view of the job shell options the in-process shell understands
 * (`attributes.system.shell.options`, flux-shell-options(7)): output and input
 * redirection and labels. Unknown options are ignored, as Flux does.
 */

export interface StreamFileOpt {
  type?: string;
  path?: string;
  label?: boolean;
}

export interface ShellOptions {
  output?: { stdout?: StreamFileOpt; stderr?: StreamFileOpt; mode?: string };
  input?: { stdin?: { type?: string; path?: string } };
  [key: string]: unknown;
}

/** The shell options of a jobspec (empty object if none). */
export function shellOptions(jobspec: { attributes?: { system?: Record<string, unknown> } }): ShellOptions {
  const shell = jobspec.attributes?.system?.['shell'] as { options?: ShellOptions } | undefined;
  return shell?.options ?? {};
}

/** Where a stream goes: a file path template, or undefined for the output eventlog. */
export function fileTarget(opts: ShellOptions, stream: 'stdout' | 'stderr'): { path: string; label: boolean } | undefined {
  const out = opts.output ?? {};
  const o = out[stream];
  if (o && (o.type === 'file' || (o.type === undefined && o.path)) && o.path && o.path !== 'none' && o.path !== 'kvs') {
    return { path: o.path, label: !!o.label };
  }
  // stderr follows stdout to its file unless told otherwise
  if (stream === 'stderr' && (!o || o.type === undefined)) {
    const so = fileTarget(opts, 'stdout');
    if (so) return { path: so.path, label: !!(o?.label ?? out.stdout?.label) };
  }
  return undefined;
}

/** File to read task stdin from, if any. */
export function inputFile(opts: ShellOptions): string | undefined {
  const i = opts.input?.stdin;
  if (i && (i.type === 'file' || i.type === undefined) && i.path) return i.path;
  return undefined;
}
