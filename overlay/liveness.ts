/**
 * How a broker tells a stalled child from a dead one (flux-config-tbon(5),
 * flux-broker-attributes(7)):
 *
 * - `tbon.torpid_min`: a broker sends its parent a keepalive whenever its link
 *   has been idle this long, so a healthy child is never silent for longer.
 * - `tbon.torpid_max`: a parent that has heard nothing from a child for this
 *   long marks it torpid (0: never). A torpid broker stays connected, its jobs
 *   keep running, and nothing new is scheduled on it until it is heard again.
 * - `tbon.tcp_user_timeout`: a parent closes a child's connection (the child is
 *   lost) when data sent to it has waited this long without the child's socket
 *   taking any of it (0: never). A broker whose process dies is lost at once:
 *   its socket closes.
 *
 * Each value comes from `-S` on the command line, else the `[tbon]` config
 * table, else the default; the attribute then shows the value in force.
 */
import { formatC, tryParse } from '../lib/formats/fsd';
import type { TreeAttrs } from '../kernel/tree-host';

export interface Liveness {
  /** idle time before a keepalive goes to the parent (ms, > 0) */
  torpidMinMs: number;
  /** silence after which a child is torpid (ms; 0 or Infinity: never) */
  torpidMaxMs: number;
  /** stall of data sent to a peer after which it is lost (ms; 0 or Infinity: never) */
  tcpUserTimeoutMs: number;
}

/** A bad value: one line, the broker does not start. */
export class LivenessConfigError extends Error {}

const KEYS = ['torpid_min', 'torpid_max', 'tcp_user_timeout'] as const;
type Key = (typeof KEYS)[number];

/** The duration in seconds (Infinity for `inf`), or undefined if not an FSD. */
function seconds(v: unknown): number | undefined {
  return typeof v === 'string' ? tryParse(v) : undefined;
}

/**
 * Settle the three attributes: a command-line value wins, then `[tbon]` in
 * the config, then the default. Each is checked and written back in Flux's
 * duration form (`60s` becomes `1m`). Throws LivenessConfigError.
 */
export function resolveLiveness(attrs: TreeAttrs, config: Record<string, unknown>, fromCommandLine: ReadonlySet<string>): Liveness {
  const table = config['tbon'];
  const tbon = typeof table === 'object' && table !== null ? (table as Record<string, unknown>) : {};
  const secs = {} as Record<Key, number>;
  for (const key of KEYS) {
    const name = `tbon.${key}`;
    let where = name;
    let raw: unknown = attrs.get(name);
    if (!fromCommandLine.has(name) && tbon[key] !== undefined) {
      raw = tbon[key];
      where = `[tbon] ${key}`;
    }
    const s = seconds(raw);
    if (s === undefined) throw new LivenessConfigError(`${where}: ${JSON.stringify(raw)} is not a valid duration (FSD)`);
    secs[key] = s;
  }
  if (!(secs.torpid_min > 0) || !Number.isFinite(secs.torpid_min)) throw new LivenessConfigError('tbon.torpid_min must be greater than zero and finite');
  if (secs.torpid_max !== 0 && secs.torpid_max <= secs.torpid_min) {
    throw new LivenessConfigError(
      `tbon.torpid_max (${formatC(secs.torpid_max)}) must be 0 or greater than tbon.torpid_min (${formatC(secs.torpid_min)})`,
    );
  }
  for (const key of KEYS) attrs.setInternal(`tbon.${key}`, formatC(secs[key]));
  return toMs(secs);
}

/** The values in force, read back from the (settled) attributes. */
export function livenessOf(attrs: TreeAttrs): Liveness {
  const secs = {} as Record<Key, number>;
  const dflt: Record<Key, number> = { torpid_min: 5, torpid_max: 30, tcp_user_timeout: 20 };
  for (const key of KEYS) secs[key] = seconds(attrs.get(`tbon.${key}`)) ?? dflt[key];
  return toMs(secs);
}

function toMs(s: Record<Key, number>): Liveness {
  return { torpidMinMs: s.torpid_min * 1000, torpidMaxMs: s.torpid_max * 1000, tcpUserTimeoutMs: s.tcp_user_timeout * 1000 };
}
