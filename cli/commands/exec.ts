/**
 * flux exec [-r IDSET|all] [-x IDSET] [-l] [-n] [-d DIR] [-q] [-v] CMD...: run
 * a command on broker ranks through the rexec service (bypassing the
 * scheduler), relay its output and stdin, forward SIGINT/SIGTERM, and exit
 * with the largest remote exit code (launch failures 126/127/68, 128+signal).
 * --bg starts it in the background (prints RANK: PID; --waitable, --label);
 * --attach PID|LABEL follows such a process (Ctrl-C detaches).
 */
import { strsignal, waitStatusExitCode } from '../../lib/strsignal';
import * as os from 'node:os';
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import type { Client } from '../api/client';
import { FluxError } from '../../lib/errors';
import { Errno, strerror } from '../../lib/errno';
import { decode, encode } from '../../lib/formats/idset';
import { endCommand } from '../exit';
import { whenForeground } from '../foreground';
import { JobRanksError, jobRanks } from '../exec/job-ranks';

import { service } from '../api/protocol';
import type { RexecExecRequest, RexecExecResponse, RexecProtocol } from '../../lib/protocol/rexec';

const rexec = service<RexecProtocol>('rexec');

interface Task {
  rank: number;
  /** the rank printed in labels and messages: the broker rank, or with --jobid the index of the job's node */
  label: number;
  pid?: number;
  /** wait status once exited */
  status?: number;
  /** exit code for a launch failure */
  failed?: number;
  pending: Buffer[];
  partial: { stdout: string; stderr: string };
  /** output bytes written out and not yet credited back to rexec */
  uncredited: number;
  /** stdin bytes sent that rexec has not yet written to the process */
  inflight?: number;
}

/** flow control (rexec's credit): output a remote process may send ahead of what we have written out */
const WINDOW = 1 << 20;
/** credit goes back in pieces of at least this much */
const CREDIT_BATCH = 128 << 10;

/** An environment without its unset names (rexec.exec's env is a map of strings). */
function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

function launchCode(errno: number): number {
  if (errno === Errno.EPERM || errno === Errno.EACCES) return 126;
  if (errno === Errno.ENOENT) return 127;
  if (errno === Errno.EHOSTUNREACH) return 68;
  return 1;
}

