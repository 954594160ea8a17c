/**
 * strsignal(3) text (glibc) for Linux signals: what flux-job, flux-exec,
 * flux-start and the broker print for a process killed by a signal.
 */
import { constants } from 'node:os';

const TEXT: Record<number, string> = {
  1: 'Hangup',
  2: 'Interrupt',
  3: 'Quit',
  4: 'Illegal instruction',
  5: 'Trace/breakpoint trap',
  6: 'Aborted',
  7: 'Bus error',
  8: 'Floating point exception',
  9: 'Killed',
  10: 'User defined signal 1',
  11: 'Segmentation fault',
  12: 'User defined signal 2',
  13: 'Broken pipe',
  14: 'Alarm clock',
  15: 'Terminated',
  16: 'Stack fault',
  17: 'Child exited',
  18: 'Continued',
  19: 'Stopped (signal)',
  20: 'Stopped',
  21: 'Stopped (tty input)',
  22: 'Stopped (tty output)',
  23: 'Urgent I/O condition',
  24: 'CPU time limit exceeded',
  25: 'File size limit exceeded',
  26: 'Virtual timer expired',
  27: 'Profiling timer expired',
  28: 'Window changed',
  29: 'I/O possible',
  30: 'Power failure',
  31: 'Bad system call',
};

export function strsignal(signo: number): string {
  return TEXT[signo] ?? (signo >= 34 && signo <= 64 ? `Real-time signal ${signo - 34}` : `Unknown signal ${signo}`);
}

/** strsignal(3) text for a Node signal name such as 'SIGKILL'. */
export function strsignalName(name: string): string {
  const n = (constants.signals as Record<string, number>)[name];
  return n === undefined ? name : strsignal(n);
}

/** Node's name of signal number `signo` ('SIGKILL'), undefined for a number it has none for. */
export function signalName(signo: number): NodeJS.Signals | undefined {
  for (const [name, n] of Object.entries(constants.signals)) if (n === signo) return name as NodeJS.Signals;
  return undefined;
}

/** A wait status as a shell's exit code: the process's exit code, or 128 + the signal that killed it. */
export function waitStatusExitCode(status: number): number {
  const sig = status & 0x7f;
  return sig ? 128 + sig : (status >> 8) & 0xff;
}
