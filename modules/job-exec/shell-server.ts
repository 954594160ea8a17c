/**
 * The job-shell side of job-exec, on every rank: `shell-start` (streaming, from
 * rank 0) runs an in-process JobShell and streams its reports back;
 * `shell-kill {id, signum}` and `shell-stdin {id, data?, eof?, ranks?, winsize?}` reach it;
 * `shell-ack {id, bytes}` says rank 0 has stored that much of its output (flow control).
 */
import * as os from 'node:os';
import { Errno, childLineage, einval, idset, NO_RESPONSE, type Handle, type Message } from '../../kernel/api';
import { JobShell, type ShellSpec } from './shell';
import type { StackEntry } from './plugins';

export class ShellServer {
  private readonly shells = new Map<number, JobShell>();

  constructor(
    private readonly h: Handle,
    /** `[exec] imp` as this broker's config has it now */
    private readonly imp: () => string | undefined = () => undefined,
    /** this broker's IShellPlugins registry as it is now (built-ins and what modules provide) */
    private readonly registered: () => readonly StackEntry[],
  ) {}

  start(msg: Message): typeof NO_RESPONSE {
    const p = msg.payload as Omit<ShellSpec, 'uri'>;
    if (typeof p?.id !== 'number' || !p.jobspec || !p.placement) throw einval('shell-start: malformed request');
    const uuid = this.h.getattr('broker.uuid');
    const spec: ShellSpec = {
      ...p,
      hostname: p.hostname || this.h.getattr('hostname') || os.hostname(),
      uri: this.h.getattr('local-uri') ?? '',
      rundir: this.h.getattr('rundir'),
      childLevel: Number(this.h.getattr('instance-level') ?? '0') + 1,
      lineage: uuid !== undefined ? childLineage(uuid) : undefined,
      imp: this.imp(),
      registered: this.registered(),
    };
    const shell = new JobShell(spec, {
      started: () => this.h.respond(msg, { type: 'started' }),
      output: (events, bytes) => this.h.respond(msg, { type: 'output', events, bytes }),
      exception: (note) => this.h.respond(msg, { type: 'exception', note }),
      exit: (status) => {
        this.shells.delete(p.id);
        this.h.respond(msg, { type: 'exit', status });
        this.h.respondError(msg, Errno.ENODATA);
      },
      taskExit: (rank, status) => this.h.respond(msg, { type: 'task-exit', rank, status }),
      pmiExchange: (seq, kvs) =>
        this.h.rpc<{ kvs: Record<string, string> }>('job-exec.pmi-exchange', { id: p.id, shell: p.placement.shellRank, seq, kvs }, { nodeid: 0 }).then((r) => r.kvs),
    });
    this.shells.set(p.id, shell);
    shell.start();
    return NO_RESPONSE;
  }

  kill(msg: Message): unknown {
    const p = msg.payload as { id: number; signum: number };
    this.shells.get(p.id)?.kill(p.signum);
    return {};
  }

  async stdin(msg: Message): Promise<unknown> {
    const p = msg.payload as { id: number; data?: string; eof?: boolean; ranks?: string; winsize?: { cols?: unknown; rows?: unknown } };
    const ranks = p.ranks && p.ranks !== 'all' ? idset.decodeSet(p.ranks) : undefined;
    const shell = this.shells.get(p.id);
    const ws = p.winsize;
    if (ws && typeof ws.cols === 'number' && typeof ws.rows === 'number') shell?.resize(ws.cols, ws.rows);
    if (p.data !== undefined || p.eof) await shell?.stdin(p.data, !!p.eof, ranks);
    return {};
  }

  ack(msg: Message): typeof NO_RESPONSE {
    const p = msg.payload as { id?: unknown; bytes?: unknown } | undefined;
    if (typeof p?.bytes === 'number' && typeof p.id === 'number') this.shells.get(p.id)?.ack(p.bytes);
    return NO_RESPONSE;
  }

  /** `shell-pids {id}` -> {pids: [[task rank, pid], ...]} of this rank's tasks */
  pids(msg: Message): unknown {
    const p = msg.payload as { id?: number };
    return { pids: this.shells.get(p?.id ?? -1)?.pids() ?? [] };
  }

  /** kill every task (module unload) */
  killAll(): void {
    for (const s of this.shells.values()) s.kill(9);
  }
}