export class ExecCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['exec'],
    grammar: 'getopt',
    prog: 'flux-exec',
    summary: 'Execute processes across flux ranks',
    docLine: true,
    usage: '[OPTIONS] COMMANDS...',
    options: [
      { name: 'label-io', short: 'l', description: 'Label lines of output with the source RANK' },
      { name: 'noinput', short: 'n', description: 'Redirect stdin from /dev/null' },
      { name: 'dir', short: 'd', arg: 'PATH', description: 'Set the working directory to PATH' },
      { name: 'rank', short: 'r', arg: 'IDSET', default: 'all', description: 'Specify specific target ranks.  Default is "all"' },
      { name: 'exclude', short: 'x', arg: 'IDSET', description: 'Exclude ranks from target list' },
      { name: 'jobid', short: 'j', arg: 'JOBID', description: 'Run on the nodes allocated to JOBID; --rank and --exclude index its nodes' },
      { name: 'verbose', short: 'v', description: 'Run with more verbosity.' },
      { name: 'quiet', short: 'q', description: 'Suppress extraneous output (e.g. per-rank error exit status)' },
      { name: 'with-imp', description: 'Run cmd with flux-imp run (not supported: flux-ts\'s IMP has no run command)' },
      { name: 'bg', description: 'Run processes in the background: print RANK: PID of each once started and exit; output goes to the broker log' },
      { name: 'waitable', description: 'With --bg: keep each process after it exits until flux sproc wait collects its status' },
      { name: 'label', arg: 'LABEL', description: 'Name the remote process, for flux sproc and --attach (unique on each broker)' },
      { name: 'attach', arg: 'PID|LABEL', description: 'Follow a background process: its output from now on and its exit status (Ctrl-C detaches)' },
    ],
    operands: [{ name: 'COMMANDS', nargs: '*' }],
  };

  private tasks: Task[] = [];
  private stdinDone = false;
  private h!: Client;
  private label = false;

  private idset(s: string): number[] {
    try {
      return decode(s);
    } catch {
      this.fail(`failed to decode idset '${s}': Invalid argument`);
    }
  }

  async run(): Promise<number> {
    const p = this.args;
    const cmd = p.operands;
    // Flux prepends `IMP run` (flux-imp run NAME: a command named in the IMP's config); flux-ts's IMP has only exec and kill
    if (p.has('with-imp')) this.fail('--with-imp is not supported: the flux-ts IMP has no run command (flux-imp(8))');
    const bg = p.has('bg');
    const attach = p.str('attach');
    const label = p.str('label');
    if (attach !== undefined) {
      if (bg) this.fail('--attach cannot be used with --bg');
      if (cmd.length > 0) this.fail('--attach takes a single PID or LABEL and no COMMAND');
    } else if (cmd.length === 0) {
      this.usage();
    }
    if (p.has('waitable') && !bg) this.fail('--waitable can only be used with --bg');
    if (label === '') this.fail('--label must not be empty');
    this.label = p.has('label-io');
    const verbose = p.has('verbose');
    const quiet = p.has('quiet');
    const t0 = performance.now();
    const vlog = (s: string) => verbose && process.stderr.write(`${(performance.now() - t0).toFixed(6)}ms: ${s}\n`);

    this.h = await this.connect();
    // the targets: all ranks of the instance, or (--jobid) the job's nodes; -r/-x index them
    let base: number[];
    const env: NodeJS.ProcessEnv = { ...process.env };
    const jobArg = p.str('jobid');
    if (jobArg !== undefined) {
      try {
        const j = await jobRanks(this.h, jobArg);
        base = j.ranks;
        env['FLUX_JOB_ID'] = String(j.id);
      } catch (e) {
        if (e instanceof JobRanksError) this.fail(e.message);
        throw e;
      }
    } else {
      base = [...Array(Number(await this.h.getattr('size'))).keys()];
    }
    const size = base.length;
    const rankArg = p.str('rank');
    let idx = rankArg === undefined || rankArg === 'all' ? [...Array(size).keys()] : this.idset(rankArg);
    const invalid = idx.filter((r) => r >= size);
    if (invalid.length > 0) this.fail(`One or more invalid --ranks specified: ${encode(invalid)}`);
    const exclude = p.str('exclude');
    if (exclude !== undefined) {
      const x = new Set(this.idset(exclude));
      idx = idx.filter((r) => !x.has(r));
    }
    const ranks = idx.map((i) => base[i]!);
    if (ranks.length === 0) this.fail('No targets specified');
    if (attach !== undefined) return this.attachTo(attach, ranks, jobArg !== undefined ? idx : ranks);

    const req: RexecExecRequest = { cmd, cwd: p.str('dir') ?? process.cwd(), env: definedOnly(env), credit: WINDOW };
    if (label !== undefined) req.label = label;
    this.tasks = ranks.map((rank, i) => ({ rank, label: jobArg !== undefined ? idx[i]! : rank, pending: [], partial: { stdout: '', stderr: '' }, uncredited: 0 }));
    if (bg) return this.background({ ...req, bg: true, waitable: p.has('waitable'), credit: null });
    vlog(`Starting ${cmd.join(' ')} on ${encode(ranks)}`);
    if (p.has('noinput')) this.stdinDone = true;
    else whenForeground(() => this.readStdin());
    this.forwardSignals();
    const runs = this.tasks.map((t) => this.runOne(t, req));
    vlog('Sent all requests');
    await Promise.all(runs);
    process.stdin.destroy();
    const rc = this.exitCode(quiet);
    vlog(`${this.tasks.length} tasks complete with code ${rc}`);
    return rc;
  }

  /** the largest remote exit code (a signal: 128+N, a launch failure its code); unless quiet, failures summarised by cause */
  private exitCode(quiet: boolean): number {
    let rc = 0;
    const groups = new Map<string, number[]>();
    for (const t of this.tasks) {
      if (t.failed !== undefined) {
        rc = Math.max(rc, t.failed);
        continue;
      }
      const st = t.status ?? 0;
      const code = waitStatusExitCode(st);
      rc = Math.max(rc, code);
      if (code === 0) continue;
      const why = st & 0x7f ? strsignal(st & 0x7f) : `Exit ${code}`;
      groups.set(why, [...(groups.get(why) ?? []), t.label]);
    }
    if (!quiet) {
      const sorted = [...groups].sort((a, b) => a[1][0]! - b[1][0]!);
      for (const [why, rs] of sorted) process.stderr.write(`${encode(rs, { brackets: true })}: ${why}\n`);
    }
    return rc;
  }

  private async runOne(t: Task, req: RexecExecRequest): Promise<void> {
    try {
      await rexec.stream(this.h, 'exec', req, (r) => this.onResponse(t, r), { nodeid: t.rank });
    } catch (e) {
      this.launchFailed(t, req.cmd[0]!, e as FluxError);
    }
    this.flushPartial(t);
  }

  private launchFailed(t: Task, cmd0: string, fe: FluxError): void {
    const text = fe.message.startsWith(`${cmd0}:`) ? fe.message : `${cmd0}: ${fe.bare ? strerror(fe.errno) : fe.message}`;
    process.stderr.write(`flux-exec: Error: rank ${t.label}: ${text}\n`);
    t.failed = launchCode(fe.errno);
  }

  /** --bg: start everywhere, print `RANK: PID` of each started process (in rank order), exit 1 if any failed to start */
  private async background(req: RexecExecRequest): Promise<number> {
    await Promise.all(
      this.tasks.map(async (t) => {
        try {
          await rexec.stream(this.h, 'exec', req, (r) => r.type === 'started' && (t.pid = r.pid ?? undefined), { nodeid: t.rank });
        } catch (e) {
          this.launchFailed(t, req.cmd[0]!, e as FluxError);
        }
      }),
    );
    const started = this.tasks.filter((t) => t.pid !== undefined).sort((a, b) => a.label - b.label);
    if (started.length > 0) process.stdout.write(started.map((t) => `${t.label}: ${t.pid}\n`).join(''));
    return Math.max(0, ...this.tasks.map((t) => t.failed ?? 0));
  }

  /**
   * --attach PID|LABEL: follow a background process on each target rank (a
   * pid names a process on one rank only); exit as flux exec would have. The
   * first Ctrl-C detaches, leaving it running.
   */
  private async attachTo(target: string, ranks: number[], labels: number[]): Promise<number> {
    // a number that is not a pid (beyond pid_t) is a label
    const pid = /^\d+$/.test(target) && Number(target) <= 0x7fffffff ? Number(target) : -1;
    if (pid >= 0 && ranks.length > 1) this.fail(`--attach by pid requires a single target rank (use -r RANK)`);
    this.tasks = ranks.map((rank, i) => ({ rank, label: labels[i]!, pending: [], partial: { stdout: '', stderr: '' }, uncredited: 0 }));
    const detached = new Promise<number>((resolve) =>
      process.once('SIGINT', () => {
        const where = this.tasks.filter((t) => t.status === undefined && t.failed === undefined).map((t) => t.label);
        process.stderr.write(`flux-exec: detached from ${target} on rank ${encode(where)}; it keeps running (stop it with: flux sproc kill -r ${where[0] ?? 0} 15 ${target})\n`);
        resolve(0);
      }),
    );
    const req = pid >= 0 ? { pid, credit: WINDOW } : { pid: -1, label: target, credit: WINDOW };
    const runs = this.tasks.map(async (t) => {
      try {
        await rexec.stream(this.h, 'attach', req, (r) => this.onResponse(t, r), { nodeid: t.rank });
      } catch (e) {
        const fe = e as FluxError;
        process.stderr.write(`flux-exec: Error: rank ${t.label}: ${fe.bare ? `${target}: ${strerror(fe.errno)}` : fe.message}\n`);
        t.failed = launchCode(fe.errno);
      }
      this.flushPartial(t);
    });
    const done = Promise.all(runs).then(() => this.exitCode(this.args.has('quiet')));
    return Promise.race([done, detached]);
  }

  private onResponse(t: Task, r: RexecExecResponse): void {
    switch (r.type) {
      case 'started':
        t.pid = r.pid ?? undefined;
        for (const b of t.pending) this.write(t, b);
        t.pending = [];
        if (this.stdinDone) this.eof(t);
        break;
      case 'output':
        this.output(t, r.stream ?? 'stdout', Buffer.from(r.data ?? '', 'base64'));
        break;
      case 'exit':
        t.status = r.status ?? undefined;
        break;
    }
  }

  private output(t: Task, stream: 'stdout' | 'stderr', data: Buffer): void {
    const out = stream === 'stdout' ? process.stdout : process.stderr;
    // credit once it is written out: a reader that does not keep up pauses the remote process
    const done = () => this.credited(t, data.length);
    if (!this.label) {
      out.write(data, done);
      return;
    }
    const text = t.partial[stream] + data.toString('utf8');
    const lines = text.split('\n');
    t.partial[stream] = lines.pop()!;
    out.write(lines.map((l) => `${t.label}: ${l}\n`).join(''), done);
  }

  private credited(t: Task, n: number): void {
    t.uncredited += n;
    if (t.uncredited < CREDIT_BATCH || t.pid === undefined || t.status !== undefined) return;
    const bytes = t.uncredited;
    t.uncredited = 0;
    rexec.call(this.h, 'credit', { pid: t.pid, bytes }, { nodeid: t.rank }).catch(() => {});
  }

  private flushPartial(t: Task): void {
    for (const s of ['stdout', 'stderr'] as const) {
      if (t.partial[s]) (s === 'stdout' ? process.stdout : process.stderr).write(`${t.label}: ${t.partial[s]}\n`);
      t.partial[s] = '';
    }
  }

  /** Send stdin data; our stdin pauses while a process has more than WINDOW bytes not yet written to it. */
  private write(t: Task, data: Buffer): void {
    if (t.pid === undefined) return;
    t.inflight = (t.inflight ?? 0) + data.length;
    if (t.inflight > WINDOW) process.stdin.pause();
    const done = () => {
      t.inflight! -= data.length;
      if (this.tasks.every((x) => (x.inflight ?? 0) <= WINDOW)) process.stdin.resume();
    };
    rexec.call(this.h, 'write', { pid: t.pid, data: data.toString('base64') }, { nodeid: t.rank }).then(done, done);
  }

  private eof(t: Task): void {
    if (t.pid === undefined) return;
    rexec.call(this.h, 'write', { pid: t.pid, eof: true }, { nodeid: t.rank }).catch(() => {});
  }

  private readStdin(): void {
    process.stdin.on('data', (d: Buffer) => {
      for (const t of this.tasks) {
        if (t.pid === undefined) t.pending.push(d);
        else if (t.status === undefined) this.write(t, d);
      }
    });
    process.stdin.on('end', () => {
      this.stdinDone = true;
      for (const t of this.tasks) if (t.pid !== undefined && t.status === undefined) this.eof(t);
    });
    process.stdin.on('error', () => {});
  }

  private forwardSignals(): void {
    let count = 0;
    let lastAt = 0;
    const forward = (sig: NodeJS.Signals) => {
      const signum = os.constants.signals[sig];
      for (const t of this.tasks) {
        if (t.pid !== undefined && t.status === undefined) {
          rexec.call(this.h, 'kill', { pid: t.pid, signum }, { nodeid: t.rank }).catch(() => {});
        }
      }
    };
    process.on('SIGTERM', () => forward('SIGTERM'));
    process.on('SIGINT', () => {
      const now = performance.now();
      count++;
      if (count > 2 && now - lastAt < 1000) {
        const running = this.tasks.filter((t) => t.failed === undefined && t.status === undefined).map((t) => t.label);
        process.stderr.write(`${encode(running, { brackets: true })}: command still running at exit\n`);
        endCommand(1);
      }
      forward('SIGINT');
      if (count >= 2) process.stderr.write('interrupt (Ctrl+C) one more time within 1.00 sec to exit\n');
      lastAt = now;
    });
  }
}
