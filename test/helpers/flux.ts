/**
 * Test helpers: run the real `flux` command, and start real instances as separate
 * processes that are torn down (process group killed) even when a test fails.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const FLUX = path.join(ROOT, 'bin', 'flux');
/** where the `flux` that an instance's commands find lives: the launcher itself (dist/bin) when the build made it, else bin/ */
export const OWN_BIN = fs.existsSync(path.join(ROOT, 'dist', 'bin', 'flux')) ? path.join(ROOT, 'dist', 'bin') : path.join(ROOT, 'bin');

export interface Result {
  stdout: string;
  stderr: string;
  code: number;
}

export interface RunOpts {
  env?: NodeJS.ProcessEnv;
  input?: string;
  cwd?: string;
  timeoutMs?: number;
}

/** Run `flux ARGS...` to completion. */
export function flux(args: readonly string[], opts: RunOpts = {}): Result {
  return run(FLUX, args, opts);
}

/** Run any program to completion (stdin from opts.input or /dev/null). */
export function run(cmd: string, args: readonly string[], opts: RunOpts = {}): Result {
  const r = spawnSync(cmd, args, {
    env: { ...process.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}`, ...opts.env },
    input: opts.input ?? '',
    cwd: opts.cwd,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
    killSignal: 'SIGKILL',
  });
  const code = r.status ?? (r.signal ? 128 + (os.constants.signals[r.signal] ?? 0) : 1);
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', code };
}

/** Run `flux ARGS...` asynchronously (for tests that must not block the event loop). */
export function fluxAsync(args: readonly string[], opts: RunOpts = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(FLUX, args, {
      env: { ...process.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}`, ...opts.env },
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    // a command that exits without reading stdin makes this write fail (EPIPE): not the test's error
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(opts.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code: code ?? 128 + (sig ? (os.constants.signals[sig] ?? 0) : 0) });
    });
  });
}

export interface Instance {
  /** FLUX_URI of rank 0 */
  uri: string;
  /** env with FLUX_URI set, for flux() */
  env: NodeJS.ProcessEnv;
  proc: ChildProcess;
  /** stderr of `flux start` so far */
  stderr(): string;
  /** run a flux command against this instance */
  flux(args: readonly string[], opts?: RunOpts): Result;
  fluxAsync(args: readonly string[], opts?: RunOpts): Promise<Result>;
  /** end the initial program and wait for `flux start` to exit; resolves with its exit code */
  stop(): Promise<number>;
  /** kill everything (used on failure) */
  kill(): void;
}

const live = new Set<Instance>();
process.on('exit', () => {
  for (const i of live) i.kill();
});

/**
 * Start `flux start [startArgs] sh -c 'echo $FLUX_URI; cat >/dev/null'` and wait
 * for the URI. stop() closes stdin so the initial program exits. opts.env is the
 * environment of the instance and of the commands run against it (and so of
 * their jobs); opts.brokerEnv is the instance's alone (e.g. fake resources that
 * child instances must not inherit); opts.openFiles its open-file limit.
 */
/**
 * The rundir of an instance killed with SIGKILL (its brokers cannot remove
 * it): `flux start` made it as $TMPDIR/flux-XXXXXX, where the local URI
 * points. Only such a directory is removed, never what a test named itself.
 */
function removeRundir(uri: string): void {
  const dir = path.dirname(uri.replace(/^local:\/\//, ''));
  if (!/^flux-[A-Za-z0-9]{6}$/.test(path.basename(dir)) || path.dirname(dir) !== path.resolve(process.env['TMPDIR'] || os.tmpdir())) return;
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    /* a broker still dying wrote into it: left for the OS's tmp cleaning */
  }
}

export function startInstance(
  startArgs: readonly string[] = [],
  opts: { env?: NodeJS.ProcessEnv; brokerEnv?: NodeJS.ProcessEnv; timeoutMs?: number; openFiles?: number } = {},
): Promise<Instance> {
  return new Promise((resolve, reject) => {
    const argv = ['start', ...startArgs, 'sh', '-c', 'echo "$FLUX_URI"; exec cat >/dev/null'];
    // opts.openFiles: the instance runs under `ulimit -n N` (exec: the same pid, the same process group)
    const [cmd, args] = opts.openFiles === undefined ? [FLUX, argv] : ['sh', ['-c', `ulimit -n ${opts.openFiles} && exec "$0" "$@"`, FLUX, ...argv]];
    const proc = spawn(cmd, args, {
      env: { ...process.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}`, ...opts.env, ...opts.brokerEnv },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    // stop() closes stdin of an instance that may be gone already (EPIPE): not the test's error
    proc.stdin!.on('error', () => undefined);
    let out = '';
    let err = '';
    let done = false;
    const exited = new Promise<number>((res) => {
      proc.on('exit', (code, sig) => res(code ?? 128 + (sig ? (os.constants.signals[sig] ?? 0) : 0)));
    });
    const kill = () => {
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    };
    const timer = setTimeout(() => {
      if (!done) {
        kill();
        reject(new Error(`instance did not start in time; stderr: ${err}`));
      }
    }, opts.timeoutMs ?? 30_000);
    proc.stderr!.on('data', (d) => (err += d));
    proc.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0 && !done) {
        done = true;
        clearTimeout(timer);
        const uri = out.slice(0, nl).trim();
        const env = { ...opts.env, FLUX_URI: uri };
        const inst: Instance = {
          uri,
          env,
          proc,
          stderr: () => err,
          flux: (args, o = {}) => flux(args, { ...o, env: { ...env, ...o.env } }),
          fluxAsync: (args, o = {}) => fluxAsync(args, { ...o, env: { ...env, ...o.env } }),
          stop: async () => {
            proc.stdin!.end();
            const t = setTimeout(kill, 20_000);
            const rc = await exited;
            clearTimeout(t);
            live.delete(inst);
            return rc;
          },
          kill: () => {
            kill();
            live.delete(inst);
            removeRundir(uri);
          },
        };
        live.add(inst);
        resolve(inst);
      }
    });
    proc.on('exit', () => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        reject(new Error(`flux start exited before the instance was up; stderr: ${err}`));
      }
    });
  });
}

/** Does process `pid` exist (signal 0)? */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tmpdir(prefix = 'flux-ts-test-'): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
