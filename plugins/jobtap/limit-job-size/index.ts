/**
 * limit-job-size: refuse a job that asks for more (or fewer) nodes, cores or
 * GPUs than a limit. Limits are the conf keys max-nnodes, max-ncores,
 * max-ngpus, min-nnodes, min-ncores, min-ngpus (-1: none), else the
 * instance's [policy.limits.job-size] and each queue's, as Flux's
 * .limit-job-size reads them.
 */
import { defineJobtapPlugin, confNumber, jobSize } from '../../../modules/job-manager/plugin-api';

type Obj = Record<string, unknown>;
type Size = Partial<Record<'nnodes' | 'ncores' | 'ngpus', number>>;
const KEYS = ['nnodes', 'ncores', 'ngpus'] as const;
const at = (o: unknown, ...p: string[]): unknown => p.reduce<unknown>((x, k) => (typeof x === 'object' && x !== null ? (x as Obj)[k] : undefined), o);

function fromTable(t: unknown): { min: Size; max: Size } {
  const l = { min: {} as Size, max: {} as Size };
  for (const end of ['min', 'max'] as const) {
    for (const k of KEYS) {
      const v = at(t, 'job-size', end, k);
      if (typeof v === 'number' && v >= 0) l[end][k] = v;
    }
  }
  return l;
}

const OPTIONS = ['min', 'max'].flatMap((end) => KEYS.map((k) => `${end}-${k}`));

export default defineJobtapPlugin({
  name: 'limit-job-size',
  description: 'refuse jobs above or below a size limit (conf max-ncores=N ..., else [policy.limits.job-size] and per-queue limits)',
  options: OPTIONS,
  create(ctx, conf) {
    const fromConf = Object.keys(conf).length > 0;
    const general = fromConf ? { min: {} as Size, max: {} as Size } : fromTable(at(ctx.config, 'policy', 'limits'));
    if (fromConf) {
      for (const end of ['min', 'max'] as const) {
        for (const k of KEYS) {
          const v = confNumber(conf, `${end}-${k}`, -1, -1);
          if (!Number.isInteger(v)) throw new Error(`${end}-${k} must be an integer`);
          if (v >= 0) general[end][k] = v;
        }
      }
    }
    const perQueue = new Map<string, { min: Size; max: Size }>();
    if (!fromConf) for (const [name, q] of Object.entries((ctx.config['queues'] ?? {}) as Obj)) perQueue.set(name, fromTable(at(q, 'policy', 'limits')));
    return {
      'job.validate': (job) => {
        const q = job.queue !== undefined ? perQueue.get(job.queue) : undefined;
        const size = jobSize(job.jobspec);
        for (const k of KEYS) {
          const got = size[k];
          if (got === undefined) continue;
          const max = q?.max[k] ?? general.max[k];
          const min = q?.min[k] ?? general.min[k];
          if (max !== undefined && got > max) return `requested ${k} (${got}) exceeds policy limit of ${max}`;
          if (min !== undefined && got < min) return `requested ${k} (${got}) is below policy minimum of ${min}`;
        }
        return undefined;
      },
      'plugin.query': () => ({ limits: general }),
    };
  },
});
