/**
 * The runs of an instance from its start log (`admin.eventlog`, RFC 18): a
 * `start` opens a run, a `finish` ends the open one. A `start` while a run is
 * open means that run crashed; the last run still open is the running one.
 * Entries that are not startlog events of a version this reader knows (a
 * context `version` from 0 to `maxVersion`) are skipped, as Flux skips them.
 */
export interface StartlogEvent {
  timestamp?: unknown;
  name?: unknown;
  context?: { version?: unknown; core_version?: unknown } | null;
}

export interface Run {
  start: number;
  /** the finish time, or how it ended without one */
  end: number | 'crashed' | 'running';
  coreVersion: string | undefined;
}

export function listRuns(events: readonly StartlogEvent[], maxVersion: number): { runs: Run[]; crashed: boolean } {
  const runs: Run[] = [];
  let open: Run | undefined;
  /** the latest run began after a crash (and has not been followed by a clean finish) */
  let crashed = false;
  for (const e of events) {
    const v = e.context?.version;
    if (typeof e.timestamp !== 'number' || typeof e.name !== 'string' || !Number.isInteger(v) || (v as number) < 0 || (v as number) > maxVersion) continue;
    if (e.name === 'start') {
      if (open) {
        open.end = 'crashed';
        crashed = true;
      }
      const cv = e.context?.core_version;
      open = { start: e.timestamp, end: 'running', coreVersion: typeof cv === 'string' ? cv : undefined };
      runs.push(open);
    } else if (e.name === 'finish' && open) {
      open.end = e.timestamp;
      open = undefined;
      crashed = false;
    }
  }
  return { runs, crashed };
}
