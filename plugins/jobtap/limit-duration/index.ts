/**
 * limit-duration: refuse a job whose duration (-t) exceeds a limit, or that
 * asks for none (unlimited) when there is a limit. The limit is the `duration`
 * conf key (an FSD: `flux jobtap load limit-duration duration=1h`), else the
 * instance's [policy.limits] duration and each queue's
 * [queues.NAME.policy.limits] duration, as Flux's .limit-duration reads them.
 */
import { fsd } from '../../../kernel/api';
import { defineJobtapPlugin } from '../../../modules/job-manager/plugin-api';

type Obj = Record<string, unknown>;
const at = (o: unknown, ...p: string[]): unknown => p.reduce<unknown>((x, k) => (typeof x === 'object' && x !== null ? (x as Obj)[k] : undefined), o);

function seconds(v: unknown, what: string): number | undefined {
  if (v === undefined) return undefined;
  const s = typeof v === 'number' ? v : typeof v === 'string' ? fsd.tryParse(v) : undefined;
  if (s === undefined || s < 0) throw new Error(`${what} must be a duration (FSD), got ${JSON.stringify(v)}`);
  return s;
}

const show = (s: number) => (Number.isFinite(s) ? fsd.formatC(s) : 'inf');

export default defineJobtapPlugin({
  name: 'limit-duration',
  description: 'refuse jobs longer than a duration limit (conf duration=FSD, else [policy.limits] and per-queue limits)',
  options: ['duration'],
  create(ctx, conf) {
    const fixed = seconds(conf['duration'], 'duration');
    const general = fixed ?? seconds(at(ctx.config, 'policy', 'limits', 'duration'), 'policy.limits.duration');
    const perQueue = new Map<string, number>();
    if (fixed === undefined) {
      for (const [name, q] of Object.entries((ctx.config['queues'] ?? {}) as Obj)) {
        const d = seconds(at(q, 'policy', 'limits', 'duration'), `queues.${name}.policy.limits.duration`);
        if (d !== undefined) perQueue.set(name, d);
      }
    }
    return {
      'job.validate': (job) => {
        const limit = (job.queue !== undefined ? perQueue.get(job.queue) : undefined) ?? general;
        if (limit === undefined || !Number.isFinite(limit)) return undefined;
        if (job.duration === 0) return `unlimited duration exceeds policy limit of ${show(limit)}`;
        if (job.duration > limit) return `requested duration (${show(job.duration)}) exceeds policy limit of ${show(limit)}`;
        return undefined;
      },
      'plugin.query': () => ({ limit: general ?? -1, queues: Object.fromEntries(perQueue) }),
    };
  },
});
