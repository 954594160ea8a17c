/**
 * The broker zygote (ADR 0024): what `flux start --test-size=N` runs once, for
 * ranks 1 to N-1, instead of N-1 Node processes that would each start Node and
 * evaluate the broker bundle. It does both once, then forks a broker per rank
 * the front end asks for (native/zygote.h); each child carries on from here as
 * that rank's broker, exactly as cli/broker-entry.js would run it.
 *
 *   node --single-threaded-gc --no-concurrent-recompilation broker-zygote.js \
 *        PAIR_LO PAIR_HI BROKER-ARGS...
 *
 * Descriptor 3 is the front end's control socket; rank R's PMI socket and
 * guard pipe are PAIR_LO + 2(R-1) and the one after. FLUX_ZYGOTE_HOSTS (a JSON
 * array, with --test-hosts) names each rank's host.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as net from 'node:net';
import { distDir, forgoCacheWrites, requireDist, useCacheVariant } from './bundle-loader';
import { unparkEnv } from '../lib/node-env';
import { nativeAddon } from '../lib/native';
import { warmNodeIo } from './start/zygote-warm';

export const ZYGOTE_HOSTS_ENV = 'FLUX_ZYGOTE_HOSTS';

interface ZygoteAddon {
  zygoteServe(ctl: number, pairLo: number, pairHi: number): [number, number];
  zygoteRetitle(words: string[], rank: number): void;
  exitWithoutTeardown(): boolean;
  lowMemory(flushAll: boolean): boolean;
}

unparkEnv();
const addon = nativeAddon<ZygoteAddon>();
const [lo, hi, ...brokerArgs] = process.argv.slice(2);
if (addon?.zygoteServe === undefined || addon.exitWithoutTeardown === undefined || addon.zygoteRetitle === undefined || addon.lowMemory === undefined || lo === undefined || hi === undefined) {
  // written before the exit: process.exit does not wait for a stream's pending writes
  fs.writeSync(2, 'flux-broker-zygote: this build cannot fork brokers\n');
  process.exit(1);
}
// checked just above: every call is there
const zygote = addon as ZygoteAddon;
const pairLo = Number(lo);
const pairHi = Number(hi);
const hosts = process.env[ZYGOTE_HOSTS_ENV] !== undefined ? (JSON.parse(process.env[ZYGOTE_HOSTS_ENV]!) as string[]) : undefined;
delete process.env[ZYGOTE_HOSTS_ENV];

useCacheVariant('broker', 'follower');
// What every follower evaluates or loads before it does anything of its own:
// the broker's module graph, its rc1 modules' code, libsodium (the overlay's
// keys), and Node's stream and cluster code (its sockets, its server's listen).
requireDist('broker', 'kernel/main.js');
requireDist('broker', 'overlay/factory.js');
requireDist('broker', 'cli/start/uri-memo.js');
(requireDist('broker', 'cli/start/zygote-preload.js') as { preloadFollower(): void }).preloadFollower();
new net.Socket().destroy();
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('node:cluster');

/** Serve the front end: in the zygote it never returns; each forked child goes on as its rank's broker. */
function serve(): void {
  // Returns in a forked child only; the zygote itself exits inside when the front end is done.
  const [rank, pid] = zygote.zygoteServe(3, pairLo, pairHi);
  Object.defineProperty(process, 'pid', { value: pid, enumerable: true, configurable: true, writable: false });
  process.env['PMI_RANK'] = String(rank);
  process.argv = [process.execPath, path.join(distDir, 'cli', 'broker-entry.js'), ...brokerArgs];
  if (hosts !== undefined) process.argv.push(`--setattr=hostname=${hosts[rank]}`);
  // what ps, pgrep and `flux uri pid:` read of this process: a spawned broker's
  // command line, `--` included (cli/start/test-mode.ts brokerArgv)
  zygote.zygoteRetitle([process.argv[0]!, '--', ...process.argv.slice(1)], rank);
  zygote.exitWithoutTeardown();
  (requireDist('broker', 'lib/uuid.js') as { forgetPool(): void }).forgetPool();
  if (rank !== 1) forgoCacheWrites();
  // A loop that runs dry ends in Node's teardown too: leave through process.exit.
  process.on('beforeExit', (code) => process.exit(code));
  requireDist('broker', 'cli/broker-main.js');
}

// Node's socket, stream and fs code run once here (cli/start/zygote-warm.ts);
// then a full collection, so that the children start with an empty young
// generation and a compact heap (fewer pages copied on their first writes).
void warmNodeIo().then(() => {
  zygote.lowMemory(false);
  serve();
});
