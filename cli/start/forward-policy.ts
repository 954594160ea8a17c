/**
 * Which brokers a signal to `flux start --test-size=N` goes to. Once the
 * instance is up, the first signal goes to rank 0 alone: rank 0 shuts the
 * instance down in order (initial program, job cancel with the kill timeout,
 * followers leave when told, children first), as a SIGTERM to a Flux system
 * instance's leader does. A follower given the signal too would leave on its
 * own, and its jobs' tasks would be killed without a SIGTERM. While the
 * brokers start, with rank 0 gone, or from the second signal on (the user
 * insists), every live broker gets it.
 */
export function forwardTargets(live: readonly number[], o: { starting: boolean; count: number }): number[] {
  if (o.starting || o.count > 1 || !live.includes(0)) return [...live];
  return [0];
}
