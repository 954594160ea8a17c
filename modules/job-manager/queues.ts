/**
 * Named queues and job policy (flux-config-queues(5), flux-config-policy(5)):
 * `[queues.NAME]` with `requires` (properties its nodes have) and a
 * per-queue `policy`, and `[policy]` with jobspec defaults (duration, queue)
 * and limits (duration, job size) that apply where a queue sets none.
 *
 * At submit (job-manager.validate, asked by job-ingest before the scheduler's
 * feasibility check) a jobspec gets its queue and duration defaults, is
 * checked against the limits, and the queue's `requires` is and-ed into its
 * constraint (RFC 31), so every scheduler policy keeps its jobs on the queue's
 * nodes.
 */
import { einval, fsd, type ConfigSchema, type ConfigSpec } from '../../kernel/api';
import { jobSize, type JobSize } from '../../lib/jobspec-size';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);


export interface Limits {
  /** seconds (Infinity: none) */
  duration?: number;
  min: JobSize;
  max: JobSize;
}

export interface QueueConfig {
  name: string;
  requires?: string[];
  limits: Limits;
  defaultDuration?: number;
}

export interface QueuePolicy {
  /** configured queues in config order (empty: the one anonymous queue) */
  queues: QueueConfig[];
  defaultQueue?: string;
  defaultDuration?: number;
  limits: Limits;
}

const SIZE_KEYS = ['nnodes', 'ncores', 'ngpus'] as const;

