/**
 * flux update --wait: block until the job's eventlog has a `jobspec-update`
 * posted after the command started whose context holds every update sent
 * (flux-update(1)). The job manager of flux-ts checks and posts an update
 * before it answers, so the event is normally there already and this returns
 * at once; it matters for an update applied later than its answer. The wait
 * ends quietly, as Flux's does, if the eventlog ends first (the job is gone).
 */
import type { Client } from '../api/client';
import { encodeKvs } from '../../lib/formats';

interface Entry {
  timestamp: number;
  name: string;
  context?: Record<string, unknown>;
}

/** Does the context hold every key of updates with an equal value? */
function holds(context: Record<string, unknown>, updates: Record<string, unknown>): boolean {
  return Object.entries(updates).every(([k, v]) => k in context && JSON.stringify(context[k]) === JSON.stringify(v));
}

export async function waitForUpdate(h: Client, id: number, t0: number, updates: Record<string, unknown>): Promise<void> {
  const key = `${encodeKvs(id)}.eventlog`;
  await new Promise<void>((resolve) => {
    let found = false;
    const call = h.rpcStream('kvs.watch', { key }, (p) => {
      if (found) return;
      for (const e of (p as { entries?: Entry[] }).entries ?? []) {
        if (e.name === 'jobspec-update' && e.timestamp > t0 && holds(e.context ?? {}, updates)) {
          found = true;
          void call.cancel().catch(() => undefined);
          resolve();
          return;
        }
      }
    });
    call.then(
      () => resolve(),
      () => resolve(),
    );
  });
}
