// A site's job-manager plugin (docs/guide/writing-a-jobtap-plugin.md):
// refuse jobs that set no time limit, and tag the ones that run long.
//
//   flux jobtap load /etc/flux/jobtap/require-duration.js long=3600
//
// A plain CommonJS file: it needs nothing from flux-ts to be loaded.
'use strict';

module.exports = {
  jobtapPlugin: 1,
  name: 'require-duration',
  description: 'refuse jobs without a time limit (-t); post a "long-job" event on long ones',
  options: ['long'],

  create(ctx, conf) {
    const long = conf.long === undefined ? 3600 : Number(conf.long);
    if (!Number.isFinite(long) || long <= 0) throw new Error(`long must be a number of seconds, got ${JSON.stringify(conf.long)}`);
    let refused = 0;
    return {
      // a string refuses the submission: `flux submit` prints it
      'job.validate': (job) => {
        if (job.duration === 0) {
          refused++;
          return 'this site requires a time limit: add -t DURATION (e.g. -t 30m)';
        }
        return undefined;
      },
      // on the job's eventlog, for tools that watch it
      'job.state.run': (job) => {
        if (job.duration >= long) ctx.postEvent(job.id, 'long-job', { duration: job.duration });
      },
      // `flux jobtap query require-duration`
      'plugin.query': () => ({ refused, long }),
    };
  },
};
