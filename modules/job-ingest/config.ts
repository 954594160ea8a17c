/**
 * `[ingest]` (flux-config-ingest(5)). Flux runs its frobnicator and validator
 * plugins in worker processes; flux-ts has the same steps built into
 * job-ingest and job-manager, so the tables choose among them by Flux's
 * plugin names:
 *
 *   frobnicator  defaults     [policy] and queue jobspec defaults (queue, duration)
 *                constraints  a queue's `requires` added to the job's constraint
 *   validator    jobspec      the RFC 25 checks (always made: nothing past
 *                             them could handle a malformed jobspec)
 *                feasibility  the scheduler's feasibility check at submit
 *                require-instance  jobs at or above a size must be Flux
 *                             instances (flux batch, flux alloc)
 *
 * A plugin name, argument or key flux-ts has nothing for is refused at start
 * with one line, as any unknown key is, rather than accepted and ignored.
 */
import type { ConfigSchema, ConfigSpec } from '../../kernel/api';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const FROBNICATORS = ['defaults', 'constraints'] as const;
const VALIDATORS = ['jobspec', 'feasibility', 'require-instance'] as const;
/** Flux's defaults (flux-config-ingest(5)) */
const DEFAULT_FROBNICATORS: readonly string[] = FROBNICATORS;
const DEFAULT_VALIDATORS: readonly string[] = ['jobspec', 'feasibility'];

const ARG = /^--(require-version|require-instance-minnodes|require-instance-mincores)=(\d+)$/;

function pluginList(known: readonly string[], kind: string): ConfigSpec {
  return {
    kind: 'custom',
    what: `an array of ${kind} plugin names (${known.join(', ')})`,
    check: (v) => {
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return 'must be an array of strings';
      const bad = (v as string[]).find((x) => !known.includes(x));
      return bad === undefined ? undefined : `no ${kind} plugin '${bad}' in flux-ts (it has: ${known.join(', ')})`;
    },
  };
}

const validatorArgs: ConfigSpec = {
  kind: 'custom',
  what: 'an array of validator arguments (--require-version=1, --require-instance-minnodes=N, --require-instance-mincores=N)',
  check: (v) => {
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return 'must be an array of strings';
    for (const a of v as string[]) {
      const m = ARG.exec(a);
      if (!m) return `unknown validator argument '${a}' (flux-ts takes --require-version=1, --require-instance-minnodes=N, --require-instance-mincores=N)`;
      if (m[1] === 'require-version' && m[2] !== '1') return `${a}: only jobspec version 1 exists`;
    }
    return undefined;
  },
};

const refused = (why: string): ConfigSpec => ({ kind: 'custom', what: 'nothing (refused)', check: () => why });

export const ingestConfigSchema: ConfigSchema = {
  ingest: {
    kind: 'table',
    keys: {
      'batch-count': refused('flux-ts batches the jobs that arrive in one event-loop turn; there is no counter to set'),
      'buffer-size': refused('flux-ts has no validator worker processes to buffer for; a submission is bounded by the 16 MiB message frame'),
      frobnicator: {
        kind: 'table',
        keys: {
          disable: { kind: 'boolean' },
          plugins: pluginList(FROBNICATORS, 'frobnicator'),
          args: refused('no frobnicator plugin of flux-ts takes arguments'),
        },
      },
      validator: {
        kind: 'table',
        keys: {
          disable: { kind: 'boolean' },
          plugins: pluginList(VALIDATORS, 'validator'),
          args: validatorArgs,
          'require-instance': {
            kind: 'table',
            keys: { minnodes: { kind: 'integer', min: 0 }, mincores: { kind: 'integer', min: 0 } },
          },
        },
      },
    },
  },
};

/** What the [ingest] table turns on. */
export interface IngestConfig {
  /** apply [policy]/queue jobspec defaults */
  defaults: boolean;
  /** add a queue's requires to the job's constraint */
  constraints: boolean;
  /** ask the scheduler at submit */
  feasibility: boolean;
  /** jobs at or above this size must be Flux instances (undefined: no such check) */
  requireInstance?: { nnodes: number; ncores: number };
}

/** The effective settings of a config already checked against ingestConfigSchema. */
export function ingestConfig(config: Readonly<Obj>): IngestConfig {
  const t = isObj(config['ingest']) ? config['ingest'] : {};
  const frob = isObj(t['frobnicator']) ? t['frobnicator'] : {};
  const val = isObj(t['validator']) ? t['validator'] : {};
  const frobs = frob['disable'] === true ? [] : ((frob['plugins'] as string[] | undefined) ?? DEFAULT_FROBNICATORS);
  const vals = val['disable'] === true ? [] : ((val['plugins'] as string[] | undefined) ?? DEFAULT_VALIDATORS);
  const out: IngestConfig = {
    defaults: frobs.includes('defaults'),
    constraints: frobs.includes('constraints'),
    feasibility: vals.includes('feasibility'),
  };
  if (vals.includes('require-instance')) {
    let nnodes = 0;
    let ncores = 0;
    const ri = isObj(val['require-instance']) ? val['require-instance'] : {};
    if (typeof ri['minnodes'] === 'number') nnodes = ri['minnodes'];
    if (typeof ri['mincores'] === 'number') ncores = ri['mincores'];
    for (const a of (val['args'] as string[] | undefined) ?? []) {
      const m = ARG.exec(a);
      if (m?.[1] === 'require-instance-minnodes') nnodes = Number(m[2]);
      if (m?.[1] === 'require-instance-mincores') ncores = Number(m[2]);
    }
    // as Flux: a node minimum alone also limits cores (16 a node), so that a
    // cores-only request cannot slip under it
    if (nnodes > 0 && ncores === 0) ncores = 16 * nnodes;
    out.requireInstance = { nnodes, ncores };
  }
  return out;
}
