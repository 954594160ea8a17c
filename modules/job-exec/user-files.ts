/**
 * A guest's job tmpdir (FLUX_JOB_TMPDIR) and file archive (`flux batch`'s
 * script), made by processes running as the guest (user-proc.ts) before its
 * tasks start, and the tmpdir removed as the guest after they end (ADR 0017,
 * "What the shell writes for a guest"). As Flux's shell does when the
 * broker's rundir is not the job user's, the tmpdir is made under the job's
 * TMPDIR when the guest may write there, else under /tmp: `mktemp -d
 * DIR/jobtmp-SHELLRANK-ID-XXXXXX`, mode 0700. Each archive entry is one
 * `cat > DIR/NAME` with the data on its stdin, then chmod to its mode.
 */
import type { ImpUser } from './imp';
import { reasonOf, runAsUser } from './user-proc';

const MKDIR = 'umask 077; p=$2; { [ -n "$p" ] && [ -d "$p" ] && [ -w "$p" ]; } || p=/tmp; exec mktemp -d "$p/jobtmp-$1-XXXXXX"';
const WRITE = 'umask 077; cat > "$1" && exec chmod "$2" "$1"';
const REMOVE = 'exec rm -rf -- "$1"';

interface Entry {
  data?: unknown;
  mode?: unknown;
  encoding?: unknown;
}

/** the tmpdir made, or the job's one-line error (refused: the IMP's own refusal) */
export async function stageAsUser(as: ImpUser, tag: string, tmpdir: string | undefined, files: unknown): Promise<{ dir: string } | { error: string; refused?: boolean }> {
  const made = await runAsUser(as, MKDIR, [tag, tmpdir ?? '']);
  const dir = made.stdout.trim();
  if (made.code !== 0 || !dir.startsWith('/') || dir.includes('\n')) {
    const why = reasonOf(made.stderr, `exited with status ${made.code}`);
    // the IMP refused (a signature that does not verify, its config): nothing of the job runs, its line says why
    if (why.startsWith('flux-imp: ')) return { error: why, refused: true };
    return { error: `error creating FLUX_JOB_TMPDIR as uid ${as.userid}: ${why}` };
  }
  if (typeof files !== 'object' || files === null) return { dir };
  for (const [name, f] of Object.entries(files as Record<string, Entry>)) {
    if (name.includes('/') || name === '..' || name === '.' || name === '' || typeof f?.data !== 'string') {
      removeAsUser(as, dir);
      return { error: `file archive: bad entry ${JSON.stringify(name)}` };
    }
    const data = f.encoding === 'base64' ? Buffer.from(f.data, 'base64') : f.data;
    const mode = typeof f.mode === 'number' ? f.mode & 0o7777 : 0o600;
    const w = await runAsUser(as, WRITE, [`${dir}/${name}`, mode.toString(8)], data);
    if (w.code !== 0) {
      removeAsUser(as, dir);
      return { error: `file archive: ${name}: ${reasonOf(w.stderr, `exited with status ${w.code}`)}` };
    }
  }
  return { dir };
}

/** remove the tmpdir as the user (nothing waits for it) */
export function removeAsUser(as: ImpUser, dir: string): void {
  void runAsUser(as, REMOVE, [dir]);
}
