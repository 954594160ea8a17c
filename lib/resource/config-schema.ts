/**
 * The schema of the [resource] table (flux-config-resource(5)) and its
 * `config` entries: shared by the resource module, which checks the broker's
 * configuration with it, and by `flux R parse-config`.
 */
import { hostlist, idset } from '../formats';
import type { ConfigSchema } from '../config-schema';
import { parseReserve } from './reserve';

/** `[resource] verify` modes (modules/resource/verify.ts) */
export const VERIFY_MODES = ['strict', 'allow-extra', 'allow-missing', 'ignore'] as const;
export type VerifyMode = (typeof VERIFY_MODES)[number];

/** The schema's check of a `verify` value: one line, or undefined when it is good. */
export function verifyProblem(v: unknown): string | undefined {
  if (typeof v === 'boolean') return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'must be a boolean or a table of hostname, core, gpu, default';
  for (const [k, mode] of Object.entries(v)) {
    if (!['default', 'hostname', 'core', 'gpu'].includes(k)) return `${k}: unknown resource type (it takes hostname, core, gpu, default)`;
    if (!(VERIFY_MODES as readonly unknown[]).includes(mode)) return `${k}: ${JSON.stringify(mode)} is not one of ${VERIFY_MODES.join(', ')}`;
  }
  return undefined;
}


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
          required: ['hosts'],
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
      reserve: {
        kind: 'custom',
        what: 'cores[@ranks] words, e.g. "0" or "0-1@0 0"',
        check: (v) => {
          if (typeof v !== 'string') return 'must be a string of cores[@ranks] words (e.g. "0" or "0-1@0 0")';
          try {
            parseReserve(v);
            return undefined;
          } catch (e) {
            return (e as Error).message;
          }
        },
      },
      noverify: { kind: 'boolean' },
      norestrict: { kind: 'boolean' },
      'journal-max': { kind: 'integer', min: 0 },
      scheduling: { kind: 'string' },
      rediscover: { kind: 'boolean' },
      verify: {
        kind: 'custom',
        what: 'a boolean, or a table of hostname, core, gpu, default: strict, allow-extra, allow-missing or ignore',
        check: (v) => verifyProblem(v),
      },
    },
  },
};

export interface ConfigEntry {
  hosts: string;
  cores?: string;
  gpus?: string;
  properties?: string[];
}

