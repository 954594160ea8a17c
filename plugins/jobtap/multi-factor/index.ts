/**
 * multi-factor: an example priority plugin with fair share by user. A job's
 * priority is
 *
 *     urgency-weight * urgency + fairshare-weight * F(user) + age-weight * hours queued
 *
 * where F(user) = 1 / (1 + usage / usage-scale) falls from 1 toward 0 as the
 * user's recent usage grows. Usage is core-seconds of the user's finished
 * jobs, halved every `halflife` (an FSD). Urgency 0 still holds a job
 * (priority 0) and 31 still expedites it (the maximum), as in Flux. When a
 * job ends, every pending job is prioritized again (at most once per
 * `reprioritize-interval`, an FSD, default 1s: with thousands of jobs pending
 * and ending, once per job end would cost a priority event per pending job
 * each time), so a user who just ran a lot drops behind one who did not. Load it with `flux jobtap load
 * multi-factor` (it replaces .priority-default's answer: the last plugin to
 * answer job.priority.get wins).
 */
import { confNumber, defineJobtapPlugin, PRIORITY_MAX, type JobView } from '../../../modules/job-manager/plugin-api';
import { fsd } from '../../../kernel/api';

interface Usage {
  value: number;
  /** epoch seconds of value */
  at: number;
}

export default defineJobtapPlugin({
  name: 'multi-factor',
  description: 'priority from urgency, fair share by user (decayed core-seconds) and age',
  options: ['urgency-weight', 'fairshare-weight', 'age-weight', 'usage-scale', 'halflife', 'reprioritize-interval'],
  create(ctx, conf) {
    const wU = confNumber(conf, 'urgency-weight', 1000, 0);
    const wF = confNumber(conf, 'fairshare-weight', 100000, 0);
    const wA = confNumber(conf, 'age-weight', 0, 0);
    const scale = confNumber(conf, 'usage-scale', 3600, Number.MIN_VALUE);
    const hl = conf['halflife'] === undefined ? 7 * 86400 : typeof conf['halflife'] === 'string' ? fsd.tryParse(conf['halflife']) : undefined;
    if (hl === undefined || !(hl > 0)) throw new Error(`halflife must be a positive duration (FSD), got ${JSON.stringify(conf['halflife'])}`);
    const iv = conf['reprioritize-interval'] === undefined ? 1 : typeof conf['reprioritize-interval'] === 'string' ? fsd.tryParse(conf['reprioritize-interval']) : undefined;
    if (iv === undefined || !Number.isFinite(iv)) throw new Error(`reprioritize-interval must be a finite duration (FSD), got ${JSON.stringify(conf['reprioritize-interval'])}`);
    const usage = new Map<number, Usage>();
    /** reprioritize now, or once the interval since the last one has passed */
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = -Infinity;
    const reprioritize = () => {
      if (timer) return;
      const wait = last + iv * 1000 - Date.now();
      if (wait <= 0) {
        last = Date.now();
        ctx.reprioritizeAll();
        return;
      }
      timer = setTimeout(() => {
        timer = undefined;
        last = Date.now();
        ctx.reprioritizeAll();
      }, wait);
    };

    const usageOf = (userid: number, now: number): number => {
      const u = usage.get(userid);
      if (!u) return 0;
      return Number.isFinite(hl) ? u.value * Math.pow(0.5, (now - u.at) / hl) : u.value;
    };
    const fairshare = (userid: number, now: number) => 1 / (1 + usageOf(userid, now) / scale);

    const priority = (job: JobView): number => {
      if (job.urgency === 0) return 0;
      if (job.urgency === 31) return PRIORITY_MAX;
      const now = ctx.now();
      const ageHours = Math.max(0, now - job.t_submit) / 3600;
      const p = Math.round(wU * job.urgency + wF * fairshare(job.userid, now) + wA * ageHours);
      return Math.min(PRIORITY_MAX - 1, Math.max(1, p));
    };

    return {
      'job.priority.get': (job) => priority(job),
      'job.state.inactive': (job) => {
        if (job.t_run === undefined || job.t_inactive === undefined) return;
        const now = ctx.now();
        const used = Math.max(0, job.t_inactive - job.t_run) * Math.max(1, job.ncores);
        usage.set(job.userid, { value: usageOf(job.userid, now) + used, at: now });
        reprioritize();
      },
      'plugin.remove': () => clearTimeout(timer),
      'plugin.query': () => {
        const now = ctx.now();
        return {
          weights: { urgency: wU, fairshare: wF, age: wA },
          usage: Object.fromEntries([...usage.keys()].map((u) => [String(u), Math.round(usageOf(u, now) * 1000) / 1000])),
          fairshare: Object.fromEntries([...usage.keys()].map((u) => [String(u), Math.round(fairshare(u, now) * 1e6) / 1e6])),
        };
      },
    };
  },
});
