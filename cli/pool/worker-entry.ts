/**
 * Process entry of a warm client (what the cli-pool module spawns): the worker
 * from the front end's bundle, so that it shares the commands' module instances.
 */
import { requireDist } from '../bundle-loader';
import { unparkEnv } from '../../lib/node-env';

unparkEnv();

requireDist('flux', 'cli/pool/worker.js');
