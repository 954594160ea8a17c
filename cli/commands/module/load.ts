/** flux module load [--name=NAME] MODULE [ARGS...]: load a module into the local broker. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FluxCommand, CommandExit } from '../../base-command';
import type { Client } from '../../api/client';
import type { CommandSpec } from '../../options';

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

/** Flux's options for a module of its own process, which flux-ts does not run (load and reload refuse them). */
export const execOptions = [
  { name: 'exec', description: 'Load module as a separate process (refused: flux-ts runs every module inside its broker)' },
  { name: 'loader', arg: 'PATH', description: 'Program that runs a separate-process module (refused, as --exec)' },
];

/** The refusal of --exec / --loader, or undefined when neither was given. */
export function execRefusal(has: (name: string) => boolean): string | undefined {
  const given = ['exec', 'loader'].find((o) => has(o));
  return given === undefined ? undefined : `--${given}: flux-ts runs every module inside its broker (a module of its own process is not supported)`;
}

/** Send module.load; the broker answers once the module is running. */
export async function loadModule(h: Client, spec: string, name: string | undefined, args: readonly string[]): Promise<void> {
  const p = canonicalModulePath(spec);
  await h.rpc('module.load', { path: p, ...(name !== undefined ? { name } : {}), args });
}

export class ModuleLoadCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['module', 'load'],
    grammar: 'getopt',
    prog: 'flux-module load',
    summary: 'Load module',
    docLine: true,
    usage: '[OPTIONS] module',
    options: [{ name: 'name', arg: 'NAME', description: 'Override default module name' }, ...execOptions],
    // options end at MODULE: what follows is the module's arguments
    operands: [
      { name: 'module', nargs: '1' },
      { name: 'args', nargs: '*' },
    ],
  };

  async run(): Promise<number> {
    const [spec, ...args] = this.args.operands as [string, ...string[]];
    const refused = execRefusal((o) => this.args.has(o));
    if (refused !== undefined) this.fail(refused);
    const h = await this.connect();
    await loadModule(h, spec, this.args.str('name'), args);
    return 0;
  }
}
