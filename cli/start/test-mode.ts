/**
 * `flux start --test-size=N` (commands.md §1.3, §1.4): make the shared rundir,
 * spawn N brokers of this build, each with PMI_FD/PMI_RANK/PMI_SIZE and an extra
 * socketpair served by PmiServer, log broker deaths as Flux does, kill the rest
 * after --test-exit-timeout, and exit with the max (any) or rank 0's (leader)
 * code. Nothing survives: brokers are killed, the rundir removed.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as net from 'node:net';
import { expand as expandHostlist } from '../../lib/formats/hostlist';
import { encode as encodeIdset } from '../../lib/formats/idset';
import { parse as parseFsd } from '../../lib/formats/fsd';
import { longTimeout, type LongTimer } from '../../lib/long-timer';
import { CommandExit } from '../base-command';
import { strsignalName } from '../../lib/strsignal';
import { strerror } from '../../lib/errno';
import type { StartCommand } from '../commands/start';
import { PmiServer } from '../../lib/pmi/server';
import { processMapping } from './pmi-mapping';
import { parkForNode } from '../../lib/node-env';
import { refuseLiveRundir } from './rundir-in-use';
import { checkSize } from './size-limit';
import { errnoText, makeRundir } from './rundir';
import { forwardTargets } from './forward-policy';
import { START_FD_ENV, START_RUNDIR_ENV } from '../../lib/front-end-watch';
import { BrokerZygote, ZYGOTE_MAX_RANKS, zygoteAvailable } from './zygote';

export interface TestOptions {
  size: number;
  hosts: string[] | undefined;
  /** seconds; Infinity = never */
  exitTimeout: number;
  exitMode: 'any' | 'leader';
  startMode: 'all' | 'leader';
  rundir: string | undefined;
  rundirCleanup: boolean;
  mapping: string | undefined;
}

const fail = (msg: string): never => {
  throw new CommandExit(1, `flux-start: ${msg}`);
};

/** Check the --test-* options with Flux's messages. */
export function parseTestOptions(cmd: StartCommand, n: number): TestOptions {
  let hosts: string[] | undefined;
  if (cmd.testHosts !== undefined) {
    try {
      hosts = expandHostlist(cmd.testHosts);
    } catch {
      fail('could not decode --test-hosts hostlist');
    }
    if (hosts!.length !== n) fail('--test-hosts hostlist has incorrect size');
  }
  let exitTimeout = 20;
  const t = cmd.testExitTimeout ?? cmd.killerTimeout;
  if (t !== undefined) {
    if (t === 'none') exitTimeout = Infinity;
    else {
      try {
        exitTimeout = parseFsd(t);
      } catch {
        fail(`flux-start: Invalid argument for option 'test-exit-timeout': '${t}'`);
      }
    }
  }
  const exitMode = cmd.testExitMode ?? 'any';
  if (exitMode !== 'any' && exitMode !== 'leader') fail(`unknown --test-exit-mode: ${exitMode}`);
  const startMode = cmd.testStartMode ?? 'all';
  if (startMode !== 'all' && startMode !== 'leader') fail(`unknown --test-start-mode: ${startMode}`);
  // what test mode sets on each broker itself: a -S of it would be overridden, never honoured
  for (const w of cmd.brokerArgs()) {
    const m = /^(?:-S|--setattr=)(rundir|hostname)=/.exec(w);
    if (m?.[1] === 'rundir') fail('-Srundir: --test-size gives each broker a rundir of its own (use --test-rundir=DIR)');
    if (m?.[1] === 'hostname') fail('-Shostname: --test-size names each broker (use --test-hosts=HOSTLIST)');
  }
  if (cmd.testRundir === '') fail('--test-rundir: empty value');
  if (cmd.testRundir !== undefined) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(cmd.testRundir);
    } catch (e) {
      fail(`${cmd.testRundir}: ${errnoText(e)}`);
    }
    if (!st!.isDirectory()) fail(`${cmd.testRundir}: not a directory`);
  }
  let mapping: string | undefined;
  try {
    mapping = processMapping(cmd.testPmiClique ?? 'single', n);
  } catch (e) {
    fail(`test-pmi-clique: ${(e as Error).message}`);
  }
  return {
    size: n,
    hosts,
    exitTimeout,
    exitMode: exitMode as 'any' | 'leader',
    startMode: startMode as 'all' | 'leader',
    rundir: cmd.testRundir,
    rundirCleanup: cmd.testRundirCleanup,
    mapping,
  };
}


