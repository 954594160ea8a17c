/** `flux job`: job housekeeping (its sub-commands are the other files of this folder). */
import type { GroupSpec } from '../../options';

export const jobGroup: GroupSpec = {
  kind: 'group',
  path: ['job'],
  grammar: 'getopt',
  prog: 'flux-job',
  summary: 'Job housekeeping tools',
  commonCommandsUsage: '[OPTIONS] COMMAND ARGS',
};
