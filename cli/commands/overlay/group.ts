/** `flux overlay`: the tree based overlay network (its sub-commands are the other files of this folder). */
import type { GroupSpec } from '../../options';

export const overlayGroup: GroupSpec = {
  kind: 'group',
  path: ['overlay'],
  grammar: 'getopt',
  prog: 'flux-overlay',
  summary: 'Show and manage the tree based overlay network',
};
