/**
 * The `flux` command's Node entry (bin/flux, or flux-launch when no warm client
 * takes the command): the front end from the prebuilt bundle when there is one.
 */
import { requireDist } from './bundle-loader';
import { unparkEnv } from '../lib/node-env';

unparkEnv();

(requireDist('flux', 'cli/main.js') as typeof import('./main')).runMain(process.argv.slice(2));
