/**
 * The instance's start log (flux-startlog(1)): rank 0's kvs appends a `start`
 * event to the eventlog `admin.eventlog` when it starts and a `finish` event
 * when it stops, so a statedir keeps every run of the instance. A `start`
 * with no `finish` before it means the previous run ended without shutting
 * down (a crash or SIGKILL). As in Flux, each context carries `version` (of
 * this log's format, 1) and a `start` the software version (`core_version`).
 */
export const STARTLOG_KEY = 'admin.eventlog';
export const STARTLOG_VERSION = 1;

export interface StartlogEntry {
  timestamp: number;
  name: 'start' | 'finish';
  context: { version: number; core_version?: string };
}

export function startEvent(coreVersion: string | undefined): StartlogEntry {
  return { timestamp: Date.now() / 1000, name: 'start', context: { version: STARTLOG_VERSION, core_version: coreVersion ?? 'unknown' } };
}

export function finishEvent(): StartlogEntry {
  return { timestamp: Date.now() / 1000, name: 'finish', context: { version: STARTLOG_VERSION } };
}
