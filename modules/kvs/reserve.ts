/**
 * Room for the store to grow into, allocated ahead (issue 16, ENOSPC).
 *
 * LMDB extends its file by writing past the end; when the filesystem is full
 * that write fails inside LMDB, whose error path in lmdb-js 3.5 formats a
 * message into a 100-byte buffer that the numbers can overrun: the heap is
 * damaged and the broker aborts (`malloc(): invalid next size`), about one
 * full filesystem in six in t0803. So the kvs keeps RESERVE_CHUNK bytes past
 * what the store uses allocated with `fallocate --keep-size` (blocks owned by
 * the file, its size unchanged, nothing overwritten), topped up once less than
 * RESERVE_LOW is left: LMDB's writes land in blocks the file already has.
 * When the top-up itself fails for lack of space, the store refuses changes
 * (ENOSPC, one line) before they reach LMDB. A change that would be refused
 * first waits for a try that starts after it came (retry(): tries at most
 * every RETRY_MS while full, shared by all that wait), so a change made just
 * after room came back is never refused on an older try's answer. Without fallocate(1), or on a
 * filesystem that cannot preallocate, there is no reserve (as before).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { Errno, FluxError } from '../../kernel/api';
import { preallocate } from '../../lib/native';
import { strerror } from '../../lib/errno';

export const RESERVE_LOW = 2 * 1024 * 1024;
export const RESERVE_CHUNK = 4 * 1024 * 1024;
/** the most allocated ahead of the store's real use */
const MAX_AHEAD = 32 * 1024 * 1024;
/** what a full filesystem leaves unused of the reserve */
const SAFETY = 256 * 1024;
/** between two top-ups while the filesystem is full */
const RETRY_MS = 200;
/** the store's real use is looked at (an LMDB stat, ~20 us) after this many commits */
const STAT_EVERY = 16;

/**
 * Why a statedir cannot hold the store's reserve (`need` bytes lacked), in
 * one line: the kvs refuses to start with it (flux-broker-attributes(7), statedir).
 */
export function reserveRefusal(dir: string, need: number): string {
  let free = '';
  try {
    const st = fs.statfsSync(dir);
    free = `, ${Math.floor((st.bavail * st.bsize) / 1024)} KiB free`;
  } catch {
    /* the free space is not told */
  }
  return `statedir ${dir}: needs at least ${Math.ceil(need / (1024 * 1024))} MiB free for the store's reserve${free}`;
}

export class Reserve {
  /** bytes from the file's start that are allocated */
  private allocated = 0;
  private topping: Promise<void> | undefined;
  private lastTry = 0;
  /** tries started so far, and the changes waiting for one that starts after they came */
  private tries = 0;
  /** the number of the last try that ended (what `full` was last decided by) */
  private ended = 0;
  private waiters: Array<{ after: number; resolve: () => void }> = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private disabled = false;
  /** the store's use at the last stat, and estimates of what was committed since and what is queued */
  private usedAtStat = 0;
  private committedSince = 0;
  private inflight = 0;
  private commits = 0;
  /** set while the filesystem has no room for the reserve */
  full: FluxError | undefined;
  /** what a change past the allocation is refused with until a top-up answers */
  private readonly short: FluxError;
  /** the most a refused change needed allocated (the next top-up covers it) */
  private wanted = 0;

  constructor(
    private readonly file: string,
    /** bytes the store uses now */
    private readonly used: () => number,
    private readonly onDisabled: (why: string) => void,
  ) {
    this.short = new FluxError(Errno.ENOSPC, `store ${file}: No space left on device`);
    this.stat();
  }

  /**
   * The first allocation, when the store opens: undefined once made (or when
   * the filesystem cannot preallocate: no reserve, as before), else the
   * bytes it lacked room for (the kvs refuses to start: a store that could
   * take no change would refuse every write of the running broker).
   */
  async prime(): Promise<{ need: number } | undefined> {
    const want = this.estimate() + RESERVE_CHUNK;
    let err: string | undefined;
    try {
      err = await fallocate(this.file, want);
    } catch (e) {
      err = (e as Error).message;
    }
    if (err === undefined) {
      this.allocated = Math.max(this.allocated, want);
      return undefined;
    }
    if (!/No space left/i.test(err)) {
      this.disabled = true;
      this.onDisabled(err);
      return undefined;
    }
    let held = 0;
    try {
      held = (await fs.promises.stat(this.file)).blocks * 512;
    } catch {
      /* counted as nothing held */
    }
    return { need: Math.max(want - held, 0) };
  }

