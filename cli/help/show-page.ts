/**
 * `flux help CMD`: CMD's manual page. With `man` on PATH: `man flux-CMD` (the
 * front end has put flux-ts's pages first on MANPATH, so an installed page or
 * the one built in this checkout is found), else the built page file with
 * `man -l`; without `man`, the Markdown source on stdout.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { DOCS_DIR, MAN_DIR, SECTIONS } from './manpath';
import { runForeground } from '../run-command';

export type PageOutcome = { status: number } | { error: string };

/** the first file that exists among dist/man/manN/flux-CMD.N and docs/manN/flux-CMD.md */
function find(dir: string, page: string, ext: (s: string) => string): string | undefined {
  for (const s of SECTIONS) {
    const f = path.join(dir, `man${s}`, `${page}${ext(s)}`);
    if (fs.existsSync(f)) return f;
  }
  return undefined;
}

function haveMan(): boolean {
  const r = spawnSync('man', ['--version'], { stdio: 'ignore' });
  return !r.error;
}

/** `flux-CMD`, or `flux` for the front end itself */
export function pageName(topic: string): string {
  return topic === 'flux' ? 'flux' : `flux-${topic}`;
}

export function showPage(topic: string): PageOutcome {
  if (topic.includes('/') || topic.startsWith('-')) return { error: `No manual entry for ${topic}` };
  const page = pageName(topic);
  if (haveMan()) {
    const where = spawnSync('man', ['-w', page], { stdio: 'ignore' });
    if (where.status === 0) return runForeground(['man', page]);
    const built = find(MAN_DIR, page, (s) => `.${s}`);
    if (built) return runForeground(['man', '-l', built]);
  }
  const md = find(DOCS_DIR, page, () => '.md');
  if (md) {
    process.stdout.write(fs.readFileSync(md, 'utf8'));
    return { status: 0 };
  }
  return { error: `No manual entry for ${page}` };
}
