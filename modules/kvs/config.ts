/**
 * `[kvs]` (flux-config-kvs(5)). Flux's kvs checkpoints a reference to its
 * root every `checkpoint-period` so that a broker crash loses at most that
 * much. flux-ts's kvs, with a statedir, writes every durable commit through to
 * LMDB before it answers, and the rest (eventlog entries marked lazy) within
 * 20 ms: any period is met, so the key is taken and checked, and changes
 * nothing. `gc-threshold` (offline garbage collection of the content store)
 * has nothing to act on and is refused.
 */
import type { ConfigSchema } from '../../kernel/api';

export const kvsConfigSchema: ConfigSchema = {
  kvs: {
    kind: 'table',
    keys: {
      'checkpoint-period': { kind: 'fsd' },
      'gc-threshold': {
        kind: 'custom',
        what: 'nothing (refused)',
        check: () => 'flux-ts keeps the kvs in LMDB, which reuses freed pages: there is no content store to garbage-collect',
      },
    },
  },
};
