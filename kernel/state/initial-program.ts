/**
 * The initial program (rc2) and its command-line rules (flux-start(1)):
 * no words or a lone shell name -> interactive $SHELL (needs a tty); one word that
 * names an executable file -> run it; one other word -> `$SHELL -c WORD`; several
 * words -> run them as argv. The exit status becomes the instance's: the code, or
 * 128+signo for a signal; a launch failure is 127 (ENOENT) or 126 (EACCES).
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { strsignalName } from '../../lib/strsignal';
import { LINEAGE_VAR } from '../../lib/lineage';

export interface ProgramPlan {
  argv: string[];
  interactive: boolean;
  /** the words as the user gave them, for log lines */
  words: string[];
}

function shells(): Set<string> {
  try {
    return new Set(
      fs
        .readFileSync('/etc/shells', 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.startsWith('/')),
    );
  } catch {
    return new Set(['/bin/sh', '/bin/bash']);
  }
}

function isShellWord(w: string): boolean {
  if (w === 'true' || w === 'false') return false;
  for (const s of shells()) if (s === w || path.basename(s) === w) return true;
  return false;
}

function isExecutableFile(w: string): boolean {
  try {
    const st = fs.statSync(w);
    if (!st.isFile()) return false;
    fs.accessSync(w, fs.constants.R_OK | fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function planInitialProgram(words: readonly string[], env: NodeJS.ProcessEnv): ProgramPlan {
  const shell = env['SHELL'] && env['SHELL'].length > 0 ? env['SHELL'] : '/bin/sh';
  if (words.length === 0) return { argv: [shell], interactive: true, words: [shell] };
  if (words.length === 1) {
    const w = words[0]!;
    if (isShellWord(w)) return { argv: [w], interactive: true, words: [w] };
    if (!/\s/.test(w) && isExecutableFile(w)) return { argv: [w], interactive: false, words: [w] };
    return { argv: [shell, '-c', w], interactive: false, words: [w] };
  }
  return { argv: [...words], interactive: false, words: [...words] };
}

/** Variables a job or launcher set that must not leak into the instance's programs. */
const STRIP_EXACT = new Set([
  'FLUX_JOB_ID',
  'FLUX_ENCLOSING_ID',
  'FLUX_JOB_SIZE',
  'FLUX_JOB_NNODES',
  'FLUX_JOB_TMPDIR',
  'FLUX_TASK_RANK',
  'FLUX_TASK_LOCAL_ID',
  'FLUX_URI',
  'FLUX_KVS_NAMESPACE',
  'FLUX_PROXY_REMOTE',
  'FLUX_PMI_LIBRARY_PATH',
  'I_MPI_PMI_LIBRARY',
  'NOTIFY_SOCKET',
]);
const STRIP_PREFIX = ['PMI_', 'PMIX_', 'SLURM_', 'PALS_'];

export function programEnv(base: NodeJS.ProcessEnv, localUri: string, jobid?: string, lineage?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (STRIP_EXACT.has(k) || STRIP_PREFIX.some((p) => k.startsWith(p))) continue;
    env[k] = v;
  }
  env['FLUX_URI'] = localUri;
  if (jobid !== undefined) env['FLUX_ENCLOSING_ID'] = jobid;
  // the flux-reaper of the broker kills what carries this once the broker is gone
  if (lineage !== undefined) env[LINEAGE_VAR] = lineage;
  return env;
}

export interface ProgramResult {
  /** exit status as a shell reports it */
  rc: number;
  /** `Exited`, a signal description, or `error launching process: ...` */
  how: string;
  seconds: number;
}


export class RunningProgram {
  readonly child: ChildProcess;
  readonly done: Promise<ProgramResult>;
  private readonly detached: boolean;

  constructor(plan: ProgramPlan, env: NodeJS.ProcessEnv, opts: { detached: boolean; noStdin?: boolean }) {
    const start = Date.now();
    this.detached = opts.detached;
    const stdio: StdioOptions = opts.noStdin ? ['ignore', 'inherit', 'inherit'] : 'inherit';
    this.child = spawn(plan.argv[0]!, plan.argv.slice(1), { stdio, env, detached: opts.detached });
    this.done = new Promise<ProgramResult>((resolve) => {
      let spawnError: NodeJS.ErrnoException | undefined;
      this.child.once('error', (e: NodeJS.ErrnoException) => {
        spawnError = e;
        const rc = e.code === 'EACCES' ? 126 : 127;
        const text = e.code === 'EACCES' ? 'Permission denied' : 'No such file or directory';
        resolve({ rc, how: `error launching process: ${text}`, seconds: (Date.now() - start) / 1000 });
      });
      this.child.once('exit', (code, signal) => {
        if (spawnError) return;
        const seconds = (Date.now() - start) / 1000;
        if (signal) {
          const num = os.constants.signals[signal as keyof typeof os.constants.signals] ?? 0;
          resolve({ rc: 128 + num, how: strsignalName(signal), seconds });
        } else {
          resolve({ rc: code ?? 0, how: 'Exited', seconds });
        }
      });
    });
  }

  /** Signal the program (its whole process group when it has one of its own). */
  kill(sig: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      if (this.detached) process.kill(-pid, sig);
      else process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }

  /** Kill what the program left behind in its process group. */
  reapGroup(): void {
    const pid = this.child.pid;
    if (pid === undefined || !this.detached) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* group empty */
    }
  }
}
