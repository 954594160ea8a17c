/**
 * Environment variables that Node acts on while it starts, at a cost to every
 * Node process flux-ts runs (brokers, warm clients, the front end), for
 * something those processes never use. NODE_EXTRA_CA_CERTS makes Node parse a
 * file of certificates before any JavaScript runs: with a system bundle (144
 * certificates, as many machines and CI set it) that was 40 of the 50 ms of
 * CPU a bare `node -e 0` takes here, paid once per broker (a size-16
 * `flux start` went from 0.95 to 0.65 s without it). flux-ts makes no TLS
 * connection.
 *
 * So the Node processes flux-ts starts get such a variable under another name
 * (parkForNode), and each puts it back in its own environment as its first
 * step (unparkEnv): what they pass on, to jobs, the initial program and
 * `flux env`, is the user's environment unchanged. native/flux-launch.c and
 * bin/flux park it the same way before they run Node.
 */

/** the variables parked, and the prefix of their parked names */
const PARKED = ['NODE_EXTRA_CA_CERTS'] as const;
export const PARKED_PREFIX = 'FLUX_TS_PARKED_';

/** a copy of env for a Node process of ours: each parked variable under its parked name */
export function parkForNode(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const k of PARKED) {
    const v = out[k];
    if (v === undefined) continue;
    out[PARKED_PREFIX + k] = v;
    delete out[k];
  }
  return out;
}

/** put the parked variables back under their own names (first thing in a process entry) */
export function unparkEnv(env: NodeJS.ProcessEnv = process.env): void {
  for (const k of PARKED) {
    const v = env[PARKED_PREFIX + k];
    if (v === undefined) continue;
    env[k] = v;
    delete env[PARKED_PREFIX + k];
  }
}
