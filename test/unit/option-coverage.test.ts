/**
 * Nothing silent (issue 11): every option of every `flux` command (group
 * sub-commands and getopt sub-commands included) either has its effect shown
 * by a test that runs it, or is refused. The commands are found as the front
 * end finds them (dist/cli/command-index.json, generated at build); an option
 * added without a test fails here until it is listed in option-coverage-table
 * (with a test file that names it) or refused.
 *
 * Refused means: hidden with a description saying flux-ts does not support it
 * (the command fails naming it), or listed in REFUSED with the test that
 * asserts the one-line refusal.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandSpec, OptionSpec } from '../../cli/options';
import { COVERED, REFUSED, SHELL_OPTIONS_COVERED } from './option-coverage-table';
import { KNOWN_SHELL_OPTIONS } from '../../modules/job-ingest/shell-options';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli');

/** every command spec, with getopt sub-commands under their parent's path */
function allSpecs(): CommandSpec[] {
  const index = JSON.parse(fs.readFileSync(path.join(CLI, 'command-index.json'), 'utf8')) as Record<string, string[]>;
  const out: CommandSpec[] = [];
  for (const files of Object.values(index)) {
    for (const f of files) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(CLI, f)) as Record<string, unknown>;
      for (const v of Object.values(mod)) {
        const spec = typeof v === 'function' ? (v as { spec?: CommandSpec }).spec : undefined;
        if (spec === undefined || !Array.isArray(spec.path)) continue;
        out.push(spec);
        for (const sub of spec.subcommands ?? []) out.push({ ...sub, path: [...spec.path, sub.path[sub.path.length - 1]!] });
      }
    }
  }
  return out;
}

const texts = new Map<string, string>();
function testText(rel: string): string | undefined {
  if (!texts.has(rel)) {
    const full = path.join(ROOT, 'test', rel);
    texts.set(rel, fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : '');
  }
  return texts.get(rel) || undefined;
}
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** the file names the option: `--name` (not a longer option), or its short form as typed */
function names(text: string, o: OptionSpec): boolean {
  if (new RegExp(`--${esc(o.name)}(?![\\w-])`).test(text)) return true;
  return o.short !== undefined && new RegExp(`(^|[\\s'"\`])-${esc(o.short)}(?=[\\s'"=0-9A-Za-z,])`, 'm').test(text);
}
const unsupported = (o: OptionSpec) => o.hidden === true && /not supported|has no/i.test(o.description);

const SPECS = allSpecs();

test('every option of every command has a test of its effect, or is refused', () => {
  const byObject = new Map<OptionSpec, string[]>();
  for (const s of SPECS) for (const o of s.options) byObject.set(o, [...(byObject.get(o) ?? []), `${s.path.join(' ')} --${o.name}`]);
  const problems: string[] = [];
  let covered = 0;
  let shared = 0;
  let refused = 0;
  for (const [o, keys] of byObject) {
    if (unsupported(o)) {
      refused += keys.length;
      continue;
    }
    const refusal = keys.find((k) => REFUSED[k] !== undefined);
    const key = refusal ?? keys.find((k) => COVERED[k] !== undefined);
    if (key === undefined) {
      problems.push(`${keys.join(', ')}: no test in option-coverage-table (or refuse it)`);
      continue;
    }
    const file = REFUSED[key] ?? COVERED[key]!;
    const text = testText(file);
    if (text === undefined) problems.push(`${key}: ${file} does not exist`);
    else if (!names(text, o)) problems.push(`${key}: ${file} does not name the option`);
    else if (refusal !== undefined) refused += keys.length;
    else {
      covered++;
      shared += keys.length - 1;
    }
  }
  const total = SPECS.reduce((n, s) => n + s.options.length, 0);
  console.log(`  options: ${total} in ${SPECS.length} commands; ${covered} with a test (+${shared} sharing one), ${refused} refused`);
  assert.ok(SPECS.length > 80, `only ${SPECS.length} commands found`);
  assert.equal(problems, [], problems.join('\n'));
});

test('the table names only options that exist', () => {
  const keys = new Set(SPECS.flatMap((s) => s.options.map((o) => `${s.path.join(' ')} --${o.name}`)));
  const stale = [...Object.keys(COVERED), ...Object.keys(REFUSED)].filter((k) => !keys.has(k));
  assert.equal(stale, []);
});

test('a hidden option that is not an alias is refused, not ignored', () => {
  const quiet = SPECS.flatMap((s) =>
    s.options.filter((o) => o.hidden && !unsupported(o) && !/^(Old name of|Same as) --/.test(o.description)).map((o) => `${s.path.join(' ')} --${o.name}: ${o.description}`),
  );
  assert.equal(quiet, []);
});

test('every shell option job-ingest accepts is documented and has a test that names it', () => {
  const man = fs.readFileSync(path.join(ROOT, 'docs', 'man7', 'flux-shell-options.md'), 'utf8');
  const problems: string[] = [];
  for (const name of KNOWN_SHELL_OPTIONS) {
    const file = SHELL_OPTIONS_COVERED[name];
    if (!man.includes(`\`${name}`)) problems.push(`-o ${name}: not in docs/man7/flux-shell-options.md`);
    if (file === undefined) problems.push(`-o ${name}: no test in SHELL_OPTIONS_COVERED`);
    else if (!fs.existsSync(path.join(ROOT, 'test', file))) problems.push(`-o ${name}: ${file} does not exist`);
    else if (!fs.readFileSync(path.join(ROOT, 'test', file), 'utf8').includes(name)) problems.push(`-o ${name}: ${file} does not name it`);
  }
  const stale = Object.keys(SHELL_OPTIONS_COVERED).filter((k) => !KNOWN_SHELL_OPTIONS.has(k));
  assert.equal([...problems, ...stale.map((k) => `-o ${k}: not an option job-ingest knows`)], []);
});

test.run();
