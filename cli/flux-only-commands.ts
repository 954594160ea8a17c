/**
 * Commands of Flux 0.88 that flux-ts does not have, and what a user reaches
 * for instead. `flux WORD` prints Flux's own `not a flux command` line first
 * (scripts may look for it), then this one.
 */
export const FLUX_ONLY_COMMANDS: Readonly<Record<string, string>> = {
  content: 'the kvs keeps its values in LMDB under statedir, not in a content store: flux dump and flux restore copy it',
  fsck: 'the kvs is an LMDB store checked when it opens (a damaged one stops rc1 with one line): flux dump and flux restore copy it',
  python: 'flux-ts has no Python bindings: its client API is JavaScript (require("flux-ts"), docs/guide/client-api.md)',
  hwloc: 'resources are discovered without hwloc (cores and NVIDIA GPUs of each broker): flux resource list and flux resource info show them',
  heaptrace: 'the broker is a Node process: give NODE_OPTIONS=--heap-prof (or --cpu-prof) to flux start',
  'job-validator': 'jobspecs are validated inside the broker by the [ingest.validator] plugins (flux-config-ingest(5))',
  'job-frobnicator': 'jobspecs are completed inside the broker by the [ingest.frobnicator] plugins (flux-config-ingest(5))',
  'perilog-run': 'prolog and epilog commands are set in [job-manager.prolog] and [job-manager.epilog] (flux-config-job-manager(5))',
  mini: 'flux mini was removed in Flux 0.59: use flux run, flux submit, flux batch or flux alloc',
};
