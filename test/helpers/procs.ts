/**
 * Finding processes by a marker, for tests that assert what is (not) left
 * running: scan /proc for processes whose environment holds NAME=VALUE or whose
 * command line contains a string. Zombies (exited, not yet reaped) do not count:
 * they run nothing.
 */
import * as fs from 'node:fs';

export interface Proc {
  pid: number;
  ppid: number;
  state: string;
  args: string;
}

function stat(pid: number): { ppid: number; state: string } | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '?', ppid: Number(rest[1]) };
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a.length > 0).join(' ');
  } catch {
    return '';
  }
}

function environ(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/**
 * Live processes (not this one) that match: env NAME=VALUE in the environment,
 * argv a substring of the command line (words joined by spaces), args all of it.
 */
export function findProcs(match: { env?: [string, string]; argv?: string; args?: string }): Proc[] {
  const out: Proc[] = [];
  for (const ent of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(ent)) continue;
    const pid = Number(ent);
    if (pid === process.pid) continue;
    const st = stat(pid);
    if (st === undefined || st.state === 'Z' || st.state === 'X') continue;
    const args = cmdline(pid);
    if (match.argv !== undefined && !args.includes(match.argv)) continue;
    if (match.args !== undefined && args !== match.args) continue;
    if (match.env !== undefined && !environ(pid).includes(`${match.env[0]}=${match.env[1]}`)) continue;
    out.push({ pid, ppid: st.ppid, state: st.state, args });
  }
  return out;
}

/** "pid args" lines, for failure messages */
export function describe(procs: readonly Proc[]): string {
  return procs.map((p) => `${p.pid} (${p.state}, ppid ${p.ppid}) ${p.args}`).join('\n');
}
