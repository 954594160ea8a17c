/**
 * The job-shell side of job-exec, on every rank: `shell-start` (streaming, from
 * rank 0) runs an in-process JobShell and streams its reports back;
 * `shell-kill {id, signum}` and `shell-stdin {id, data?, encoding?, eof?, ranks?, winsize?}` reach it;
 * `shell-ack {id, bytes}` says rank 0 has stored that much of its output (flow control).
 */
import * as os from 'node:os';
import { Errno, childLineage, einval, idset, NO_RESPONSE, type Handle, type Message } from '../../kernel/api';
import type {
  Empty,
  JobExecShellAckRequest,
  JobExecShellKillRequest,
  JobExecShellPidsRequest,
  JobExecShellPidsResponse,
  JobExecShellStartRequest,
  JobExecShellStdinRequest,
  JobExecPmiExchangeResponse,
} from '../../lib/protocol/job-exec';
import { JobShell, type ShellSpec } from './shell';
import type { StackEntry } from './plugins';
import type { Jobspec } from './taskmap';
import { decodeData } from '../../lib/io-data';

/** a jobspec with its tasks (the schema says only that it is an object) */
function hasTasks(js: object): js is Jobspec {
  return 'tasks' in js && Array.isArray(js.tasks);
}

/** a pty's new size, if `ws` is one (shell-stdin's winsize is free-form) */
function winsize(ws: unknown): { cols: number; rows: number } | undefined {
  if (typeof ws !== 'object' || ws === null || !('cols' in ws) || !('rows' in ws)) return undefined;
  return typeof ws.cols === 'number' && typeof ws.rows === 'number' ? { cols: ws.cols, rows: ws.rows } : undefined;
}

/** shell-stdin's input: text, or bytes (encoding base64; job-exec.stdin checked the encoding) */
function stdinData(p: JobExecShellStdinRequest): string | Buffer | undefined {
  try {
    return decodeData(p);
  } catch {
    return undefined;
  }
}

export class ShellServer {
  private readonly shells = new Map<number, JobShell>();

  constructor(
    private readonly h: Handle,
    /** `[exec] imp` as this broker's config has it now */
    private readonly imp: () => string | undefined = () => undefined,
    /** this broker's IShellPlugins registry as it is now (built-ins and what modules provide) */
    private readonly registered: () => readonly StackEntry[],
  ) {}

  /** `shell-start` (checked against modules/job-exec/protocol.avsc by the module host) */
  start(p: JobExecShellStartRequest, msg: Message): typeof NO_RESPONSE {
    const { jobspec } = p;
    if (!hasTasks(jobspec)) throw einval('shell-start: malformed request: jobspec: expected tasks');
    const uuid = this.h.getattr('broker.uuid');
    const spec: ShellSpec = {
      id: p.id,
      jobspec,
      placement: { ...p.placement, ranks: p.placement.ranks ?? undefined },
      size: p.size,
      nnodes: p.nnodes,
      hostname: p.hostname || this.h.getattr('hostname') || os.hostname(),
      uri: this.h.getattr('local-uri') ?? '',
      rundir: this.h.getattr('rundir'),
      counts: p.counts ?? undefined,
      childLevel: Number(this.h.getattr('instance-level') ?? '0') + 1,
      interfaceHint: this.h.getattr('tbon.interface-hint'),
      lineage: uuid !== undefined ? childLineage(uuid) : undefined,
      pmiMapping: p.pmiMapping ?? undefined,
      taskmap: p.taskmap ?? undefined,
      sitePlugins: p.sitePlugins ?? undefined,
      userid: p.userid ?? undefined,
      J: p.J ?? undefined,
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
        this.h.rpc<JobExecPmiExchangeResponse>('job-exec.pmi-exchange', { id: p.id, shell: p.placement.shellRank, seq, kvs }, { nodeid: 0 }).then((r) => r.kvs),
    });
    this.shells.set(p.id, shell);
    shell.start();
    return NO_RESPONSE;
  }

  kill(p: JobExecShellKillRequest): Empty {
    this.shells.get(p.id)?.kill(p.signum);
    return {};
  }

  async stdin(p: JobExecShellStdinRequest): Promise<Empty> {
    const ranks = p.ranks && p.ranks !== 'all' ? idset.decodeSet(p.ranks) : undefined;
    const shell = this.shells.get(p.id);
    const ws = winsize(p.winsize);
    if (ws) shell?.resize(ws.cols, ws.rows);
    if (p.data != null || p.eof) await shell?.stdin(stdinData(p), !!p.eof, ranks);
    return {};
  }

  ack(p: JobExecShellAckRequest): typeof NO_RESPONSE {
    this.shells.get(p.id)?.ack(p.bytes);
    return NO_RESPONSE;
  }

  /** `shell-pids {id}` -> {pids: [[task rank, pid], ...]} of this rank's tasks */
  pids(p: JobExecShellPidsRequest): JobExecShellPidsResponse {
    return { pids: this.shells.get(p.id)?.pids() ?? [] };
  }

  /** kill every task (module unload) */
  killAll(): void {
    for (const s of this.shells.values()) s.kill(9);
  }
}