interface Broker {
  rank: number;
  argv: string[];
  pid?: number;
  /** a signal to this broker (spawned, or forked by the zygote) */
  kill?: (sig: NodeJS.Signals) => void;
  /** exit code (signal -> 128+signo) once exited */
  rc?: number;
  /** died of a signal flux start did not send: lost at run time */
  lost?: boolean;
  /** killed by the exit timer */
  expired?: boolean;
}

/** The command line of one broker: [wrap...] node broker-entry.js ARGS [program on rank 0]. */
export function brokerCommand(cmd: StartCommand, o: TestOptions, rundir: string, rank: number): string[] {
  const wrap = (cmd.wrap ?? '').split(',').filter((w) => w.length > 0);
  // `--`: Node 20 reads --env-file anywhere on its command line, the initial program's arguments too
  const argv = [...wrap, process.execPath, '--', path.join(__dirname, '..', 'broker-entry.js'), ...cmd.brokerArgs(), `--setattr=rundir=${rundir}`];
  if (o.hosts) argv.push(`--setattr=hostname=${o.hosts[rank]}`);
  if (rank === 0) argv.push(...cmd.programWords());
  return argv;
}

function brokerEnv(rank: number, size: number, rundir: string, removeRundir: boolean): NodeJS.ProcessEnv {
  const env = parkForNode(process.env);
  for (const k of Object.keys(env)) if (k.startsWith('PMI_')) delete env[k];
  env['PMI_FD'] = '3';
  env['PMI_RANK'] = String(rank);
  env['PMI_SIZE'] = String(size);
  env['FLUX_START_URI'] = `local://${rundir}/start`;
  // the brokers shut down if this front end dies, even by SIGKILL (lib/front-end-watch.ts)
  env[START_FD_ENV] = '4';
  if (removeRundir) env[START_RUNDIR_ENV] = rundir;
  else delete env[START_RUNDIR_ENV];
  return env;
}

