/**
 * The default methods the module host answers for every module that has no
 * handler of its own (RFC 5), other than its life cycle: `stats-get`,
 * `stats-clear`, `rusage` and `debug` (flux module stats / debug). The kernel's
 * module host calls answerDefault() with the module's handle; it knows no
 * kernel type, only a handle that responds.
 *
 * `debug` keeps a flag word per module handle (Flux's "flux::debug_flags" aux
 * item): `{op: setbit|clrbit|set|clr, flags}` answered `{flags}`. A module
 * reads it with moduleDebugTest(handle, flag); the word goes with the handle,
 * so a reloaded module starts at 0.
 *
 * `rusage` answers process.resourceUsage() in getrusage(2)'s field names:
 * modules run in the broker's own process, so `self` (the default) is the
 * broker's usage; `children` and `thread` are refused as Flux refuses a `who`
 * its platform lacks (`X is unsupported`).
 */
import { Errno } from './errno';

/** what answerDefault needs of a module's handle (kernel LocalHandle) */
export interface DefaultResponder<M> {
  respond(msg: M, payload?: unknown): void;
  respondError(msg: M, errnum: number, errstr?: string): void;
}

/** a module handle's debug word; none until first set */
const debugWords = new WeakMap<object, number>();

/** The module's debug flags (0 until `flux module debug` sets some). */
export function moduleDebugFlags(handle: object): number {
  return debugWords.get(handle) ?? 0;
}

/** Whether `flag` is set in the module's debug word; with clear, it is cleared once seen (flux_module_debug_test). */
export function moduleDebugTest(handle: object, flag: number, clear = false): boolean {
  const w = moduleDebugFlags(handle);
  if ((w & flag) === 0) return false;
  if (clear) debugWords.set(handle, (w & ~flag) >>> 0);
  return true;
}

type Answer = { ok: unknown } | { errno: number; text: string };

/** `debug {op, flags}`: the new word, or EPROTO */
function debug(handle: object, p: Record<string, unknown>): Answer {
  const { op, flags } = p;
  if (typeof op !== 'string' || typeof flags !== 'number' || !Number.isInteger(flags)) {
    return { errno: Errno.EPROTO, text: 'debug: request needs op (string) and flags (integer)' };
  }
  const w = moduleDebugFlags(handle);
  const next = op === 'setbit' ? w | flags : op === 'clrbit' ? w & ~flags : op === 'set' ? flags : op === 'clr' ? 0 : undefined;
  if (next === undefined) return { errno: Errno.EPROTO, text: `debug: unknown op ${op}` };
  debugWords.set(handle, next >>> 0);
  return { ok: { flags: next >>> 0 } };
}

/** `rusage {who?}`: getrusage(2)'s fields for the broker process */
function rusage(p: Record<string, unknown>): Answer {
  const who = p.who;
  if (who !== undefined && who !== 'self') return { errno: Errno.EINVAL, text: `${String(who)} is unsupported` };
  const r = process.resourceUsage();
  return {
    ok: {
      utime: r.userCPUTime / 1e6,
      stime: r.systemCPUTime / 1e6,
      maxrss: r.maxRSS,
      ixrss: r.sharedMemorySize,
      idrss: r.unsharedDataSize,
      isrss: r.unsharedStackSize,
      minflt: r.minorPageFault,
      majflt: r.majorPageFault,
      nswap: r.swappedOut,
      inblock: r.fsRead,
      oublock: r.fsWrite,
      msgsnd: r.ipcSent,
      msgrcv: r.ipcReceived,
      nsignals: r.signalsCount,
      nvcsw: r.voluntaryContextSwitches,
      nivcsw: r.involuntaryContextSwitches,
    },
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function answer(handle: object, name: string, method: string, payload: unknown): Answer | undefined {
  const p: Record<string, unknown> = isRecord(payload) ? payload : {};
  switch (method) {
    case 'stats-get':
      return { ok: {} };
    case 'stats-clear':
      // no stats-clear of its own: saying yes would clear nothing (issue 11)
      return { errno: Errno.ENOSYS, text: `${name} keeps no stats that stats-clear can reset` };
    case 'rusage':
      return rusage(p);
    case 'debug':
      return debug(handle, p);
    default:
      return undefined;
  }
}

/** Answer one of the default methods above for module `name`; false: not one of them. */
export function answerDefault<M extends { payload?: unknown }>(h: DefaultResponder<M>, name: string, method: string, msg: M): boolean {
  const a = answer(h, name, method, msg.payload);
  if (a === undefined) return false;
  if ('ok' in a) h.respond(msg, a.ok);
  else h.respondError(msg, a.errno, a.text);
  return true;
}
