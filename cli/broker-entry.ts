/**
 * flux-broker's process entry: what `flux start --test-size` spawns, once per
 * rank. It runs cli/broker-main from the broker bundle (kernel, overlay and the
 * in-tree modules; no CLI code) when the build made one, so each
 * broker starts as fast as Node allows.
 */
import { requireDist } from './bundle-loader';
import { unparkEnv } from '../lib/node-env';

unparkEnv();

requireDist('broker', 'cli/broker-main.js');
