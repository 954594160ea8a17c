/** `flux admin`: administration subcommands (cleanup-push.ts). */
import type { GroupSpec } from '../../options';

export const adminGroup: GroupSpec = {
  kind: 'group',
  path: ['admin'],
  grammar: 'argparse',
  prog: 'flux-admin',
  summary: 'Flux administration subcommands',
};
