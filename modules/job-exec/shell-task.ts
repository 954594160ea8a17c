/**
 * A task of a node's job shell: what the plugins see of it (ShellTask: argv,
 * env, cpus, rlimits, launch ...) and what the host keeps (its process, its
 * streams' eofs).
 */
import type { ChildProcess } from 'node:child_process';
import type * as net from 'node:net';
import type { ShellTask, TaskLauncher } from './plugin-api';
import type { NativeTask } from './native-spawn';
import type { PtyTask } from './pty-task';
import type { StdinTarget } from './input-source';

/** a task's process: the addon's posix_spawn, or child_process as the fallback */
export type TaskProcess = ChildProcess | NativeTask;

/** A task of this shell: what the plugins see (ShellTask) and what the host keeps. */
export class Task implements ShellTask {
  env: NodeJS.ProcessEnv;
  cpus?: number[];
  rlimits: Array<[number, number]> = [];
  wantFd3 = false;
  launch?: TaskLauncher;
  status?: number;
  proc?: TaskProcess;
  /** a task a plugin's launcher started (the pty plugin: on a pseudo-terminal) */
  run?: PtyTask;
  done = false;
  code = 0;
  /** known to have started or failed to (flux-task may report an exec failure after the pipes closed) */
  settled?: boolean;
  /** eofs of streams whose pipe ended before the task was done, posted once it is (after its exit line) */
  heldEofs?: string[];
  /** streams whose eof was posted */
  eofs?: Set<string>;

  constructor(
    readonly rank: number,
    readonly local: number,
    public argv: string[],
    env: NodeJS.ProcessEnv,
  ) {
    this.env = env;
  }

  get pid(): number | undefined {
    return this.proc?.pid ?? this.run?.pid;
  }

  get fd3(): net.Socket | undefined {
    return (this.proc?.stdio[3] as net.Socket | null | undefined) ?? undefined;
  }
}

/** a launched (pty) task's input as a StdinTarget (a terminal takes what it is given; ^D ends it) */
export function runTarget(t: Task): StdinTarget {
  return {
    write(chunk) {
      if (t.run && !t.done) t.run.write(chunk);
      return true;
    },
    end() {
      if (t.run && !t.done) t.run.write('\x04');
    },
    whenReady: (cb) => setImmediate(cb),
    get done() {
      return t.done;
    },
  };
}
