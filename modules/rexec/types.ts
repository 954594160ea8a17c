/**
 * The rexec wire protocol (TypeScript shapes): `rexec.exec` streams the life of
 * one process; `rexec.write` feeds its stdin; `rexec.kill` signals it.
 */

/** `rexec.exec` request (streaming). */
export interface ExecRequest {
  /** argv; cmd[0] is looked up on PATH */
  cmd: string[];
  /** working directory (default: the broker's); missing -> /tmp with a notice on stderr */
  cwd?: string;
  /** full environment (default: the broker's) */
  env?: Record<string, string>;
}

/** `rexec.exec` responses, in order: started, output*, exit, then ENODATA. */
export type ExecResponse =
  | { type: 'started'; pid: number }
  /** data is base64 so any bytes survive */
  | { type: 'output'; stream: 'stdout' | 'stderr'; data: string; encoding: 'base64' }
  /** status is a wait status as Flux reports it: exit code << 8, or the signal number */
  | { type: 'exit'; status: number };

/** `rexec.write {pid, data?, eof?}` -> {} */
export interface WriteRequest {
  pid: number;
  /** base64 bytes for the process's stdin */
  data?: string;
  eof?: boolean;
}

/** `rexec.kill {pid, signum}` -> {} */
export interface KillRequest {
  pid: number;
  signum: number;
}
