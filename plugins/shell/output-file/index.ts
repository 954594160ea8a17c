/**
 * Output redirection (`--output`/`--error`, shell options output.*): the leader
 * writes the redirected streams of every task to files named by templates,
 * relative to the job's cwd, and tells the output eventlog with `redirect`
 * events. Lines are prefixed `<rank>: ` when output.<stream>.label is set.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expandTemplate, type TemplateContext } from './template';
import { fileTarget, type ShellOptions } from './options';

type Stream = 'stdout' | 'stderr';

interface Target {
  fd: number;
  path: string;
  label: boolean;
}

export class FileOutput {
  private readonly targets = new Map<Stream, Target>();

  private constructor() {}

  /** undefined when neither stream is redirected; throws if a file cannot be opened */
  static create(opts: ShellOptions, ctx: TemplateContext, cwd: string): FileOutput | undefined {
    const fo = new FileOutput();
    const flags = opts.output?.mode === 'append' ? 'a' : 'w';
    const byPath = new Map<string, number>();
    for (const s of ['stdout', 'stderr'] as const) {
      const t = fileTarget(opts, s);
      if (!t) continue;
      const p = expandTemplate(t.path, ctx);
      const abs = path.resolve(cwd, p);
      let fd = byPath.get(abs);
      if (fd === undefined) {
        fd = fs.openSync(abs, flags, 0o644);
        byPath.set(abs, fd);
      }
      fo.targets.set(s, { fd, path: p, label: t.label });
    }
    return fo.targets.size > 0 ? fo : undefined;
  }

  /** RFC 24 `redirect` contexts to post, one per redirected stream */
  redirects(ranks: string): Array<{ stream: Stream; rank: string; path: string }> {
    return [...this.targets].map(([stream, t]) => ({ stream, rank: ranks, path: t.path }));
  }

  redirected(stream: Stream): boolean {
    return this.targets.has(stream);
  }

  /** write one data chunk; false if the stream is not redirected */
  write(stream: Stream, rank: string, data: string): boolean {
    const t = this.targets.get(stream);
    if (!t) return false;
    let text = data;
    if (t.label) {
      text = data
        .split(/(?<=\n)/)
        .map((l) => `${rank}: ${l}`)
        .join('');
    }
    fs.writeSync(t.fd, text);
    return true;
  }

  close(): void {
    const fds = new Set([...this.targets.values()].map((t) => t.fd));
    for (const fd of fds) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
    }
    this.targets.clear();
  }
}
