/**
 * The [resource] table (flux-config-resource(5)): resources described by the
 * site instead of discovered. `config` lists hosts with their cores, GPUs and
 * properties; `path` names an R file (RFC 20) instead; `exclude` keeps ranks or
 * hosts out of scheduling; `noverify` skips checking each broker's discovered
 * resources against the description; `norestrict` counts every core of the
 * host, not only those the broker may run on.
 */
import { hostlist, idset, type ConfigSchema } from '../../kernel/api';

/** RFC 20: a property name is a string without whitespace or these characters */
const BAD_PROPERTY = /[\s!&'"^`|(),]/;

export function propertyProblem(p: string): string | undefined {
  if (p.length === 0) return 'a property name may not be empty';
  if (BAD_PROPERTY.test(p)) return `invalid property name "${p}" (no whitespace or any of !&'"^\`|(),)`;
  if (/^\d+$/.test(p)) return `invalid property name "${p}" (it may not be a number)`;
  return undefined;
}

const idsetString = (what: string) => ({
  kind: 'string' as const,
  check: (v: string) => {
    try {
      idset.decode(v);
      return undefined;
    } catch {
      return `"${v}" is not a valid ${what} idset (e.g. "0-3,8")`;
    }
  },
});

const hostlistString = {
  kind: 'string' as const,
  check: (v: string) => {
    try {
      return hostlist.expand(v).length > 0 ? undefined : 'an empty hostlist';
    } catch {
      return `"${v}" is not a valid hostlist (e.g. "node[0-15]")`;
    }
  },
};

export const resourceConfigSchema: ConfigSchema = {
  resource: {
    kind: 'table',
    keys: {
      config: {
        kind: 'tables',
        item: {
          kind: 'table',
          keys: {
            hosts: hostlistString,
            cores: idsetString('core'),
            gpus: idsetString('gpu'),
            properties: {
              kind: 'custom',
              what: 'an array of property names',
              check: (v) => {
                if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return 'must be an array of property names (strings)';
                for (const p of v as string[]) {
                  const t = propertyProblem(p);
                  if (t) return t;
                }
                return undefined;
              },
            },
          },
        },
      },
      path: { kind: 'string' },
      exclude: {
        kind: 'custom',
        what: 'an idset of ranks or a hostlist',
        check: (v) => {
          if (typeof v !== 'string') return 'must be a string (an idset of ranks or a hostlist)';
          try {
            if (/^[\d,-]+$/.test(v)) idset.decode(v);
            else hostlist.expand(v);
            return undefined;
          } catch {
            return `"${v}" is neither an idset of ranks nor a hostlist`;
          }
        },
      },
      noverify: { kind: 'boolean' },
      norestrict: { kind: 'boolean' },
    },
  },
};

export interface ConfigEntry {
  hosts: string;
  cores?: string;
  gpus?: string;
  properties?: string[];
}

export interface ResourceConfig {
  config?: ConfigEntry[];
  path?: string;
  exclude?: string;
  noverify: boolean;
  norestrict: boolean;
  /** module argument monitor-force-up: ranks of R without a broker (yet) count as up */
  forceUp?: boolean;
}

/** Module arguments (flux module load resource ARG...): only Flux's `monitor-force-up`, without a value. */
export function resourceArgs(args: readonly string[]): { forceUp: boolean } {
  let forceUp = false;
  for (const a of args) {
    if (a === 'monitor-force-up') forceUp = true;
    else if (a.startsWith('monitor-force-up=')) throw new Error('resource: monitor-force-up takes no value');
    else throw new Error(`resource: unknown module argument "${a}" (it takes: monitor-force-up)`);
  }
  return { forceUp };
}

/** The table, already checked against the schema by the broker. */
export function resourceConfig(config: Readonly<Record<string, unknown>>): ResourceConfig {
  const t = (config['resource'] ?? {}) as Partial<ResourceConfig>;
  if (t.config !== undefined && t.path !== undefined) {
    throw new Error('resource.config and resource.path may not both be set');
  }
  return { config: t.config, path: t.path, exclude: t.exclude, noverify: t.noverify === true, norestrict: t.norestrict === true };
}
