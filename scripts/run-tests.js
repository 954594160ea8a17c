#!/usr/bin/env node
// Runs every *.test.js under the given directories, each in its own node process
// (uvu files run themselves), and prints one closing line: "N passed, N failed,
// N skipped". A skip is a test that printed `# SKIP "name": why` and returned
// (test/helpers/skip.ts) or one uvu skipped (test.skip); it never counts as a
// pass, and the file's line names each skipped test and why.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

function find(dir) {
  if (!fs.existsSync(dir)) return [];
  if (!fs.statSync(dir).isDirectory()) return dir.endsWith('.test.js') ? [dir] : [];
  const out = [];
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) out.push(...find(p));
    else if (ent.name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

// TEST_FILTER=SUBSTRING runs only the files whose path holds it; TEST_EXCLUDE=A,B
// leaves out those whose path holds A or B (e.g. peers a developer must not start
// on a shared machine), reported as skipped files.
const filter = process.env.TEST_FILTER;
const exclude = (process.env.TEST_EXCLUDE || '').split(',').filter((x) => x.length > 0);
const chosen = process.argv.slice(2).flatMap(find).filter((f) => !filter || f.includes(filter));
const excluded = chosen.filter((f) => exclude.some((x) => f.includes(x)));
const files = chosen.filter((f) => !excluded.includes(f));
const jobs = Number(process.env.TEST_JOBS || 2);
let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];

function runOne(file) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), Number(process.env.TEST_TIMEOUT_MS || 300000));
    child.on('close', (code) => {
      clearTimeout(timer);
      const num = (re) => {
        const m = re.exec(out);
        return m ? Number(m[1]) : 0;
      };
      // uvu: Total counts the tests that ran; Passed those of them that passed; Skipped is test.skip
      const t = num(/Total:\s+(\d+)/);
      const ran = num(/Passed:\s+(\d+)/);
      const uvuSkips = num(/Skipped:\s+(\d+)/);
      const skips = [...out.matchAll(/# SKIP ("(?:[^"\\]|\\.)*"): (.*)$/gm)].map((m) => `${m[1]}: ${m[2]}`);
      const p = Math.max(0, ran - skips.length);
      const s = skips.length + uvuSkips;
      // no uvu summary at all: the file died before its end, or is no uvu file
      const f = code === 0 && /Total:/.test(out) ? Math.max(0, t - ran) : Math.max(1, t - ran);
      passed += p;
      failed += f;
      skipped += s;
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      const rel = path.relative(process.cwd(), file);
      const why = [...skips, ...(uvuSkips ? [`${uvuSkips} test(s) marked test.skip`] : [])].map((w) => `     skipped ${w}\n`).join('');
      if (code !== 0 || f > 0) {
        failures.push(rel);
        const how = code === null ? ' (killed: over TEST_TIMEOUT_MS)' : /Total:/.test(out) ? '' : ' (no uvu summary)';
        process.stdout.write(`FAIL ${rel} (${secs}s)${how}\n${out}\n`);
      } else {
        process.stdout.write(`ok   ${rel}: ${p} passed${s ? `, ${s} skipped` : ''} (${secs}s)\n${why}`);
      }
      resolve();
    });
  });
}

(async () => {
  for (const f of excluded) {
    skipped++;
    process.stdout.write(`skip ${path.relative(process.cwd(), f)}: left out by TEST_EXCLUDE (counted as 1 skipped)\n`);
  }
  const queue = files.slice();
  const workers = Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    while (queue.length > 0) await runOne(queue.shift());
  });
  await Promise.all(workers);
  if (failures.length) process.stdout.write(`failed files:\n  ${failures.join('\n  ')}\n`);
  process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  process.exit(failed > 0 ? 1 : 0);
})();
