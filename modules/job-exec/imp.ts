/**
 * The IMP of this broker (`[exec] imp`, flux-imp(8), ADR 0017): the
 * setuid-root helper through which a guest's tasks run as their submitter. The
 * broker spawns `flux-imp exec USERID J` in place of flux-task (native-spawn.ts
 * `via`), and signals what runs as another user with `flux-imp kill SIGNUM PID`
 * (a child process: nothing waits for it on the event loop).
 */
import { execFile } from 'node:child_process';

/** who a task runs as, through which IMP */
export interface ImpUser {
  /** the IMP's absolute path */
  imp: string;
  userid: number;
  /** the job's signed jobspec (a MUNGE credential), or '-' when the job has none */
  J: string;
}

/** how long one `flux-imp kill` may take */
const KILL_TIMEOUT_MS = 10_000;

/**
 * Signal pid (negative: a process group) as the IMP: the error line of a
 * refusal or a failure, undefined once sent. A process already gone is no error.
 */
export function impKill(imp: string, pid: number, signum: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(imp, ['kill', String(signum), String(pid)], { timeout: KILL_TIMEOUT_MS }, (err, _out, stderr) => {
      if (!err || /No such process/.test(stderr)) resolve(undefined);
      else resolve(stderr.trim().split('\n')[0] || err.message);
    });
  });
}
