/** `flux R`: read, generate and process RFC 20 resource sets (its sub-commands are the other files of this folder). */
import type { GroupSpec } from '../../options';

export const rGroup: GroupSpec = {
  kind: 'group',
  path: ['R'],
  grammar: 'getopt',
  prog: 'flux-R',
  summary: 'Read, generate, and process RFC 20 Resource Set objects',
};
