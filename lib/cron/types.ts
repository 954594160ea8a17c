/**
 * A cron entry as the cron module answers it (cron.list, cron.create ...)
 * and `flux cron list/dump/delete` read it: Flux's keys, so that
 * `flux cron dump --key=stats.count ID` names what it names in Flux.
 */

/** One run of an entry's command (Flux's cron task). */
export interface CronTaskJson {
  rank: number;
  pid: number;
  /** wait status (exit code << 8, or the signal number) */
  status: number;
  /** Deferred, Running, Exited, Failed, Timeout, Rexec Failure */
  state: string;
  'create-time': number;
  rexec_errno?: number;
  timedout?: boolean;
  /** once over: exit code, or 128 + signal */
  code?: number;
  'start-time'?: number;
  'running-time'?: number;
  'end-time'?: number;
}

export interface CronStatsJson {
  ctime: number;
  starttime: number;
  lastrun: number;
  count: number;
  failcount: number;
  total: number;
  success: number;
  failure: number;
  deferred: number;
}

export interface CronEntryJson {
  id: number;
  rank: number;
  name: string;
  command: string;
  repeat: number;
  stopped: boolean;
  type: 'interval' | 'event' | 'datetime';
  timeout?: number;
  stats: CronStatsJson;
  typedata: Record<string, string | number>;
  /** the running or deferred task first, then finished ones, newest first */
  tasks: CronTaskJson[];
}
