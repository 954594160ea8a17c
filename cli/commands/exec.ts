/**
 * flux exec [-r IDSET|all] [-x IDSET] [-l] [-n] [-d DIR] [-q] [-v] CMD...: run
 * a command on broker ranks through the rexec service (bypassing the
 * scheduler), relay its output and stdin, forward SIGINT/SIGTERM, and exit
 * with the largest remote exit code (launch failures 126/127/68, 128+signal).
 */
import { strsignal } from '../../lib/strsignal';
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
}

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
    ],
    operands: [{ name: 'COMMANDS', nargs: '+' }],
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

    const req: RexecExecRequest = { cmd, cwd: p.str('dir') ?? process.cwd(), env: definedOnly(env) };
    this.tasks = ranks.map((rank, i) => ({ rank, label: jobArg !== undefined ? idx[i]! : rank, pending: [], partial: { stdout: '', stderr: '' } }));
    vlog(`Starting ${cmd.join(' ')} on ${encode(ranks)}`);
    if (p.has('noinput')) this.stdinDone = true;
    else whenForeground(() => this.readStdin());
    this.forwardSignals();
    const runs = this.tasks.map((t) => this.runOne(t, req));
    vlog('Sent all requests');
    await Promise.all(runs);
    process.stdin.destroy();

    let rc = 0;
    const groups = new Map<string, number[]>();
    for (const t of this.tasks) {
      if (t.failed !== undefined) {
        rc = Math.max(rc, t.failed);
        continue;
      }
      const st = t.status ?? 0;
      const sig = st & 0x7f;
      const code = sig ? 128 + sig : (st >> 8) & 0xff;
      rc = Math.max(rc, code);
      if (code === 0) continue;
      const why = sig ? strsignal(sig) : `Exit ${code}`;
      groups.set(why, [...(groups.get(why) ?? []), t.label]);
    }
    if (!quiet) {
      const sorted = [...groups].sort((a, b) => a[1][0]! - b[1][0]!);
      for (const [why, rs] of sorted) process.stderr.write(`${encode(rs, { brackets: true })}: ${why}\n`);
    }
    vlog(`${this.tasks.length} tasks complete with code ${rc}`);
    return rc;
  }

  private async runOne(t: Task, req: RexecExecRequest): Promise<void> {
    try {
      await rexec.stream(this.h, 'exec', req, (r) => this.onResponse(t, r), { nodeid: t.rank });
    } catch (e) {
      const fe = e as FluxError;
      const cmd0 = req.cmd[0]!;
      const text = fe.message.startsWith(`${cmd0}:`) ? fe.message : `${cmd0}: ${fe.bare ? strerror(fe.errno) : fe.message}`;
      process.stderr.write(`flux-exec: Error: rank ${t.label}: ${text}\n`);
      t.failed = launchCode(fe.errno);
    }
    this.flushPartial(t);
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
    if (!this.label) {
      out.write(data);
      return;
    }
    const text = t.partial[stream] + data.toString('utf8');
    const lines = text.split('\n');
    t.partial[stream] = lines.pop()!;
    for (const l of lines) out.write(`${t.label}: ${l}\n`);
  }

  private flushPartial(t: Task): void {
    for (const s of ['stdout', 'stderr'] as const) {
      if (t.partial[s]) (s === 'stdout' ? process.stdout : process.stderr).write(`${t.label}: ${t.partial[s]}\n`);
      t.partial[s] = '';
    }
  }

  private write(t: Task, data: Buffer): void {
    if (t.pid === undefined) return;
    rexec.call(this.h, 'write', { pid: t.pid, data: data.toString('base64') }, { nodeid: t.rank }).catch(() => {});
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
