/**
 * The kernel proper stays small enough to read in an hour: messages, router,
 * connector, module host, attributes, boot, config, log and the life cycle —
 * kernel/ and nothing else (formats, PMI and keys are lib/, the TBON is
 * overlay/: ADRs 0009 and 0010). Counted as lines of code: not blank and not
 * comment. Prints the count per folder so a reviewer sees where it grows.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const BUDGET = 3500;

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Lines that are neither blank nor comment (line comments, block comments, JSDoc). */
export function codeLines(text: string): number {
  let inBlock = false;
  let n = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (inBlock) {
      if (line.includes('*/')) inBlock = false;
      continue;
    }
    if (line === '' || line.startsWith('//')) continue;
    if (line.startsWith('/*')) {
      inBlock = !line.includes('*/');
      continue;
    }
    n++;
  }
  return n;
}

test('codeLines skips blanks and comments only', () => {
  assert.is(codeLines('/**\n * doc\n */\nconst a = 1; // note\n\n// gone\n/* one */\nlet b;\n'), 2);
});

test(`the kernel proper is at most ${BUDGET} lines of code`, () => {
  const byFolder = new Map<string, { code: number; raw: number }>();
  for (const f of tsFiles(path.join(ROOT, 'kernel'))) {
    const text = fs.readFileSync(f, 'utf8');
    const key = path.relative(ROOT, path.dirname(f));
    const c = byFolder.get(key) ?? { code: 0, raw: 0 };
    c.code += codeLines(text);
    c.raw += text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    byFolder.set(key, c);
  }
  let code = 0;
  let raw = 0;
  const rows = [...byFolder].sort(([a], [b]) => a.localeCompare(b));
  for (const [dir, c] of rows) {
    code += c.code;
    raw += c.raw;
    process.stdout.write(`  ${dir.padEnd(20)} ${String(c.code).padStart(5)} code ${String(c.raw).padStart(6)} lines\n`);
  }
  process.stdout.write(`  ${'kernel (total)'.padEnd(20)} ${String(code).padStart(5)} code ${String(raw).padStart(6)} lines (budget ${BUDGET} code)\n`);
  assert.ok(byFolder.size >= 8, 'kernel/ folders found');
  assert.ok(code <= BUDGET, `kernel/ has ${code} lines of code, over the budget of ${BUDGET}: move shared code to lib/ (ADR 0009)`);
});

test.run();