export async function runTestInstance(cmd: StartCommand, n: number): Promise<number> {
  const o = parseTestOptions(cmd, n);
  if (o.rundir !== undefined) await refuseLiveRundir(o.rundir);
  const say = (s: string) => process.stderr.write(`flux-start: ${s}\n`);
  if (!cmd.noexec) checkSize(n, false);
  let rundir = o.rundir;
  let removeRundir = o.rundir !== undefined && o.rundirCleanup;
  if (rundir === undefined) {
    rundir = makeRundir();
    removeRundir = true;
  }
  rundir = path.resolve(rundir);
  const brokers: Broker[] = [];
  for (let r = 0; r < n; r++) brokers.push({ rank: r, argv: brokerCommand(cmd, o, rundir, r) });
  if (cmd.verbose > 0) for (const b of brokers) say(`${b.rank}: ${b.argv.join(' ')}`);
  if (cmd.noexec) {
    if (removeRundir) fs.rmSync(rundir, { recursive: true, force: true });
    return 0;
  }

  const live = new Set<Broker>();
  let timer: LongTimer | undefined;
  /** brokers are being started; a signal then, or the exit timer's kill, halts that */
  let starting = true;
  let halted = false;
  let interrupted: NodeJS.Signals | undefined;
  /** the last signal forwarded (cli/start/forward-policy.ts) */
  let lastSignal: NodeJS.Signals | undefined;
  let finish: () => void = () => {};
  const allDone = new Promise<void>((resolve) => (finish = resolve));

  const killAll = (sig: NodeJS.Signals) => {
    for (const b of live) {
      try {
        b.kill?.(sig);
      } catch {
        /* already gone */
      }
    }
  };
  const server = new PmiServer({
    size: n,
    kvsname: '-',
    preput: o.mapping !== undefined ? new Map([['PMI_process_mapping', o.mapping]]) : undefined,
    trace: cmd.verbose > 1 ? (rank, dir, line) => process.stderr.write(`${rank}: ${dir}: ${line}\n`) : undefined,
    onAbort: (rank, _code, msg) => {
      say(`${rank}: PMI_Abort(): ${msg}`);
      killAll('SIGKILL');
    },
    onProtocolError: (rank, text) => say(`${rank}: PMI protocol error: ${text}`),
    onWarning: (rank, text) => say(`${rank}: ${text}`),
  });

  const startTimer = () => {
    if (timer !== undefined || live.size === 0 || o.exitTimeout === Infinity) return;
    const expire = () => {
      if (live.size === 0) return;
      say(`Exit timeout: killed rank ${encodeIdset([...live].map((b) => b.rank))}`);
      for (const b of live) b.expired = true;
      halted = true;
      killAll('SIGKILL');
    };
    if (o.exitTimeout === 0) expire();
    else timer = longTimeout(expire, o.exitTimeout * 1000);
  };

  const exited = (b: Broker, rc: number, how: string | undefined) => {
    if (!live.has(b)) return;
    live.delete(b);
    b.rc = rc;
    if (how) say(`${b.rank} (pid ${b.pid ?? '?'}) ${how}`);
    server.rankGone(b.rank, `rank ${b.rank} ${rc > 128 && how && !how.startsWith('exited') ? `died: ${how}` : `exited with status ${rc}`}`);
    if (o.exitMode === 'any' || b.rank === 0) startTimer();
    // rank 0 ended after a signal only it was given: the others get it now (leaving already, or not brokers at all)
    if (b.rank === 0 && lastSignal !== undefined) killAll(lastSignal);
    if (live.size === 0 && !starting) finish();
  };

  // Forward SIGINT/SIGTERM (and SIGHUP) and stay to collect the brokers. Once they are
  // up, the first goes to rank 0 alone: it ends its initial program, cancels the jobs
  // (SIGTERM, SIGKILL after the kill timeout) and tells the followers to leave, so that
  // every task and nested instance can clean up (cli/start/forward-policy.ts).
  // A second one, or one while the brokers start (which also ends the start: none
  // starts after it), goes to every broker, and the exit timer then makes sure a
  // broker that ignores it does not outlive us.
  let forwarded = false;
  let signals = 0;
  const forward = (sig: NodeJS.Signals) => {
    forwarded = true;
    lastSignal = sig;
    if (starting) interrupted ??= sig;
    const to = forwardTargets([...live].map((b) => b.rank), { starting, count: ++signals });
    for (const b of live) {
      if (!to.includes(b.rank)) continue;
      try {
        b.kill?.(sig);
      } catch {
        /* already gone */
      }
    }
    if (to.length === live.size) startTimer();
  };
  const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of sigs) process.on(s, forward);
  // If we die anyway, no broker survives us.
  const reap = () => killAll('SIGKILL');
  process.on('exit', reap);

  const ended = (b: Broker, code: number | null, signal: NodeJS.Signals | null) => {
    if (signal) {
      const rc = 128 + (os.constants.signals[signal] ?? 0);
      b.lost = !b.expired && !forwarded;
      exited(b, rc, strsignalName(signal));
    } else {
      exited(b, code ?? 1, code ? `exited with rc=${code}` : undefined);
    }
  };

  const startBroker = (b: Broker) => {
    if (zygote !== undefined && b.rank > 0) {
      forkBroker(b, zygote);
      return;
    }
    const [file, ...args] = b.argv;
    // Followers get a session of their own: a terminal's ^C (SIGINT to our process
    // group) then reaches us and rank 0 only, and the instance shuts down in order,
    // as for a signal sent to us (forward above); nobody's SIGKILL of our group is
    // lost on them either: they leave when our pipe closes (lib/front-end-watch.ts).
    const proc = spawn(file!, args, {
      stdio: ['inherit', 'inherit', 'inherit', 'pipe', 'pipe'],
      env: brokerEnv(b.rank, n, rundir, removeRundir),
      detached: b.rank !== 0,
    });
    // never written nor read: its end of file tells the broker this process is gone
    const guard = proc.stdio[4] as net.Socket | null;
    guard?.unref();
    proc.on('exit', () => guard?.destroy());
    b.pid = proc.pid;
    b.kill = (sig) => proc.kill(sig);
    live.add(b);
    proc.on('error', (e) => {
      if (proc.pid === undefined) {
        say(`${b.rank}: ${file}: ${errnoText(e)}`);
        exited(b, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : 126, undefined);
      }
    });
    proc.on('exit', (code, signal) => ended(b, code, signal));
    const pmiSock = proc.stdio[3] as net.Socket | null;
    if (pmiSock) server.addClient(b.rank, pmiSock);
  };

  /** rank b.rank > 0 forked by the zygote: the same sockets, the same reports */
  const forkBroker = (b: Broker, z: BrokerZygote) => {
    const { pmi, guard } = z.sockets(b.rank);
    guard?.unref();
    live.add(b);
    // a signal before the fork is done is kept for it
    let early: NodeJS.Signals | undefined;
    b.kill = (sig) => {
      early = sig;
    };
    z.start(b.rank, {
      onStart: (pid) => {
        b.pid = pid;
        b.kill = (sig) => process.kill(pid, sig);
        if (early !== undefined) b.kill(early);
      },
      onFail: (errno) => {
        pmi?.destroy();
        guard?.destroy();
        say(`${b.rank}: fork: ${strerror(errno)}`);
        exited(b, 126, undefined);
      },
      onExit: (code, signal) => {
        guard?.destroy();
        ended(b, code, signal);
      },
    });
    if (pmi) server.addClient(b.rank, pmi);
  };

  // Ranks 1 to N-1 forked from one process that has loaded the broker already
  // (ADR 0024), unless a wrapper must run each broker, or this build cannot.
  const zygote =
    n > 2 &&
    o.startMode === 'all' &&
    (cmd.wrap ?? '') === '' &&
    n - 1 <= ZYGOTE_MAX_RANKS &&
    // the hosts travel in one environment variable (at most 128 KiB on Linux)
    (o.hosts === undefined || JSON.stringify(o.hosts).length < 100_000) &&
    process.env['FLUX_TS_BROKER_ZYGOTE'] !== '0' &&
    zygoteAvailable()
      ? new BrokerZygote(n, [...cmd.brokerArgs(), `--setattr=rundir=${rundir}`], brokerEnv(1, n, rundir, removeRundir), o.hosts)
      : undefined;

  // One broker per loop turn, so that signals (and the exit timer) are seen
  // while they start: a spawn loop that never yields cannot be interrupted.
  const toStart = o.startMode === 'leader' ? brokers.slice(0, 1) : brokers;
  let started = 0;
  for (const b of toStart) {
    if (interrupted !== undefined || halted) break;
    startBroker(b);
    started++;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  starting = false;
  if (started < toStart.length) {
    for (const b of toStart.slice(started)) server.rankGone(b.rank, `rank ${b.rank} was not started`);
    if (interrupted !== undefined) say(`${interrupted} while starting: started ${started} of ${toStart.length} brokers`);
  }
  if (live.size === 0) finish();

  await allDone;
  zygote?.close();
  timer?.clear();
  for (const s of sigs) process.off(s, forward);
  process.off('exit', reap);
  server.close();
  if (removeRundir) fs.rmSync(rundir, { recursive: true, force: true });

  // a start cut short by a signal ends as that signal would have ended it
  if (interrupted !== undefined) return 128 + (os.constants.signals[interrupted] ?? 0);
  if (o.exitMode === 'leader') return brokers[0]!.rc ?? 1;
  // A follower lost at run time was already named on stderr; when rank 0 ended on
  // its own, the instance's status is the initial program's (Flux says 137 here).
  const leader = brokers[0]!;
  if (!leader.expired && !leader.lost && toStart.some((b) => b.lost)) {
    return Math.max(...toStart.filter((b) => !b.lost).map((b) => b.rc ?? 1));
  }
  return Math.max(...toStart.map((b) => b.rc ?? 1));
}
