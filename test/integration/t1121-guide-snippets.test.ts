/**
 * Every code block of docs/guide/client-api.md runs verbatim against a real
 * instance (two brokers): each ```js block is saved as a script and run with
 * node, each ```mjs block as an ES module; each ```ts block is type-checked
 * by the TypeScript compiler (strict) against the package's declarations,
 * then transpiled and run. `flux-ts` resolves as it does for a user who
 * installed the package: the snippets sit in a directory whose
 * node_modules/flux-ts links to this checkout (NODE_PATH names that
 * node_modules too). A block must exit 0 with nothing on stderr.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { ROOT, run, startInstance, tmpdir, type Instance } from '../helpers/flux';

const GUIDE = path.join(ROOT, 'docs', 'guide', 'client-api.md');

interface Block {
  lang: 'js' | 'mjs' | 'ts';
  code: string;
  /** 1-based line of the opening fence */
  line: number;
}

function blocks(text: string): Block[] {
  const out: Block[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^```(js|mjs|ts)\s*$/.exec(lines[i]!);
    if (!m) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    out.push({ lang: m[1] as Block['lang'], code: body.join('\n') + '\n', line: start + 1 });
  }
  return out;
}

let inst: Instance | undefined;
const tmp = tmpdir();
const modules = path.join(tmp.dir, 'node_modules');

test.before(async () => {
  fs.mkdirSync(modules);
  fs.symlinkSync(ROOT, path.join(modules, 'flux-ts'));
  inst = await startInstance(['--test-size=2']);
});

test.after(async () => {
  if (inst) {
    const rc = await inst.stop();
    if (rc !== 0) inst.kill();
  }
  tmp.cleanup();
});

function runScript(file: string, where: string): string {
  const r = run(process.execPath, [file], { env: { ...inst!.env, NODE_PATH: modules }, cwd: tmp.dir, timeoutMs: 120_000 });
  assert.is(r.code, 0, `${where} exited ${r.code}: ${r.stderr}`);
  assert.is(r.stderr, '', `${where} wrote to stderr`);
  return r.stdout;
}

/** Type-check a TypeScript snippet (strict) against the package's declarations; the diagnostics as text. */
function typeCheck(file: string): string {
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    skipLibCheck: true,
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
    .join('\n');
}

test('the guide has runnable blocks', () => {
  const bs = blocks(fs.readFileSync(GUIDE, 'utf8'));
  assert.ok(bs.filter((b) => b.lang === 'js').length >= 7, 'fewer js blocks than the guide should have');
  assert.ok(bs.some((b) => b.lang === 'ts'), 'no ts block');
  assert.ok(bs.some((b) => b.lang === 'mjs'), 'no mjs block');
});

for (const b of blocks(fs.readFileSync(GUIDE, 'utf8'))) {
  const where = `client-api.md line ${b.line} (${b.lang})`;
  test(`${where} runs verbatim`, () => {
    const file = path.join(tmp.dir, `snippet-${b.line}.${b.lang}`);
    fs.writeFileSync(file, b.code);
    let js = file;
    if (b.lang === 'ts') {
      const problems = typeCheck(file);
      assert.is(problems, '', `${where} does not type-check`);
      js = path.join(tmp.dir, `snippet-${b.line}.js`);
      const out = ts.transpileModule(b.code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
      fs.writeFileSync(js, out.outputText);
    }
    const stdout = runScript(js, where);
    assert.ok(stdout.length > 0, `${where} printed nothing`);
  });
}

test.run();
