/**
 * The broker process: what cli/broker-entry runs, once per rank of
 * `flux start --test-size`. It loads the kernel and the overlay only (no CLI
 * code).
 */
import { brokerMain, exitWhenDrained } from '../kernel/main';
import { treeFactory } from '../overlay/factory';
import { postUriMemo } from './start/uri-memo';
import { connectInstance } from './start/connect-instance';

// The front end put flux's bin/ on PATH before spawning us; keep it so.
brokerMain(process.argv.slice(2), { treeFactory, onRun: postUriMemo, connectInstance }).then(
  (rc) => exitWhenDrained(rc),
  (e) => {
    process.stderr.write(`flux-broker: ${(e as Error).stack ?? String(e)}\n`);
    exitWhenDrained(1);
  },
);
