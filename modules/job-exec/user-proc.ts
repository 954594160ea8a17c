/**
 * A small helper process run as a job's user through the IMP (ADR 0017,
 * "What the shell writes for a guest"): the same path as the job's tasks
 * (`flux-imp exec USERID J / flux-task ... /bin/sh -c SCRIPT sh ARGS...`), so
 * the IMP checks the same signature and runs nothing but its configured
 * flux-task. The job shell stages a guest's job tmpdir and file archive with
 * it (shell.ts), and the leader writes a guest's output files through one
 * (user-sink.ts): what the broker writes on a guest's behalf is the guest's.
 */
import { NativeTask, spawnTask } from './native-spawn';
import type { ImpUser } from './imp';

/** the environment of a helper: nothing of the broker's, a fixed PATH for sh's utilities */
const HELPER_ENV = { PATH: '/usr/bin:/bin', LC_ALL: 'C' };
/** the most of a helper's stdout and stderr kept */
const KEEP = 4096;

/** start `/bin/sh -c script sh args...` as the user (undefined without flux-task) */
export function spawnAsUser(as: ImpUser, script: string, args: readonly string[], env: Record<string, string> = {}): NativeTask | undefined {
  return spawnTask(['/bin/sh', '-c', script, 'sh', ...args], { ...HELPER_ENV, ...env }, '/', { pmi: false, asUser: as });
}

/**
 * The last line a helper wrote on stderr, reduced to its reason: sh, cat and
 * tee end theirs with `: <strerror text>`.
 */
export function reasonOf(stderr: string, fallback: string): string {
  const line = stderr.trim().split('\n').pop()?.trim() ?? '';
  if (line === '') return fallback;
  if (line.startsWith('flux-imp: ')) return line;
  const i = line.lastIndexOf(': ');
  return i >= 0 ? line.slice(i + 2) : line;
}

export interface UserRun {
  /** exit code (null: killed by signal) */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run script as the user with input on its stdin; resolves once it ended
 * (never rejects: a start the IMP refused is code 1 and its line on stderr).
 */
export function runAsUser(as: ImpUser, script: string, args: readonly string[], input?: string | Buffer, env?: Record<string, string>): Promise<UserRun> {
  return new Promise((resolve) => {
    const t = spawnAsUser(as, script, args, env);
    if (t === undefined) {
      resolve({ code: 1, stdout: '', stderr: "flux-ts's native helpers (flux-task) are not built here" });
      return;
    }
    let stdout = '';
    let stderr = '';
    let error: string | undefined;
    const keep = (s: string, d: Buffer) => (s.length < KEEP ? s + d.toString('utf8', 0, Math.min(d.length, KEEP)) : s);
    t.stdout?.on('data', (d: Buffer) => (stdout = keep(stdout, d)));
    t.stderr?.on('data', (d: Buffer) => (stderr = keep(stderr, d)));
    let ended = false;
    const end = (code: number | null) => {
      if (ended) return;
      ended = true;
      resolve(error !== undefined ? { code: 1, stdout, stderr: error } : { code, stdout, stderr });
    };
    // a start that failed ('error': the IMP's refusal line, or exec's errno) is the end: 'close' may not follow
    t.once('error', (e: Error) => {
      error = e.message;
      end(1);
    });
    t.once('close', end);
    if (t.stdin) {
      t.stdin.on('error', () => {});
      t.stdin.end(input ?? '');
    }
  });
}
