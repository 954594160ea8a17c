/** `flux event`: publish and subscribe to the instance's events (flux-event(1)); its sub-commands are the other files of this folder. */
import type { GroupSpec } from '../../options';

export const eventGroup: GroupSpec = {
  kind: 'group',
  path: ['event'],
  grammar: 'getopt',
  prog: 'flux-event',
  summary: 'Send and receive Flux events',
  commonCommandsUsage: '[OPTIONS] COMMAND ARGS',
};
