/**
 * flux config get [-d VALUE] [-q] [-t TYPE] [NAME]: the instance's
 * configuration as the broker holds it (flux-config(1)). Tables and arrays
 * print as one line of JSON, other values bare. The other sub-commands of
 * Flux's flux-config (set, unset, builtin, load, reload) are refused with one
 * line: flux-ts cannot yet change a running instance's configuration.
 */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../base-command';
import { GetoptError, getopt, last } from '../getopt';
import { fsd } from '../../kernel/api/formats';

const USAGE = 'Usage: flux-config get [--default=VALUE] [--quiet] [--type=TYPE] [NAME]';
const TYPES = ['string', 'integer', 'real', 'boolean', 'object', 'array', 'fsd', 'fsd-integer', 'fsd-real'];

/** The value shown for `--type` (undefined: not of that type). */
function typed(v: unknown, type: string | undefined): string | undefined {
  const isObj = typeof v === 'object' && v !== null && !Array.isArray(v);
  const plain = (x: unknown) => (typeof x === 'string' ? x : JSON.stringify(x));
  switch (type) {
    case undefined:
      return plain(v);
    case 'string':
      return typeof v === 'string' ? v : undefined;
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) ? String(v) : undefined;
    case 'real':
      return typeof v === 'number' ? String(v) : undefined;
    case 'boolean':
      return typeof v === 'boolean' ? String(v) : undefined;
    case 'object':
      return isObj ? JSON.stringify(v) : undefined;
    case 'array':
      return Array.isArray(v) ? JSON.stringify(v) : undefined;
    default: {
      const s = typeof v === 'string' ? fsd.tryParse(v) : undefined;
      if (s === undefined) return undefined;
      if (type === 'fsd') return v as string;
      return type === 'fsd-integer' ? String(Math.round(s)) : String(s);
    }
  }
}

export class ConfigCommand extends FluxCommand {
  static override paths = [['config']];
  static override prog = 'flux-config';
  static override usage = Command.Usage({ description: 'Manage/query Flux configuration' });
  args = Option.Proxy();

  async run(): Promise<number> {
    const [sub, ...rest] = this.args;
    if (sub === undefined) throw new CommandExit(1, `${USAGE}`);
    if (['set', 'unset', 'builtin', 'load', 'reload'].includes(sub)) {
      this.fail(`${sub}: not supported by flux-ts (the configuration is read at start: flux start -c PATH, --conf)`);
    }
    if (sub !== 'get') this.fail(`unknown command '${sub}'`);
    let p;
    try {
      p = getopt(
        rest,
        [
          { long: 'default', short: 'd', arg: true },
          { long: 'quiet', short: 'q' },
          { long: 'type', short: 't', arg: true },
        ],
        true,
      );
    } catch (e) {
      if (e instanceof GetoptError) throw new CommandExit(1, `flux-config: ${e.message}\n${USAGE}`);
      throw e;
    }
    if (p.positionals.length > 1) throw new CommandExit(1, USAGE);
    const type = last(p, 'type');
    if (type !== undefined && !TYPES.includes(type)) this.fail(`Unknown type: ${type}`);
    const name = p.positionals[0];
    const h = await this.connect();
    const { config } = await h.rpc<{ config: Record<string, unknown> }>('config.get', {});
    let v: unknown = config;
    for (const k of name === undefined ? [] : name.split('.')) {
      v = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;
    }
    if (v === undefined) {
      const dflt = last(p, 'default');
      if (dflt !== undefined) {
        process.stdout.write(dflt + '\n');
        return 0;
      }
      if (p.opts.has('quiet')) return 1;
      this.fail(`${name} is not set`);
    }
    const out = typed(v, type);
    if (out === undefined) this.fail(`${name ?? 'config'} does not have the requested type`);
    process.stdout.write(out + '\n');
    return 0;
  }
}
