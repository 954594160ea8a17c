/**
 * What brokers that share one process (flux start --test-in-process) share:
 * the process's deadly signals, caught once and told to every broker, and one
 * reaper. The process's own lineage id goes into FLUX_TS_LINEAGE before any
 * broker's, so whatever any of them starts names it and the one reaper finds it.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from '../../lib/uuid';
import { LINEAGE_VAR, childLineage } from '../../lib/lineage';
import { Reaper } from '../../lib/reaper';

const DEADLY: NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGALRM'];
const ignore = (): void => {};

export class SharedProcess {
  /** deadly signals, one event per signal received, for every broker of the process */
  readonly signals = new EventEmitter();
  readonly reaper: Reaper;
  private readonly before: string | undefined;
  private readonly relay = (sig: NodeJS.Signals): void => void this.signals.emit(sig);

  constructor(log: (text: string) => void) {
    this.signals.setMaxListeners(0);
    const id = randomUUID();
    this.before = process.env[LINEAGE_VAR];
    process.env[LINEAGE_VAR] = childLineage(id);
    this.reaper = new Reaper(id, (_sev, text) => log(text));
    this.reaper.start();
    for (const s of DEADLY) process.on(s, this.relay);
    process.on('SIGPIPE', ignore);
  }

  /** All brokers are done: stop relaying and let the reaper end what is left. */
  async finish(): Promise<void> {
    for (const s of DEADLY) process.off(s, this.relay);
    process.off('SIGPIPE', ignore);
    if (this.before === undefined) delete process.env[LINEAGE_VAR];
    else process.env[LINEAGE_VAR] = this.before;
    await this.reaper.finish();
  }
}
