/**
 * Rank 0's side of a PMI barrier for a job on several shells: each shell sends
 * `job-exec.pmi-exchange {id, shell, seq, kvs}` once its own tasks have all
 * entered barrier number `seq`; when every shell has, each gets everyone's puts
 * (`{kvs}`) and releases its tasks.
 */
import { Errno, einval, type Handle, type Message } from '../../kernel/api';
import type { JobExecPmiExchangeRequest, JobExecPmiExchangeResponse } from '../../lib/protocol/job-exec';

interface Barrier {
  kvs: Record<string, string>;
  reqs: Message[];
  shells: Set<number>;
}

export class PmiExchange {
  private readonly barriers = new Map<number, Barrier>();

  constructor(
    private readonly h: Handle,
    private readonly nshells: number,
  ) {}

  /** one shell's step `p` (checked against modules/job-exec/protocol.avsc by the module host), answered on `msg` */
  add(p: JobExecPmiExchangeRequest, msg: Message): void {
    let b = this.barriers.get(p.seq);
    if (!b) {
      b = { kvs: {}, reqs: [], shells: new Set() };
      this.barriers.set(p.seq, b);
    }
    if (b.shells.has(p.shell)) throw einval(`pmi-exchange: shell ${p.shell} entered barrier ${p.seq} twice`);
    b.shells.add(p.shell);
    Object.assign(b.kvs, p.kvs);
    b.reqs.push(msg);
    if (b.shells.size < this.nshells) return;
    this.barriers.delete(p.seq);
    const answer: JobExecPmiExchangeResponse = { kvs: b.kvs };
    for (const r of b.reqs) this.h.respond(r, answer);
  }

  /** the job ended: no barrier will complete */
  abort(): void {
    for (const b of this.barriers.values()) for (const r of b.reqs) this.h.respondError(r, Errno.ECONNRESET, 'job ended');
    this.barriers.clear();
  }
}
