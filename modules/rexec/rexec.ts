/**
 * The rexec service: `rexec.exec` starts a process (own process group) and
 * streams its pid, output and exit status back; `rexec.write` and `rexec.kill`
 * reach a running one by pid. When the requesting client disconnects, its
 * processes are killed; on unload, all are.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import {
  LINEAGE_VAR,
  childLineage,
  Errno,
  FluxError,
  IHandle,
  MsgFlag,
  NO_RESPONSE,
  errnoFromCode,
  event,
  inject,
  injectable,
  methods,
  strerror,
  type BrokerModule,
  type Handle,
  type Message,
} from '../../kernel/api';
import type { Empty, RexecExecRequest, RexecExecResponse, RexecKillRequest, RexecProtocol, RexecWriteRequest } from '../../lib/protocol/rexec';
import { ownerEvent } from '../../lib/owner-event';

/** handler entries checked against modules/rexec/protocol.avsc */
const method = methods<RexecProtocol>();

interface Proc {
  child: ChildProcess;
  /** route[0] of the request: the client that asked */
  sender: string;
}

@injectable()
export class Rexec implements BrokerModule {
  private readonly procs = new Map<number, Proc>();

  readonly handlers = [
    method('exec', (req, m) => this.exec(req, m)),
    method('write', (req) => this.write(req)),
    method('kill', (req) => this.kill(req)),
    // sent by the router (rolemask 0) when a client goes away
    method('disconnect', (_req, m) => this.disconnect(m), { ownerOnly: false }),
    // a client's own broker tells the other ranks that it went away (the owner's only: a guest's is ignored)
    event('rexec.client-gone', ownerEvent(() => this.h, (_m, ev) => this.killSender(ev.sender))),
  ];

  constructor(@inject(IHandle) private readonly h: Handle) {}

  stop(): void {
    for (const pid of this.procs.keys()) this.signal(pid, 'SIGKILL');
    this.procs.clear();
  }

  private exec(req: RexecExecRequest, msg: Message): typeof NO_RESPONSE {
    if (!(msg.flags & MsgFlag.Streaming)) throw new FluxError(Errno.EPROTO, `${msg.topic}: request must be streaming`);
    if (req.cmd.length === 0) throw new FluxError(Errno.EPROTO, `${msg.topic}: malformed request: cmd: expected a non-empty array, got []`);
    // the directory a client names is checked off the event loop (a hung mount must not stall the broker)
    const cwd = req.cwd ?? undefined;
    const checked = cwd === undefined ? Promise.resolve(undefined) : fs.promises.stat(cwd).then((st) => (st.isDirectory() ? undefined : 'ENOTDIR'), (e: NodeJS.ErrnoException) => e.code ?? 'EIO');
    void checked.then((code) => {
      if (code === undefined) this.launch(msg, req, cwd, []);
      else this.launch(msg, req, '/tmp', [`Could not change dir to ${cwd}: ${strerror(errnoFromCode(code))}. Going to /tmp instead\n`]);
    });
    return NO_RESPONSE;
  }

  private launch(msg: Message, req: RexecExecRequest, cwd: string | undefined, notices: string[]): void {
    const send = (r: RexecExecResponse) => this.h.respond(msg, r);
    // the process talks to the broker it runs under, whatever instance URI the caller had
    const env: NodeJS.ProcessEnv = { ...(req.env ?? process.env) };
    const uri = this.h.getattr('local-uri');
    if (uri !== undefined) env['FLUX_URI'] = uri;
    // the broker's reaper kills it (and what it starts) if the broker dies
    const uuid = this.h.getattr('broker.uuid');
    if (uuid !== undefined) env[LINEAGE_VAR] = childLineage(uuid);
    const child = spawn(req.cmd[0]!, req.cmd.slice(1), {
      cwd,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let finished = false;
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (finished) return;
      finished = true;
      if (child.pid !== undefined) this.procs.delete(child.pid);
      const errno = errnoFromCode(e.code);
      this.h.respondError(msg, errno, `${req.cmd[0]}: error launching process: ${strerror(errno)}`);
    });
    if (child.pid === undefined) return; // the error event answers
    const pid = child.pid;
    this.procs.set(pid, { child, sender: msg.route[0] ?? '' });
    send({ type: 'started', pid });
    for (const n of notices) send({ type: 'output', stream: 'stderr', data: Buffer.from(n).toString('base64'), encoding: 'base64' });
    const pipe = (stream: 'stdout' | 'stderr') => {
      child[stream]!.on('data', (d: Buffer) => {
        if (!finished) send({ type: 'output', stream, data: d.toString('base64'), encoding: 'base64' });
      });
    };
    pipe('stdout');
    pipe('stderr');
    child.stdin!.on('error', () => {}); // EPIPE when the process does not read stdin
    child.on('close', (code, sig) => {
      if (finished) return;
      finished = true;
      this.procs.delete(pid);
      const status = sig ? (os.constants.signals[sig] ?? 0) : (code ?? 0) << 8;
      send({ type: 'exit', status });
      this.h.respondError(msg, Errno.ENODATA);
    });
  }

  private find(pid: number): Proc {
    const p = this.procs.get(pid);
    if (!p) throw new FluxError(Errno.ESRCH, `no process ${pid} started by rexec on rank ${this.h.rank}`);
    return p;
  }

  private write(req: RexecWriteRequest): Empty {
    const p = this.find(req.pid);
    const stdin = p.child.stdin!;
    if (typeof req.data === 'string' && req.data.length > 0 && !stdin.writableEnded) {
      stdin.write(Buffer.from(req.data, 'base64'));
    }
    if (req.eof && !stdin.writableEnded) stdin.end();
    return {};
  }

  private kill(req: RexecKillRequest): Empty {
    this.find(req.pid);
    if (!this.signal(req.pid, req.signum)) throw new FluxError(Errno.EINVAL, `invalid signal ${req.signum}`);
    return {};
  }

  private disconnect(msg: Message): typeof NO_RESPONSE {
    const who = msg.route[0];
    this.killSender(who);
    // requests it sent to other ranks passed by without us: tell them too
    if (who !== undefined && this.h.size > 1) {
      this.h.publish('rexec.client-gone', { sender: who }).catch((e: Error) => this.h.log('err', `client-gone: ${e.message}`));
    }
    return NO_RESPONSE;
  }

  private killSender(who: string | undefined): void {
    if (who === undefined) return;
    for (const [pid, p] of this.procs) {
      if (p.sender === who) {
        this.signal(pid, 'SIGKILL');
        this.procs.delete(pid);
      }
    }
  }

  /** Signal the process group (falls back to the process). */
  private signal(pid: number, sig: NodeJS.Signals | number): boolean {
    try {
      process.kill(-pid, sig);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EINVAL') return false;
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
      return true;
    }
  }
}