  /**
   * Before a change of `bytes` goes to LMDB: its cost (a generous estimate:
   * twice its bytes and two pages, for the tree pages a commit copies), or the error to refuse it with while the
   * filesystem is full and the reserve left would not hold it.
   */
  admit(bytes: number): { cost: number } | FluxError {
    const cost = 2 * bytes + 8192;
    if (this.disabled) return { cost: 0 };
    const need = this.estimate() + cost;
    if (need > this.allocated - RESERVE_LOW) this.topUp(false, need);
    // Past what is allocated (less a margin) it must not reach LMDB, even
    // while a top-up is in flight (a burst under load outran one: LMDB's own
    // "Write error" in t0803): refused here, the caller waits for a try
    // (retry()) and asks again.
    if (need > this.allocated - SAFETY) {
      this.wanted = Math.max(this.wanted, need);
      return this.full ?? this.short;
    }
    this.inflight += cost;
    return { cost };
  }

  /** tries started so far: a change notes it when it comes */
  get started(): number {
    return this.tries;
  }

  /** true when a try that started after `since` (a count of started()) found the filesystem full */
  fullSince(since: number): boolean {
    return this.full !== undefined && this.ended > since;
  }

  /**
   * Resolved once a top-up that started after this call has ended: a change
   * refused while full tries once more after it (the room may be back).
   */
  retry(): Promise<void> {
    if (this.disabled) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ after: this.tries, resolve });
      this.kick();
    });
  }

  /** start the next try for the waiters: after the one in flight, and RETRY_MS after the last */
  private kick(): void {
    if (this.waiters.length === 0 || this.topping || this.retryTimer) return;
    // while full, at most a try every RETRY_MS; else at once
    const wait = this.full ? Math.max(0, this.lastTry + RETRY_MS - Date.now()) : 0;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.topping) this.topUp(true);
      // nothing to try (disabled, or nothing wanted): let the waiters go
      if (!this.topping) this.release(Infinity);
    }, wait);
  }

  /** the waiters whose try (number `started`, counted from 1) has ended */
  private release(started: number): void {
    const ready = this.waiters.filter((w) => w.after < started);
    this.waiters = this.waiters.filter((w) => w.after >= started);
    for (const w of ready) w.resolve();
    this.kick();
  }

  /** a change admitted with `cost` committed or failed */
  done(cost: number): void {
    if (cost === 0) return;
    this.inflight -= cost;
    this.committedSince += cost;
    if (++this.commits >= STAT_EVERY) this.stat();
  }

  private estimate(): number {
    return this.usedAtStat + this.committedSince + this.inflight;
  }

  private stat(): void {
    this.commits = 0;
    try {
      this.usedAtStat = this.used();
      this.committedSince = 0;
    } catch {
      /* keep the estimate */
    }
  }

  /** Allocate up to the estimate + RESERVE_CHUNK (one at a time; at most every RETRY_MS while full, unless `now`). */
  private topUp(now = false, need = 0): void {
    if (this.disabled || this.topping) return;
    if (this.full && !now && Date.now() - this.lastTry < RETRY_MS) return;
    // at most MAX_AHEAD past what the store really uses (blocks allocated ahead stay the file's),
    // but always what the changes waiting need
    const want = Math.max(Math.min(this.estimate() + RESERVE_CHUNK, this.usedAtStat + MAX_AHEAD), Math.max(need, this.wanted) + RESERVE_LOW);
    if (want <= this.allocated && !this.full) return;
    this.lastTry = Date.now();
    const number = ++this.tries;
    this.topping = fallocate(this.file, want)
      .then(
        (err) => {
          if (err === undefined) {
            this.allocated = Math.max(this.allocated, want);
            this.full = undefined;
            if (this.wanted <= want - RESERVE_LOW) this.wanted = 0;
          } else if (/No space left/i.test(err)) {
            this.full = new FluxError(Errno.ENOSPC, `store ${this.file}: No space left on device`);
          } else {
            this.disabled = true;
            this.full = undefined;
            this.onDisabled(err);
          }
        },
        (e: Error) => {
          this.disabled = true;
          this.full = undefined;
          this.onDisabled(e.message);
        },
      )
      .finally(() => {
        this.topping = undefined;
        this.ended = number;
        this.release(number);
      });
  }
}

/**
 * `fallocate --keep-size -o 0 -l LEN FILE`: undefined on success, else its
 * error text. Through the addon on Node's pool when it can (a fork of the
 * broker for fallocate(1) cost a bulk submission ~15 us a job), else fallocate(1).
 */
function fallocate(file: string, len: number): Promise<string | undefined> {
  const native = preallocate(file, len);
  if (native) return native.then((errno) => (errno === 0 ? undefined : `fallocate failed: ${strerror(errno)}`));
  return new Promise((resolve, reject) => {
    const child = spawn('fallocate', ['--keep-size', '-o', '0', '-l', String(len), file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 1024) err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve(code === 0 ? undefined : err.trim().split('\n')[0] || `fallocate exited ${String(code)}`));
  });
}
