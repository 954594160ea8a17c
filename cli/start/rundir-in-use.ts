/**
 * A --test-rundir a running instance serves from is that instance's: its
 * brokers' sockets (local-N, tbon-N), its warm-client pool, what its jobs left
 * there. `flux start` refuses it with one line before starting any broker, so
 * that none of the new brokers removes or replaces a live socket and
 * --test-rundir-cleanup never removes the other instance's files (a broker
 * refuses a live local-uri on its own too: lib/socket-claim.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CommandExit } from '../base-command';
import { inUseText, socketState } from '../../lib/socket-claim';

/** Throw CommandExit(1) naming the first socket in `rundir` that accepts a connection. */
export async function refuseLiveRundir(rundir: string): Promise<void> {
  const dir = path.resolve(rundir);
  let names: string[];
  try {
    names = (await fs.promises.readdir(dir)).sort();
  } catch {
    return; // not readable: the brokers say why
  }
  for (const name of names) {
    const p = path.join(dir, name);
    const st = await fs.promises.lstat(p).catch(() => undefined);
    if (!st?.isSocket()) continue;
    const state = await socketState(p).catch(() => 'none');
    if (state === 'live') throw new CommandExit(1, `flux-start: ${inUseText(p)}`);
  }
}
