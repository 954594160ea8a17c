/** `flux module`: broker modules (its sub-commands are the other files of this folder). */
import type { GroupSpec } from '../../options';

export const moduleGroup: GroupSpec = {
  kind: 'group',
  path: ['module'],
  grammar: 'getopt',
  prog: 'flux-module',
  summary: 'Manage broker modules',
};
