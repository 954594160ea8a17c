/**
 * flux config get [-d VALUE] [-q] [-t TYPE] [NAME]: the instance's
 * configuration as the broker holds it (flux-config(1)). Tables and arrays
 * print as one line of JSON, other values bare.
 */
import { FluxCommand } from '../../base-command';
import type { CommandSpec } from '../../options';
import { fsd } from '../../../lib/formats';

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

export class ConfigGetCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['config', 'get'],
    grammar: 'getopt',
    prog: 'flux-config get',
    summary: 'Query the configuration',
    docLine: true,
    usage: '[OPTIONS] [NAME]',
    options: [
      { name: 'default', short: 'd', arg: 'VALUE', description: 'Print VALUE when NAME is not set' },
      { name: 'quiet', short: 'q', description: 'Exit 1 without a message when NAME is not set' },
      { name: 'type', short: 't', arg: 'TYPE', description: `Require a type: ${TYPES.join(', ')}` },
    ],
    operands: [{ name: 'NAME', nargs: '?' }],
  };

  async run(): Promise<number> {
    const p = this.args;
    const type = p.str('type');
    if (type !== undefined && !TYPES.includes(type)) this.fail(`Unknown type: ${type}`);
    const name = p.operands[0];
    const h = await this.connect();
    const { config } = await h.rpc<{ config: Record<string, unknown> }>('config.get', {});
    let v: unknown = config;
    for (const k of name === undefined ? [] : name.split('.')) {
      v = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;
    }
    if (v === undefined) {
      const dflt = p.str('default');
      if (dflt !== undefined) {
        process.stdout.write(dflt + '\n');
        return 0;
      }
      if (p.has('quiet')) return 1;
      this.fail(`${name} is not set`);
    }
    const out = typed(v, type);
    if (out === undefined) this.fail(`${name ?? 'config'} does not have the requested type`);
    process.stdout.write(out + '\n');
    return 0;
  }
}
