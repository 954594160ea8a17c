/**
 * Read stdin only while we own the terminal.
 *
 * A process that reads its controlling terminal from a background process
 * group is stopped by SIGTTIN and stays stopped until someone types `fg`. That
 * is what hung `id=$(flux submit ...) && flux job attach $id` under a test
 * harness (issue 17): the harness (timeout(1), a shell's `&`) ran it in a
 * process group of its own while stdin was still the terminal, and attach began
 * forwarding stdin to the job. Flux's attach is stopped the same way. A warm
 * client (cli/pool) runs in a session of its own, so it would not be stopped:
 * it would take the keystrokes meant for the foreground job instead.
 *
 * So a command that forwards stdin asks whenForeground() first. When stdin is
 * the controlling terminal of the process the command was typed in (the
 * launcher, for a warm client) and that process's group is not the terminal's
 * foreground group, reading waits until it is: checked on SIGCONT (`fg` of a
 * stopped job) and every 200 ms (`fg` of a running one sends no signal). Its
 * output is not held back: like any tool, it writes while in the background.
 */
import * as fs from 'node:fs';
import * as tty from 'node:tty';
import { originPid } from './pool/origin';

const POLL_MS = 200;

/** major and minor of a Linux dev_t as stat(2) and /proc/PID/stat encode it */
function devParts(dev: number): [number, number] {
  return [Math.floor(dev / 256) & 0xfff, (dev & 0xff) | (Math.floor(dev / 4096) & 0xfff00)];
}

/**
 * Is stdin the controlling terminal of the command's process, with that
 * process in a background process group? False whenever it cannot tell (no
 * /proc, stdin not a terminal): then reading goes on as before.
 */
export function stdinInBackground(pid: number = originPid()): boolean {
  if (!tty.isatty(0)) return false;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // after "pid (comm) ": state ppid pgrp session tty_nr tpgid
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(f[2]);
    const ttyNr = Number(f[4]);
    const tpgid = Number(f[5]);
    if (!(tpgid > 0) || ttyNr === 0) return false;
    const [maj, min] = devParts(ttyNr);
    const [smaj, smin] = devParts(fs.fstatSync(0).rdev);
    return maj === smaj && min === smin && tpgid !== pgrp;
  } catch {
    return false;
  }
}

/** Run `start` now if we may read the terminal (or stdin is not one), else once we may. */
export function whenForeground(start: () => void): void {
  if (!stdinInBackground()) {
    start();
    return;
  }
  const check = () => {
    if (stdinInBackground()) return;
    clearInterval(timer);
    process.off('SIGCONT', check);
    start();
  };
  const timer = setInterval(check, POLL_MS);
  timer.unref();
  process.on('SIGCONT', check);
}
