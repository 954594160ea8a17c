/**
 * Every command's option spec: consistent (no option declared twice, every
 * option described), its grammar the one of Flux's counterpart (C: getopt,
 * Python: argparse), and its generated --help listing every option.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderHelp, specProblems, type CommandSpec } from '../../../cli/options';
import { manOptionsBlock } from '../../../cli/options/man';

/** dist/cli (this file runs from dist/test/unit/cli) */
const CLI = path.resolve(__dirname, '..', '..', '..', 'cli');

function allSpecs(): CommandSpec[] {
  const index = JSON.parse(fs.readFileSync(path.join(CLI, 'command-index.json'), 'utf8')) as Record<string, string[]>;
  const out: CommandSpec[] = [];
  for (const files of Object.values(index)) {
    for (const f of files) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(CLI, f)) as Record<string, unknown>;
      for (const v of Object.values(mod)) {
        const spec = typeof v === 'function' ? (v as { spec?: CommandSpec }).spec : undefined;
        if (spec !== undefined && Array.isArray(spec.path)) out.push(spec);
      }
    }
  }
  return out;
}

const SPECS = allSpecs();
const name = (s: CommandSpec) => `flux ${s.path.join(' ')}`;

/** Flux writes these in C (liboptparse: getopt rules, usage errors exit 1). */
const C_WORDS = ['getattr', 'setattr', 'lsattr', 'module', 'ping', 'dmesg', 'event', 'exec', 'job', 'kvs', 'overlay', 'keygen', 'logger', 'start'];
/** and these in Python (argparse without abbreviations, usage errors exit 2). */
const PY_WORDS = ['run', 'submit', 'batch', 'alloc', 'bulksubmit', 'jobs', 'resource', 'queue', 'cancel', 'pstree', 'uri'];

test('every command has a spec, and every spec is consistent', () => {
  assert.ok(SPECS.length > 40, `only ${SPECS.length} command specs found`);
  const problems = SPECS.flatMap((s) => specProblems(s).map((p) => `${name(s)}: ${p}`));
  assert.equal(problems, []);
});

test("each command parses with its Flux counterpart's grammar", () => {
  const wrong: string[] = [];
  for (const s of SPECS) {
    const w = s.path[0]!;
    if (C_WORDS.includes(w) && s.grammar !== 'getopt') wrong.push(`${name(s)} should follow getopt`);
    if (PY_WORDS.includes(w) && s.grammar !== 'argparse') wrong.push(`${name(s)} should follow argparse`);
  }
  assert.equal(wrong, []);
});

test('every --help lists every option it parses (hidden ones aside)', () => {
  const missing: string[] = [];
  for (const s of SPECS) {
    const help = renderHelp(s).text;
    for (const o of s.options) {
      if (o.hidden) continue;
      if (!help.includes(`--${o.name}`)) missing.push(`${name(s)} --${o.name}`);
      if (o.short !== undefined && !help.includes(`-${o.short}, --${o.name}`)) missing.push(`${name(s)} -${o.short}`);
    }
  }
  assert.equal(missing, []);
});

test('the submission commands and flux jobs, resource list: a full help, not three lines', () => {
  for (const p of [['run'], ['submit'], ['batch'], ['alloc'], ['bulksubmit'], ['jobs'], ['resource', 'list']]) {
    const s = SPECS.find((x) => x.path.join(' ') === p.join(' '));
    assert.ok(s, `no spec for flux ${p.join(' ')}`);
    const text = renderHelp(s).text;
    assert.ok(text.split('\n').length > 10, `flux ${p.join(' ')} --help:\n${text}`);
    assert.match(text, /^usage: /);
    assert.match(text, /\noptions:\n {2}-h, --help(=\[TOPIC\])? +show this help message and exit/);
  }
});

/** The man pages of a command word: docs/man1/flux-WORD.md and flux-WORD-*.md. */
function manText(word: string): string {
  const dir = path.resolve(CLI, '..', '..', 'docs', 'man1');
  return fs
    .readdirSync(dir)
    .filter((f) => f === `flux-${word}.md` || f.startsWith(`flux-${word}-`))
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}

test('every man page carries its commands\' generated options blocks (scripts/gen-man-options.js)', () => {
  const stale: string[] = [];
  for (const s of SPECS) {
    if (!manText(s.path[0]!).includes(manOptionsBlock(s))) stale.push(name(s));
  }
  assert.equal(stale, [], 'run `node scripts/gen-man-options.js` after `npm run build` and commit docs/man1');
});

test.run();
