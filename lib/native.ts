/**
 * The calls the broker takes from the flux-ts addon (dist/native/flux-ts.node,
 * ADR 0005): the credentials of the process behind a client socket (log lines,
 * and who the client is: kernel/connector/access.ts), malloc_trim, V8's
 * memory-reducing collection (lib/idle-reduce.ts), V8's tier-up budget, and a
 * syslog datagram that never blocks, and a file's blocks allocated ahead
 * (the kvs store's reserve). All are optional: without the addon a
 * client is named by its number only, guests cannot be allowed, freed heap
 * pages stay with the process until reused, and syslog is refused.
 */
import * as path from 'node:path';
import type * as net from 'node:net';

interface ConnectorAddon {
  peerCred?(fd: number): { pid: number; uid: number } | undefined;
  trimMemory?(): boolean;
  lowMemory?(flushAll: boolean): boolean;
  v8Flags?(flags: string): void;
  syslogSend?(pri: number, text: string): boolean;
  fileOps?(ops: Array<string | number | null>, cb: (results: number[]) => void): void;
}

let addon: object | null | undefined;

/**
 * The addon's exports (loaded once), typed as what the caller uses of them —
 * every call optional, as another build may lack one — or null without a
 * build. The job shell's spawn and CPU binding take theirs through this too.
 */
export function nativeAddon<T extends object>(): Partial<T> | null {
  if (addon === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      addon = require(path.join(__dirname, '..', 'native', 'flux-ts.node')) as object;
    } catch {
      addon = null;
    }
  }
  return addon as Partial<T> | null;
}

const load = () => nativeAddon<ConnectorAddon>();

/** pid and uid of the process that connected `sock` (SO_PEERCRED), when the addon can tell. */
export function peerCred(sock: net.Socket): { pid: number; uid: number } | undefined {
  // N.B. _handle.fd is Node's (undocumented, stable) descriptor of a pipe handle.
  const fd = (sock as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return undefined;
  return load()?.peerCred?.(fd);
}

/** Whether client credentials can be read at all on this build. */
export function canReadPeerCred(): boolean {
  return typeof load()?.peerCred === 'function';
}

/** malloc_trim(0), when the addon is built. */
export function trimMemory(): void {
  load()?.trimMemory?.();
}

/**
 * V8's memory-reducing collection (LowMemoryNotification) and malloc_trim(0);
 * `flushAll`: the bytecode of every function not running goes too. False when
 * this build's addon lacks it (lib/idle-reduce.ts falls back).
 */
export function lowMemory(flushAll: boolean): boolean {
  const f = load()?.lowMemory;
  if (typeof f !== 'function') return false;
  f(flushAll);
  return true;
}

/** Whether this build can send to syslog (the addon has syslogSend). */
export function canSyslog(): boolean {
  return typeof load()?.syslogSend === 'function';
}

/** One message to /dev/log at priority `pri` (facility | severity); false when it was lost. */
export function syslogSend(pri: number, text: string): boolean {
  return load()?.syslogSend?.(pri, text) ?? false;
}

/** native/file-ops.h's preallocate operation */
const PREALLOCATE = 4;

/**
 * fallocate(FALLOC_FL_KEEP_SIZE) of `file`'s first `len` bytes on Node's pool:
 * resolves with 0 or the errno. Undefined when this build's addon cannot
 * (the caller runs fallocate(1)).
 */
export function preallocate(file: string, len: number): Promise<number> | undefined {
  const f = load()?.fileOps;
  if (typeof f !== 'function') return undefined;
  return new Promise((resolve) => f([PREALLOCATE, file, String(Math.floor(len)), 0], (r) => resolve(r[0] ?? 0)));
}

/** V8's interrupt budget for the broker once it runs jobs (V8's own default: 66 KiB of bytecode run) */
const TIER_UP_BUDGET = 16 * 1024;
let tieredUp = false;

/**
 * The broker's functions tier up to optimized code after a quarter of V8's
 * default budget (--interrupt-budget=16384, not 67584), from the first job
 * it runs on: a job's path is hundreds of functions each run a few times a job,
 * which at the default stayed in V8's baseline tier, behind its generic
 * inline caches, for thousands of jobs (ADR 0022). Not before the first job
 * runs: start-up's functions would be optimized too, and the compiler's
 * code pages it touched would stay in an idle broker's RSS (+3.6 MiB); nor
 * at the first submit: a burst of submits into a new instance paid the
 * compiler's work at once (1000 submits 30 % slower). Left to
 * node's command line when it names a budget (an experiment through `flux
 * start --wrap`), and to V8's default without the addon's V8 part.
 */
export function tierUpSooner(): void {
  if (tieredUp) return;
  tieredUp = true;
  // --interrupt-budget itself, not the feedback-allocation flags that start with its name
  if (process.execArgv.some((a) => /^--interrupt-budget(=|$)/.test(a))) return;
  load()?.v8Flags?.(`--interrupt-budget=${TIER_UP_BUDGET}`);
}
