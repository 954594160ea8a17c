/** `flux config`: the instance's configuration (its sub-commands are the other files of this folder). */
import type { GroupSpec } from '../../options';

export const configGroup: GroupSpec = {
  kind: 'group',
  path: ['config'],
  grammar: 'getopt',
  prog: 'flux-config',
  summary: 'Manage/query Flux configuration',
};
