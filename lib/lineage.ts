/**
 * FLUX_TS_LINEAGE: the brokers (their broker.uuid, colon-separated, outermost
 * first) whose death a process must not survive. A broker puts its own lineage
 * in the environment of what it starts for the instance — the initial program,
 * job tasks, remote-exec processes — and descendants inherit it; the broker's
 * flux-reaper (native/flux-reaper.c) kills every process that names the broker
 * once the broker is gone, however it went.
 */
export const LINEAGE_VAR = 'FLUX_TS_LINEAGE';

const firstChild = new Map<string, () => void>();

/**
 * fn runs once, the first time childLineage names this broker: before the
 * first process it starts for the instance exists. The broker's reaper starts
 * then, and a broker that starts none (most of a big test instance's leaves)
 * spawns no reaper at all. (One entry a broker, for the life of its process:
 * in-process brokers share one reaper and register none.)
 */
export function onFirstChild(brokerUuid: string, fn: () => void): void {
  firstChild.set(brokerUuid, fn);
}

/** The lineage of what a broker with this uuid starts: its own lineage plus itself. */
export function childLineage(brokerUuid: string, env: NodeJS.ProcessEnv = process.env): string {
  const first = firstChild.get(brokerUuid);
  if (first !== undefined) {
    firstChild.delete(brokerUuid);
    first();
  }
  const up = env[LINEAGE_VAR];
  return up ? `${up}:${brokerUuid}` : brokerUuid;
}
