/**
 * flux config set [-t TYPE] NAME VALUE and flux config unset NAME: change
 * one key of the broker's configuration (flux-config(1), Flux 0.88's). The
 * command reads the configuration in force, changes the key and loads the
 * whole of it again (`config.load`), so the broker checks and applies it as
 * `flux config load` does; the `--conf` overrides given at start are kept,
 * being part of what it read.
 */
import { FluxCommand } from '../../base-command';
import { isTable } from '../../../lib/config-schema';
import type { CommandSpec } from '../../options';
import type { FluxError } from '../../../lib/errors';
import { fsd } from '../../../lib/formats';

type Obj = Record<string, unknown>;

/** the types a value can be set as (get's fsd-integer and fsd-real only read one) */
const SET_TYPES = ['string', 'integer', 'real', 'boolean', 'object', 'array', 'fsd'];


/** The type an existing value already has (a string is a string, even if it reads as an FSD). */
function typeOf(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'real';
  if (Array.isArray(v)) return 'array';
  return isTable(v) ? 'object' : typeof v;
}

/** VALUE as TYPE; throws the reason it is not one. */
export function parseTyped(type: string, text: string): unknown {
  const json = (): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`'${text}' is not valid JSON`);
    }
  };
  switch (type) {
    case 'string': {
      // a value that starts with a quote is a JSON string (to set one with spaces at its ends, or escapes)
      if (!text.startsWith('"')) return text;
      const v = json();
      if (typeof v !== 'string') throw new Error(`'${text}' is not a string`);
      return v;
    }
    case 'integer':
      if (!/^[-+]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new Error(`'${text}' is not an integer`);
      return Number(text);
    case 'real':
      if (text.trim() === '' || !Number.isFinite(Number(text))) throw new Error(`'${text}' is not a number`);
      return Number(text);
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw new Error(`'${text}' is not true or false`);
      return text === 'true';
    case 'array': {
      const v = json();
      if (!Array.isArray(v)) throw new Error(`'${text}' is not a JSON array`);
      return v;
    }
    case 'object': {
      const v = json();
      if (!isTable(v)) throw new Error(`'${text}' is not a JSON object`);
      return v;
    }
    case 'fsd':
      if (fsd.tryParse(text) === undefined) throw new Error(`'${text}' is not a duration (FSD), e.g. 30s, 5m, 1.5h`);
      return text;
    default:
      throw new Error(`Unknown type: ${type} (set takes ${SET_TYPES.join(', ')})`);
  }
}

/** The table that holds the last part of NAME, made as needed; throws when a part on the way is not a table. */
function parentTable(config: Obj, parts: readonly string[], make: boolean): Obj | undefined {
  let t = config;
  for (let i = 0; i < parts.length - 1; i++) {
    const k = parts[i]!;
    const next = t[k];
    if (next === undefined) {
      if (!make) return undefined;
      t[k] = {};
    } else if (!isTable(next)) {
      throw new Error(`${parts.slice(0, i + 1).join('.')} is not a table`);
    }
    t = t[k] as Obj;
  }
  return t;
}

function checkName(name: string): string[] {
  const parts = name.split('.');
  if (parts.some((p) => p === '')) throw new Error(`'${name}' is not a key name (parts separated by single periods)`);
  return parts;
}

abstract class ConfigChangeCommand extends FluxCommand {
  /** Load `change(config)` into the broker; one line when the broker refuses it. */
  protected async change(edit: (config: Obj) => boolean): Promise<number> {
    const h = await this.connect();
    const { config } = await h.rpc<{ config: Obj }>('config.get', {});
    let changed: boolean;
    try {
      changed = edit(config);
    } catch (e) {
      this.fail((e as Error).message);
    }
    if (!changed) return 0;
    const source = this.spec.path.join(' ');
    try {
      await h.rpc('config.load', { sources: [{ name: source, text: JSON.stringify(config) }] });
    } catch (e) {
      // the broker names the source as a file's; here it is the one key changed
      this.fail((e as FluxError).message.replace(`Config file error: ${source}: `, ''));
    }
    return 0;
  }
}

export class ConfigSetCommand extends ConfigChangeCommand {
  static override spec: CommandSpec = {
    path: ['config', 'set'],
    grammar: 'getopt',
    prog: 'flux-config set',
    summary: 'Set a configuration value',
    docLine: true,
    usage: '[OPTIONS] NAME VALUE',
    options: [{ name: 'type', short: 't', arg: 'TYPE', description: `Set VALUE as TYPE: ${SET_TYPES.join(', ')} (default: the type NAME has now)` }],
    operands: [
      { name: 'NAME', nargs: '1' },
      { name: 'VALUE', nargs: '1' },
    ],
  };

  async run(): Promise<number> {
    const [name, text] = this.args.operands as [string, string];
    const asType = this.args.str('type');
    if (asType !== undefined && !SET_TYPES.includes(asType)) this.fail(`Unknown type: ${asType} (set takes ${SET_TYPES.join(', ')})`);
    return this.change((config) => {
      const parts = checkName(name);
      const last = parts[parts.length - 1]!;
      const table = parentTable(config, parts, true)!;
      const type = asType ?? (table[last] === undefined ? undefined : typeOf(table[last]));
      if (type === undefined) throw new Error(`${name} is not set: give the type of its value with --type`);
      try {
        table[last] = parseTyped(type, text);
      } catch (e) {
        throw new Error(`${name}: ${(e as Error).message}`, { cause: e });
      }
      return true;
    });
  }
}

export class ConfigUnsetCommand extends ConfigChangeCommand {
  static override spec: CommandSpec = {
    path: ['config', 'unset'],
    grammar: 'getopt',
    prog: 'flux-config unset',
    summary: 'Unset a configuration value',
    docLine: true,
    usage: 'NAME',
    options: [],
    operands: [{ name: 'NAME', nargs: '1' }],
  };

  async run(): Promise<number> {
    const name = this.args.operands[0]!;
    return this.change((config) => {
      const parts = checkName(name);
      const table = parentTable(config, parts, false);
      const last = parts[parts.length - 1]!;
      // a key that is not set is already unset (as Flux's)
      if (table === undefined || !(last in table)) return false;
      delete table[last];
      return true;
    });
  }
}