const size: ConfigSpec = {
  kind: 'table',
  keys: Object.fromEntries(SIZE_KEYS.map((k) => [k, { kind: 'integer', min: -1 } as ConfigSpec])),
};
const limitsSpec: ConfigSpec = {
  kind: 'table',
  keys: { duration: { kind: 'fsd' }, 'job-size': { kind: 'table', keys: { min: size, max: size } } },
};
const PROPERTY = /^[^\s!&'"^`|(),]+$/;

export const queueConfigSchema: ConfigSchema = {
  queues: {
    kind: 'map',
    value: {
      kind: 'table',
      keys: {
        requires: {
          kind: 'custom',
          what: 'an array of property names',
          check: (v) =>
            Array.isArray(v) && v.every((p) => typeof p === 'string' && PROPERTY.test(p))
              ? undefined
              : "'requires' must be an array of property strings (RFC 20)",
        },
        policy: {
          kind: 'table',
          keys: {
            limits: limitsSpec,
            jobspec: { kind: 'table', keys: { defaults: { kind: 'table', keys: { system: { kind: 'table', keys: { duration: { kind: 'fsd' } } } } } } },
          },
        },
      },
    },
  },
  policy: {
    kind: 'table',
    keys: {
      limits: limitsSpec,
      jobspec: {
        kind: 'table',
        keys: { defaults: { kind: 'table', keys: { system: { kind: 'table', keys: { duration: { kind: 'fsd' }, queue: { kind: 'string' } } } } } },
      },
    },
  },
};

const at = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((x, k) => (typeof x === 'object' && x !== null ? (x as Obj)[k] : undefined), o);
const secs = (v: unknown): number | undefined => (typeof v === 'string' ? fsd.tryParse(v) : undefined);

/**
 * A [policy.limits] table. As Flux: a duration of "0" and a size of -1 mean
 * unlimited, and a queue's own "0" or -1 lifts the general limit (an explicit
 * no-limit, not an absent key that falls back to it).
 */
function limitsOf(t: unknown): Limits {
  const l: Limits = { min: {}, max: {} };
  const d = secs(at(t, 'duration'));
  if (d !== undefined) l.duration = d === 0 ? Infinity : d;
  for (const end of ['min', 'max'] as const) {
    for (const k of SIZE_KEYS) {
      const v = at(t, 'job-size', end, k);
      if (typeof v === 'number' && v >= 0) l[end][k] = v;
      else if (v === -1) l[end][k] = end === 'max' ? Infinity : 0;
    }
  }
  return l;
}

/** The policy from the broker config (already checked against the schema); throws EINVAL on a bad default queue. */
export function queuePolicy(config: Readonly<Obj>): QueuePolicy {
  const queues: QueueConfig[] = [];
  for (const [name, q] of Object.entries((config['queues'] ?? {}) as Obj)) {
    const dd = secs(at(q, 'policy', 'jobspec', 'defaults', 'system', 'duration'));
    const requires = at(q, 'requires') as string[] | undefined;
    queues.push({ name, requires, limits: limitsOf(at(q, 'policy', 'limits')), ...(dd !== undefined ? { defaultDuration: dd } : {}) });
  }
  const pol = config['policy'];
  const defaultQueue = at(pol, 'jobspec', 'defaults', 'system', 'queue') as string | undefined;
  if (defaultQueue !== undefined && !queues.some((q) => q.name === defaultQueue)) {
    throw einval(`config: the [policy] config table defines a default queue ${defaultQueue} that is not in [queues] table`);
  }
  return { queues, defaultQueue, defaultDuration: secs(at(pol, 'jobspec', 'defaults', 'system', 'duration')), limits: limitsOf(at(pol, 'limits')) };
}

/** nnodes (if the jobspec has a node level), ncores and ngpus a V1 jobspec asks for. */

/** `5m`, `1h`, `inf` as Flux prints durations in these messages. */
const showDuration = (s: number): string => (Number.isFinite(s) ? fsd.formatC(s) : 'inf');

/** Which of Flux's frobnicator steps apply ([ingest.frobnicator], modules/job-ingest/config.ts). */
export interface FrobSteps {
  defaults: boolean;
  constraints: boolean;
}
const ALL_STEPS: FrobSteps = { defaults: true, constraints: true };

/**
 * Apply defaults, check the queue and the limits, merge the queue's requires
 * into the constraint. Returns the jobspec to store; throws EINVAL with
 * Flux's sentence.
 */
export function validateJobspec(policy: QueuePolicy, jobspec: Obj, steps: FrobSteps = ALL_STEPS): Obj {
  // only attributes.system is changed here: it alone is copied (a deep copy of
  // the whole jobspec, environment and all, was a tenth of a submit's cost);
  // the rest is shared with the caller's object, which nobody changes in place
  const a0 = jobspec['attributes'];
  const attrs: Obj = isObj(a0) ? { ...a0 } : {};
  const s0 = attrs['system'];
  const sys: Obj = isObj(s0) ? { ...s0 } : {};
  attrs['system'] = sys;
  const js: Obj = { ...jobspec, attributes: attrs };
  let qname = sys['queue'];
  if (qname !== undefined && typeof qname !== 'string') throw einval('attributes.system.queue must be a string');
  let queue: QueueConfig | undefined;
  if (policy.queues.length === 0) {
    if (qname !== undefined) throw einval(`Invalid queue '${qname}' specified: no queues are configured`);
  } else {
    if (steps.defaults) qname ??= policy.defaultQueue;
    if (qname === undefined) {
      throw einval(steps.defaults ? 'no queue specified and the [policy] config table sets no default queue' : 'no queue specified (no defaults: [ingest.frobnicator] leaves out defaults)');
    }
    queue = policy.queues.find((q) => q.name === qname);
    if (!queue) throw einval(`Invalid queue '${qname}' specified`);
    sys['queue'] = qname;
  }
  const forQueue = queue ? ` for queue ${queue.name}` : '';
  let duration = typeof sys['duration'] === 'number' ? sys['duration'] : 0;
  if (duration === 0 && steps.defaults) {
    const d = queue?.defaultDuration ?? policy.defaultDuration;
    if (d !== undefined && Number.isFinite(d)) sys['duration'] = duration = d;
  }
  const limit = queue?.limits.duration ?? policy.limits.duration;
  if (limit !== undefined && Number.isFinite(limit) && (duration === 0 || duration > limit)) {
    const asked = duration === 0 ? 'unlimited duration' : `requested duration (${showDuration(duration)})`;
    throw einval(`${asked} exceeds policy limit of ${showDuration(limit)}${forQueue}`);
  }
  const size = jobSize(js);
  for (const k of SIZE_KEYS) {
    const got = size[k];
    if (got === undefined) continue;
    const max = queue?.limits.max[k] ?? policy.limits.max[k];
    const min = queue?.limits.min[k] ?? policy.limits.min[k];
    if (max !== undefined && got > max) throw einval(`requested ${k} (${got}) exceeds policy limit of ${max}${forQueue}`);
    if (min !== undefined && got < min) throw einval(`requested ${k} (${got}) is below policy minimum of ${min}${forQueue}`);
  }
  if (steps.constraints && queue?.requires && queue.requires.length > 0) {
    const need = { properties: queue.requires };
    const c = sys['constraints'];
    sys['constraints'] = c === undefined || (typeof c === 'object' && c !== null && Object.keys(c).length === 0) ? need : { and: [c, need] };
  }
  return js;
}
