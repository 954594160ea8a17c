/**
 * Named output formats from config files, as Flux's utilities load them:
 * TOOL.toml / TOOL.json in the `flux` directory of $XDG_CONFIG_DIRS, then of
 * $XDG_CONFIG_HOME (a later file overrides), `[formats.NAME]` (or
 * `[SUB.formats.NAME]` for flux resource and flux queue) with `format` and an
 * optional `description`; `-o help` lists them after the built-ins,
 * `-o get-config=NAME` prints one, a bad file is one error line naming it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';

const d = tmpdir('flux-t1152-');
const home = path.join(d.dir, 'home');
const sys = path.join(d.dir, 'sys');
const env = { XDG_CONFIG_HOME: home, XDG_CONFIG_DIRS: sys };
let inst: Instance;

const write = (dir: string, file: string, text: string) => {
  fs.mkdirSync(path.join(dir, 'flux'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'flux', file), text);
};
const rm = (dir: string, file: string) => fs.rmSync(path.join(dir, 'flux', file), { force: true });
const f = (...args: string[]) => inst.flux(args, { env });

test.before(async () => {
  inst = await startInstance(['--test-size=1']);
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
  d.cleanup();
});

test('flux resource and flux queue: a sub-command table of formats, listed by -o help and usable by name', () => {
  write(home, 'flux-resource.toml', '[status.formats.mine]\ndescription = "Mine"\nformat = "{state}|{nnodes}"\n[list.formats.brief]\nformat = "{state}:{ncores}"\n');
  assert.is(f('resource', 'status', '-no', 'mine').stdout, 'avail|1\n');
  const help = f('resource', 'status', '-o', 'help').stdout;
  assert.match(help, /  long         Long flux-resource status format string\n  mine         Mine\n$/);
  // a format without a description: its name alone
  assert.match(f('resource', 'list', '-o', 'help').stdout, /\n  brief       \n$/);
  assert.is(f('resource', 'list', '-o', 'get-config=brief').stdout, '[list.formats.brief]\nformat = "{state}:{ncores}"\n');
  // the drain sub-command has no such format
  assert.is(f('resource', 'drain', '-o', 'mine').stderr, 'flux-resource: ERROR: --format: No such format mine\n');
  write(home, 'flux-queue.json', JSON.stringify({ list: { formats: { q: { description: 'Q', format: '{queue}[{submission}]' } } } }));
  assert.is(f('queue', 'list', '-no', 'q').stdout, '[enabled]\n');
  assert.match(f('queue', 'list', '-o', 'help').stdout, /\n  q            Q\n$/);
});

test('flux jobs: XDG_CONFIG_HOME overrides XDG_CONFIG_DIRS, keeping what it does not set', () => {
  write(sys, 'flux-jobs.toml', '[formats.mine]\ndescription = "site"\nformat = "SITE {name}"\n[formats.siteonly]\nformat = "S"\n');
  write(home, 'flux-jobs.toml', '[formats.mine]\nformat = "USER {name}"\n');
  const id = inst.flux(['submit', '--wait', '--job-name=t1152', 'true']).stdout.trim();
  assert.ok(id.length > 0);
  assert.is(f('jobs', '-a', '-no', 'mine').stdout, 'USER t1152\n');
  assert.match(f('jobs', '-o', 'help').stdout, /\n  mine         site\n  siteonly    \n$/);
  assert.is(f('jobs', '-a', '-no', 'siteonly').stdout, 'S\n');
});

test('a bad file: one line naming it, exit 1, whatever -o asks for', () => {
  const file = path.join(home, 'flux', 'flux-jobs.json');
  const cases: Array<[string, string]> = [
    ['{"formats":{"default":{"format":"{id}"}}}', `${file}: override of builtin format 'default' not permitted`],
    ['{"formats":[]}', `${file}: the 'formats' key must be a mapping`],
    ['{"formats":{"x":1}}', `${file}: 'formats.x' must be a mapping`],
    ['{"formats":{"x":{"description":"d"}}}', `${file}: formats.x: required key 'format' missing`],
    ['{"formats":{"x":{"format":1}}}', `${file}: formats.x: 'format' key must be a string`],
  ];
  for (const [text, err] of cases) {
    write(home, 'flux-jobs.json', text);
    const r = f('jobs');
    assert.equal([r.code, r.stderr], [1, `flux-jobs: ERROR: ${err}\n`], text);
  }
  write(home, 'flux-jobs.json', '{bad');
  const bad = f('jobs', '-a');
  assert.is(bad.code, 1);
  assert.match(bad.stderr, new RegExp(`^flux-jobs: ERROR: ${file.replace(/[.]/g, '\\.')}: .+\n$`));
  rm(home, 'flux-jobs.json');
  write(home, 'flux-jobs.yaml', 'formats: {}\n');
  const y = f('jobs');
  assert.equal([y.code, y.stderr], [1, `flux-jobs: ERROR: ${path.join(home, 'flux', 'flux-jobs.yaml')}: YAML config files are not supported by flux-ts (use flux-jobs.toml or flux-jobs.json)\n`]);
  rm(home, 'flux-jobs.yaml');
  assert.is(f('jobs', '-a', '-no', 'mine').code, 0);
});

test.run();
