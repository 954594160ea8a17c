/**
 * flux-broker's process entry: what `flux start --test-size` spawns, once per
 * rank. It loads the kernel and the overlay only (no CLI code, no clipanion), so
 * each broker starts as fast as Node allows.
 */
import { brokerMain } from '../kernel/main';
import { treeFactory } from '../kernel/overlay/factory';

// The front end put flux's bin/ on PATH before spawning us; keep it so.
brokerMain(process.argv.slice(2), { treeFactory }).then(
  (rc) => process.exit(rc),
  (e) => {
    process.stderr.write(`flux-broker: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
