/**
 * The `pid:PID` resolver: the URI of the Flux instance process PID belongs to.
 * For an ordinary process, FLUX_URI in its environment (/proc/PID/environ).
 * For a flux-ts broker, whose own FLUX_URI (if any) names its parent, the
 * instance it serves: FLUX_URI of one of its child processes (the initial
 * program, a job shell), else its local socket (`local-uri`, or
 * `local-RANK` in its `rundir`, from its command line and PMI_RANK), when
 * that socket exists.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { UriError } from './errors';

const BROKER_ENTRY = /[/\\](broker-entry|broker-main)\.js$/;

async function readNul(file: string): Promise<string[] | undefined> {
  try {
    return (await fs.readFile(file, 'utf8')).split('\0').filter((w) => w.length > 0);
  } catch {
    return undefined;
  }
}

function envVar(env: readonly string[], name: string): string | undefined {
  const hit = env.find((kv) => kv.startsWith(`${name}=`));
  return hit === undefined ? undefined : hit.slice(name.length + 1);
}

/** the pids whose parent is pid */
async function children(pid: number): Promise<number[]> {
  const out: number[] = [];
  // Linux: /proc/PID/task/TID/children lists them per thread
  let tids: string[];
  try {
    tids = await fs.readdir(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tids) {
    try {
      const text = await fs.readFile(`/proc/${pid}/task/${t}/children`, 'utf8');
      for (const w of text.split(/\s+/)) if (/^\d+$/.test(w)) out.push(Number(w));
    } catch {
      /* gone, or no such file on this kernel */
    }
  }
  return out;
}

async function isSocket(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isSocket();
  } catch {
    return false;
  }
}

/**
 * The local connector's socket (`.../local-N`) a process listens on: its
 * socket descriptors (/proc/PID/fd) matched with the listening unix sockets
 * of /proc/net/unix (a broker with no child that names it, and no rundir on
 * its command line: a batch or alloc job's).
 */
async function listeningSocketOf(pid: number): Promise<string | undefined> {
  const inodes = new Set<string>();
  try {
    for (const fd of await fs.readdir(`/proc/${pid}/fd`)) {
      const m = /^socket:\[(\d+)\]$/.exec(await fs.readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''));
      if (m) inodes.add(m[1]!);
    }
    // Num RefCount Protocol Flags Type St Inode Path; Flags 00010000: listening
    for (const line of (await fs.readFile('/proc/net/unix', 'utf8')).split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length >= 8 && f[3] === '00010000' && inodes.has(f[6]!) && /\/local-\d+$/.test(f[7]!)) return f[7];
    }
  } catch {
    /* not ours to read, or gone */
  }
  return undefined;
}

function attrOf(argv: readonly string[], name: string): string | undefined {
  let v: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const m = /^(?:--setattr=|-S)(.*)$/.exec(w) ?? (w === '--setattr' || w === '-S' ? [w, argv[i + 1] ?? ''] : null);
    if (m && m[1]!.startsWith(`${name}=`)) v = m[1]!.slice(name.length + 1);
  }
  return v;
}

/** the front end (`flux ...` without the launcher's warm client) */
const FRONT_END = /[/\\]cli[/\\]entry\.js$/;

/**
 * A broker's command line: a test instance's broker, or the front end as one
 * (`flux broker`, or `flux start` without --test-size: a batch or alloc job's
 * instance, a system instance), not `flux start --test-size=N`'s front end,
 * which only starts brokers.
 */
export function isBrokerCommand(argv: readonly string[]): boolean {
  if (argv.some((w) => BROKER_ENTRY.test(w))) return true;
  const i = argv.findIndex((w) => FRONT_END.test(w));
  if (i < 0) return false;
  if (argv[i + 1] === 'broker') return true;
  return argv[i + 1] === 'start' && !argv.slice(i + 2).some((w) => /^(--test-size(=|$)|-s)/.test(w));
}

export async function resolvePid(word: string): Promise<string> {
  if (!/^\d+$/.test(word)) throw new UriError(`pid:${word}: PID must be a process id`);
  const pid = Number(word);
  const argv = await readNul(`/proc/${pid}/cmdline`);
  if (argv === undefined) throw new UriError(`pid:${word}: no such process`);
  const env = await readNul(`/proc/${pid}/environ`);
  if (env === undefined) throw new UriError(`pid:${word}: cannot read the environment of process ${pid} (not yours?)`);
  if (!isBrokerCommand(argv)) {
    const uri = envVar(env, 'FLUX_URI');
    if (uri === undefined || uri === '') throw new UriError(`pid:${word}: process ${pid} has no FLUX_URI in its environment`);
    return uri;
  }
  for (const c of await children(pid)) {
    const cenv = await readNul(`/proc/${c}/environ`);
    const uri = cenv && envVar(cenv, 'FLUX_URI');
    if (uri) return uri;
  }
  const local = attrOf(argv, 'local-uri');
  const rundir = attrOf(argv, 'rundir');
  const sock = local !== undefined ? local.replace(/^local:\/\//, '') : rundir !== undefined ? path.join(rundir, `local-${envVar(env, 'PMI_RANK') ?? '0'}`) : undefined;
  if (sock !== undefined && (await isSocket(sock))) return `local://${sock}`;
  const listening = await listeningSocketOf(pid);
  if (listening !== undefined) return `local://${listening}`;
  throw new UriError(`pid:${word}: broker ${pid} has no child with FLUX_URI and no socket found`);
}
