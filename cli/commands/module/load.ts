/** flux module load [--name=NAME] MODULE [ARGS...]: load a module into the local broker. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../../base-command';
import type { Client } from '../../api/client';
import { LOAD_USAGE, parseModuleArgs } from './group';
import { last } from '../../getopt';

/** Turn a path argument into an absolute one (the broker's cwd is not ours). */
export function canonicalModulePath(spec: string): string {
  if (!spec.includes('/')) return spec;
  try {
    return fs.realpathSync(path.resolve(spec));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : (e as Error).message;
    throw new CommandExit(1, `flux-module: could not canonicalize module path '${spec}': ${why}`);
  }
}

/** Send module.load; the broker answers once the module is running. */
export async function loadModule(h: Client, spec: string, name: string | undefined, args: readonly string[]): Promise<void> {
  const p = canonicalModulePath(spec);
  await h.rpc('module.load', { path: p, ...(name !== undefined ? { name } : {}), args });
}

export class ModuleLoadCommand extends FluxCommand {
  static override paths = [['module', 'load']];
  static override prog = 'flux-module';
  static override usageLine = LOAD_USAGE;
  static override usage = Command.Usage({ description: 'Load a module into the local broker' });
  name: string | undefined;
  // getopt style: options end at MODULE; what follows is the module's arguments
  rest = Option.Proxy();

  async run(): Promise<number> {
    const p = parseModuleArgs(this.rest, false);
    const words = p.positionals;
    this.name = last(p, 'name');
    if (words.length === 0) throw new CommandExit(1, LOAD_USAGE);
    const h = await this.connect();
    await loadModule(h, words[0]!, this.name, words.slice(1));
    return 0;
  }
}
