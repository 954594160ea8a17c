/**
 * submit-hold.so (Flux's plugin of that name): every job submitted is held.
 * As it enters DEPEND its urgency is set to 0 (an `urgency` event by the
 * instance owner), so it waits in SCHED with priority 0 until someone sets
 * another urgency (`flux job urgency ID default`).
 */
import { defineJobtapPlugin } from '../../../modules/job-manager/plugin-api';

export default defineJobtapPlugin({
  name: 'submit-hold.so',
  description: 'hold every job submitted (urgency 0)',
  create(ctx) {
    return {
      'job.state.depend': (job) => {
        if (job.urgency !== 0) ctx.setUrgency(job.id, 0);
      },
    };
  },
});
