/**
 * The process a command was typed in. A command that a warm client runs
 * (cli/pool/worker) was typed in the launcher, another process: what Flux reads
 * from the submitting process itself (its resource limits) is read from there.
 */
let origin = process.pid;

export function originPid(): number {
  return origin;
}

export function setOriginPid(pid: number): void {
  origin = pid;
}
