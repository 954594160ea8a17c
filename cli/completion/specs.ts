/**
 * Every command spec of this build, from the generated command index (each
 * command's files loaded once): for the completion script and anything else
 * that needs the whole command set.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isCommandClass } from '../base-command';
import type { CommandSpec } from '../options';

/** cli/ in dist: this file is dist/cli/completion/specs.js */
const CLI = path.resolve(__dirname, '..');

export function allSpecs(): CommandSpec[] {
  const index = JSON.parse(fs.readFileSync(path.join(CLI, 'command-index.json'), 'utf8')) as Record<string, string[]>;
  const out: CommandSpec[] = [];
  for (const files of Object.values(index)) {
    for (const f of files) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(CLI, f)) as Record<string, unknown>;
      for (const v of Object.values(mod)) if (isCommandClass(v)) out.push(v.spec);
    }
  }
  return out.sort((a, b) => (a.path.join(' ') < b.path.join(' ') ? -1 : 1));
}
