/**
 * `flux start --test-size=N --test-in-process`: all N brokers in this one
 * process, linked by the in-process overlay (overlay/inproc-*.ts: no sockets,
 * no encryption, no PMI). Each broker is the same Broker as in its own
 * process: rank 0 serves the local socket at local-uri and runs the initial
 * program, every rank loads its modules (modprobe.toml) and has its own
 * local-<rank> socket, so every `flux` command works on any rank. The brokers
 * share one reaper (kernel/state/shared-process); a deadly signal to the
 * process reaches rank 0, which ends the instance in order.
 * The instance exits with the largest exit code (any) or rank 0's (leader);
 * after the first broker (any) or rank 0 (leader) ends, those that do not
 * follow within --test-exit-timeout are abandoned and named.
 */
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encode as encodeIdset } from '../../lib/formats/idset';
import { longTimeout, type LongTimer } from '../../lib/long-timer';
import { Broker, SharedProcess, guardBrokerStdio, parseBrokerArgs } from '../../kernel/main';
import { InprocHub } from '../../overlay/factory';
import { CommandExit } from '../base-command';
import type { StartCommand } from '../commands/start';
import { parseTestOptions } from './test-mode';
import { checkSize } from './size-limit';
import { makeRundir } from './rundir';
import { postUriMemo } from './uri-memo';
import { connectInstance } from './connect-instance';
import { refuseLiveRundir } from './rundir-in-use';

/** Options that name something only separate broker processes have. */
function refuseOptions(cmd: StartCommand): void {
  const no = (opt: string, why: string): never => {
    throw new CommandExit(1, `flux-start: ${opt} does not apply to --test-in-process (${why})`);
  };
  if (cmd.wrap !== undefined) no('--wrap', 'no broker process to wrap');
  if (cmd.testStartMode !== undefined) no('--test-start-mode', 'every rank starts in this process');
  if (cmd.testPmiClique !== undefined) no('--test-pmi-clique', 'the brokers boot without PMI');
}

export async function runInProcess(cmd: StartCommand, n: number): Promise<number> {
  refuseOptions(cmd);
  const o = parseTestOptions(cmd, n);
  if (o.rundir !== undefined) await refuseLiveRundir(o.rundir);
  const say = (s: string) => process.stderr.write(`flux-start: ${s}\n`);
  let base;
  try {
    base = parseBrokerArgs([...cmd.brokerArgs(), ...cmd.programWords()]);
  } catch (e) {
    throw new CommandExit(1, `flux-broker: ${(e as Error).message}`);
  }
  let rundir = o.rundir;
  let removeRundir = o.rundir !== undefined && o.rundirCleanup;
  if (cmd.verbose > 0) say(`${n} brokers in process ${process.pid}: ${[...cmd.brokerArgs(), ...cmd.programWords()].join(' ')}`);
  if (cmd.noexec) return 0;
  checkSize(n, true);
  if (rundir === undefined) {
    rundir = makeRundir();
    removeRundir = true;
  }
  rundir = path.resolve(rundir);

  guardBrokerStdio();
  const named = base.setattrs.filter(([k]) => k === 'hostname').pop()?.[1];
  const hosts = Array.from({ length: n }, (_, r) => o.hosts?.[r] ?? named ?? os.hostname());
  const shared = new SharedProcess((text) => say(text));
  // a signal to the process is a signal to the instance: rank 0 acts on it (its
  // initial program gets SIGHUP) and the tree shuts down in order behind it
  const quiet = new EventEmitter().setMaxListeners(0);
  const hub = new InprocHub({ size: n, hosts, signals: quiet, signalsOf: (r) => (r === 0 ? shared.signals : quiet) });
  const rcs: Array<number | undefined> = new Array(n).fill(undefined);
  const live = new Set<number>();
  let timer: LongTimer | undefined;
  let expired = false;
  let finish: () => void = () => {};
  const allDone = new Promise<void>((resolve) => (finish = resolve));
  const startTimer = () => {
    if (timer !== undefined || live.size === 0 || o.exitTimeout === Infinity) return;
    const expire = () => {
      if (live.size === 0) return;
      say(`Exit timeout: abandoned rank ${encodeIdset([...live].sort((a, b) => a - b))}`);
      expired = true;
      for (const r of live) rcs[r] = 137;
      finish();
    };
    if (o.exitTimeout === 0) expire();
    else timer = longTimeout(expire, o.exitTimeout * 1000);
  };

  for (let r = 0; r < n; r++) {
    const setattrs: Array<[string, string]> = [...base.setattrs, ['rundir', rundir]];
    if (o.hosts) setattrs.push(['hostname', o.hosts[r]!]);
    const args = { ...base, setattrs, program: r === 0 ? base.program : [] };
    const own = { signals: r === 0 ? shared.signals : quiet, reaper: shared.reaper };
    const broker = new Broker(args, { treeFactory: hub.factory(r), onRun: r === 0 ? postUriMemo : undefined, connectInstance, shared: own });
    live.add(r);
    broker.run().then(
      (rc) => ended(r, rc),
      (e: Error) => {
        say(`${r}: ${e.stack ?? e.message}`);
        ended(r, 1);
      },
    );
  }
  function ended(r: number, rc: number): void {
    if (!live.delete(r) || expired) return;
    rcs[r] = rc;
    hub.gone(r);
    if (rc !== 0 && r !== 0) say(`${r} (in process) exited with rc=${rc}`);
    if (o.exitMode === 'any' || r === 0) startTimer();
    if (live.size === 0) finish();
  }

  await allDone;
  timer?.clear();
  await shared.finish();
  if (removeRundir && !expired) fs.rmSync(rundir, { recursive: true, force: true });
  if (o.exitMode === 'leader') return rcs[0] ?? 1;
  return Math.max(...rcs.map((rc) => rc ?? 1));
}
