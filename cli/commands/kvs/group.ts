/** `flux kvs`: the instance's key-value store (flux-kvs(1)); its sub-commands are the other files of this folder. */
import type { GroupSpec } from '../../options';

export const kvsGroup: GroupSpec = {
  kind: 'group',
  path: ['kvs'],
  grammar: 'getopt',
  prog: 'flux-kvs',
  summary: 'Access the KVS',
  commonCommandsUsage: '[OPTIONS] COMMAND ARGS',
};
