/**
 * The scheduler's own figures (`sched.stats`): how many passes and how long
 * they took, how many jobs were allocated and when the last one was, and the
 * allocated core-seconds (utilisation = core-seconds / (cores x seconds)).
 */
import type { SchedStatsResponse } from '../../lib/protocol/sched';
import type { Rv1 } from '../../kernel/api';
import { eventTime } from '../../lib/event-time';

/** members of an idset string ("0-3,7") without expanding it */
export function countIds(s: string): number {
  let n = 0;
  for (const part of s.split(',')) {
    if (part === '') continue;
    const i = part.indexOf('-');
    n += i < 0 ? 1 : Number(part.slice(i + 1)) - Number(part.slice(0, i)) + 1;
  }
  return n;
}

/** cores in R (RFC 20 R_lite: ranks x cores of each entry) */
export function coresOf(R: Rv1): number {
  let n = 0;
  for (const e of R.execution?.R_lite ?? []) n += countIds(e.rank) * countIds(e.children?.core ?? '');
  return n;
}

const nowS = () => eventTime();

export class SchedStats {
  private passes = 0;
  private passMs = 0;
  private passMaxMs = 0;
  /** of the pass time, the policy's schedule() alone (the rest: commit and answers to job-manager) */
  private policyMs = 0;
  private allocs = 0;
  private lastAlloc = 0;
  private allocated = 0;
  private coreSeconds = 0;
  private since = nowS();

  /** integrate the allocated cores up to now */
  private tick(): void {
    const t = nowS();
    this.coreSeconds += this.allocated * (t - this.since);
    this.since = t;
  }

  pass(ms: number): void {
    this.passes++;
    this.passMs += ms;
    if (ms > this.passMaxMs) this.passMaxMs = ms;
  }

  policy(ms: number): void {
    this.policyMs += ms;
  }

  alloc(cores: number): void {
    this.allocs++;
    this.lastAlloc = nowS();
    this.cores(cores);
  }

  /** allocated cores change by delta (a free is negative) */
  cores(delta: number): void {
    this.tick();
    this.allocated = Math.max(0, this.allocated + delta);
  }

  report(totalCores: number): SchedStatsResponse {
    this.tick();
    return {
      passes: this.passes,
      pass_ms: this.passMs,
      pass_max_ms: this.passMaxMs,
      policy_ms: this.policyMs,
      allocs: this.allocs,
      last_alloc: this.lastAlloc,
      allocated_cores: this.allocated,
      total_cores: totalCores,
      core_seconds: this.coreSeconds,
      now: this.since,
    };
  }
}
