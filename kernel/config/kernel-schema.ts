/**
 * The config tables the kernel itself reads: [bootstrap] (flux-config-bootstrap(5),
 * also accepted as bare top-level keys), [tbon] (flux-config-tbon(5)) and
 * [modules] (flux-config-modules(5)) and [access] (flux-config-access(5)). Modules declare their own tables on
 * their manifests; the broker checks the config against the union.
 */
import type { ConfigSchema, ConfigSpec } from '../../lib/config-schema';
import { makeTopology } from '../../lib/tree-topology';
import { updateKeys } from '../../lib/modprobe';

const topo: ConfigSpec = {
  kind: 'string',
  check: (v) => {
    try {
      makeTopology(v, 1);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  },
};

const bootstrapKeys = {
  hosts: {
    kind: 'tables',
    item: { kind: 'table', keys: { host: { kind: 'string' }, bind: { kind: 'string' }, connect: { kind: 'string' }, parent: { kind: 'string' } } },
  },
  curve_cert: { kind: 'string' },
  default_port: { kind: 'integer', min: 1, max: 65535 },
  default_bind: { kind: 'string' },
  default_connect: { kind: 'string' },
  enable_ipv6: { kind: 'boolean' },
} as const satisfies Record<string, ConfigSpec>;

export const kernelConfigSchema: ConfigSchema = {
  bootstrap: { kind: 'table', keys: bootstrapKeys },
  // the walkthrough's test.toml writes the [bootstrap] keys without a header
  ...bootstrapKeys,
  tbon: {
    kind: 'table',
    keys: {
      topo,
      'interface-hint': { kind: 'string' },
      torpid_min: { kind: 'fsd' },
      torpid_max: { kind: 'fsd' },
      tcp_user_timeout: { kind: 'fsd' },
      connect_timeout: { kind: 'fsd' },
    },
  },
  // disable, and Flux's updates of a module of the table: NAME.ranks (all, leader, an idset, >N, <N) and NAME.args
  modules: { kind: 'table', keys: { disable: { kind: 'strings' }, alternatives: { kind: 'map', value: { kind: 'string' } } }, rest: { kind: 'table', keys: updateKeys } },
  // flux-config-access(5): who may use the local socket (kernel/connector/access.ts)
  access: { kind: 'table', keys: { 'allow-guest-user': { kind: 'boolean' }, 'allow-root-owner': { kind: 'boolean' }, 'private-mode': { kind: 'boolean' } } },
};
