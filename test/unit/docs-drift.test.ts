/**
 * Docs drift: the build fails when code gains something the docs lack.
 * (a) every broker attribute defined in kernel/attr/defaults.ts has a row in
 *     docs/man7/flux-broker-attributes.md;
 * (b) every top-level command word under cli/commands (file or folder) has
 *     docs/man1/flux-<word>.md;
 * (c) every folder under modules/ has a manifest whose name equals the folder.
 * (a2) no man7 attribute row names an attribute that does not exist. Config
 *     keys: test/unit/config-coverage.test.ts checks each is in its man5 page.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AttrStore } from '../../kernel/attr/attrs';
import { defineDefaultAttrs } from '../../kernel/attr/defaults';
import { isModuleManifest } from '../../kernel/api/module';

/** repository root (this file runs from dist/test/unit) */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const DIST = path.join(ROOT, 'dist');

/** An AttrStore that remembers every name defined on it. */
class Recorder extends AttrStore {
  readonly defined: string[] = [];
  override define(...args: Parameters<AttrStore['define']>): void {
    this.defined.push(args[0]);
    super.define(...args);
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('(a) every default attribute is documented in flux-broker-attributes(7)', () => {
  const rec = new Recorder();
  defineDefaultAttrs(rec);
  assert.ok(rec.defined.length > 20, 'defineDefaultAttrs defined suspiciously few attributes');
  const page = fs.readFileSync(path.join(ROOT, 'docs', 'man7', 'flux-broker-attributes.md'), 'utf8');
  const missing = rec.defined.filter((n) => !new RegExp(`^\\| \`${escape(n)}\` \\|`, 'm').test(page));
  assert.equal(missing, [], `attributes without a table row in docs/man7/flux-broker-attributes.md: ${missing.join(', ')}`);
});

test('(a2) every attribute row of flux-broker-attributes(7) names a defined attribute', () => {
  const rec = new Recorder();
  defineDefaultAttrs(rec);
  const page = fs.readFileSync(path.join(ROOT, 'docs', 'man7', 'flux-broker-attributes.md'), 'utf8');
  const rows = [...page.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
  assert.ok(rows.length >= rec.defined.length);
  // set by the broker only when Flux launched it (kernel/broker.ts setInternal)
  const broker = fs.readFileSync(path.join(ROOT, 'kernel', 'broker.ts'), 'utf8');
  const runtime = (n: string) => broker.includes(`setInternal('${n}'`);
  const stale = rows.filter((n) => !rec.defined.includes(n) && !runtime(n));
  assert.equal(stale, [], `rows for attributes flux-ts does not define: ${stale.join(', ')}`);
});

test('(a3) every config table the broker accepts has its flux-config-TABLE(5) page', () => {
  const pages = fs.readdirSync(path.join(ROOT, 'docs', 'man5'));
  const tables = ['access', 'bootstrap', 'tbon', 'modules', 'sched', 'cli-pool', 'job-manager', 'resource', 'queues', 'policy'];
  const missing = tables.filter((t) => !pages.includes(`flux-config-${t}.md`));
  assert.equal(missing, []);
});

test('(b) every command word under cli/commands has docs/man1/flux-<word>.md', () => {
  const dir = path.join(ROOT, 'cli', 'commands');
  const words = new Set<string>();
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    if (ent.name.startsWith('.')) continue;
    if (ent.isDirectory()) words.add(ent.name);
    else if (ent.name.endsWith('.ts') && !ent.name.endsWith('.d.ts')) words.add(ent.name.slice(0, -3));
  }
  assert.ok(words.size > 0);
  const missing = [...words].sort().filter((w) => !fs.existsSync(path.join(ROOT, 'docs', 'man1', `flux-${w}.md`)));
  assert.equal(missing, [], `commands without a man page in docs/man1: ${missing.join(', ')}`);
});

test('(c) every module folder has a manifest named after the folder', () => {
  const dir = path.join(ROOT, 'modules');
  const problems: string[] = [];
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!ent.isDirectory() || ent.name.startsWith('.')) continue;
    const src = path.join(dir, ent.name, 'index.ts');
    if (!fs.existsSync(src)) {
      problems.push(`modules/${ent.name}: no index.ts`);
      continue;
    }
    const built = path.join(DIST, 'modules', ent.name, 'index.js');
    let mod: unknown;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require(built);
    } catch (e) {
      problems.push(`modules/${ent.name}: cannot load ${path.relative(ROOT, built)}: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    const m = (mod as { default?: unknown }).default;
    if (!isModuleManifest(m)) {
      problems.push(`modules/${ent.name}: index.ts does not default-export defineModule({...})`);
    } else if (m.name !== ent.name) {
      problems.push(`modules/${ent.name}: manifest name is "${m.name}"`);
    }
  }
  assert.equal(problems, [], problems.join('\n'));
});

test.run();
