/**
 * taskmap: shell option `taskmap` (scheme.ts: block, cyclic, manual,
 * hostfile). Leader side, shell.init: before any shell starts, the task ranks
 * of each shell are re-mapped in place; a bad map is the job's exception.
 */
import { defineShellPlugin, placementTaskmap } from '../../../modules/job-exec/plugin-api';
import { applyTaskmap } from './scheme';

/** the largest hostfile a --taskmap=hostfile:FILE may name */
const MAX_HOSTFILE = 1 << 20;

export default defineShellPlugin({
  name: 'taskmap',
  leader(ctx) {
    if (ctx.options['taskmap'] === undefined) return undefined;
    return {
      async 'shell.init'() {
        await applyTaskmap(ctx.placements, ctx.options['taskmap'], ctx.hosts, (file) => ctx.readFile(file, MAX_HOSTFILE));
        if (ctx.placements.some((p) => p.ranks !== undefined)) ctx.log(6, `taskmap: ${JSON.stringify(placementTaskmap(ctx.placements).map)}`);
      },
    };
  },
});
