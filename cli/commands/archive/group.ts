/** `flux archive`: KVS file archives (flux-archive(1)); its sub-commands are the other files of this folder. */
import type { GroupSpec } from '../../options';

export const archiveGroup: GroupSpec = {
  kind: 'group',
  path: ['archive'],
  grammar: 'getopt',
  prog: 'flux-archive',
  summary: 'Flux KVS file archive utility',
};
