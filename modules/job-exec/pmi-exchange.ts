/**
 * Rank 0's side of a PMI barrier for a job on several shells: each shell sends
 * `job-exec.pmi-exchange {id, shell, seq, kvs}` once its own tasks have all
 * entered barrier number `seq`; when every shell has, each gets everyone's puts
 * (`{kvs}`) and releases its tasks.
 */
import { Errno, einval, type Handle, type Message } from '../../kernel/api';

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

  add(msg: Message): void {
    const p = msg.payload as { shell?: unknown; seq?: unknown; kvs?: unknown };
    if (typeof p?.shell !== 'number' || typeof p.seq !== 'number' || typeof p.kvs !== 'object' || p.kvs === null) {
      throw einval('pmi-exchange: malformed request');
    }
    let b = this.barriers.get(p.seq);
    if (!b) {
      b = { kvs: {}, reqs: [], shells: new Set() };
      this.barriers.set(p.seq, b);
    }
    if (b.shells.has(p.shell)) throw einval(`pmi-exchange: shell ${p.shell} entered barrier ${p.seq} twice`);
    b.shells.add(p.shell);
    Object.assign(b.kvs, p.kvs as Record<string, string>);
    b.reqs.push(msg);
    if (b.shells.size < this.nshells) return;
    this.barriers.delete(p.seq);
    for (const r of b.reqs) this.h.respond(r, { kvs: b.kvs });
  }

  /** the job ended: no barrier will complete */
  abort(): void {
    for (const b of this.barriers.values()) for (const r of b.reqs) this.h.respondError(r, Errno.ECONNRESET, 'job ended');
    this.barriers.clear();
  }
}
