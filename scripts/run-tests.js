#!/usr/bin/env node
// Runs every *.test.js under the given directories, each in its own node process
// (uvu files run themselves), and prints one closing line: "N passed, N failed".
'use strict';
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

function find(dir) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) out.push(...find(p));
    else if (ent.name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

const filter = process.env.TEST_FILTER;
const files = process.argv.slice(2).flatMap(find).filter((f) => !filter || f.includes(filter));
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
      const total = /Total:\s+(\d+)/.exec(out);
      const ok = /Passed:\s+(\d+)/.exec(out);
      const sk = /Skipped:\s+(\d+)/.exec(out);
      const p = ok ? Number(ok[1]) : 0;
      const t = total ? Number(total[1]) : 0;
      const s = sk ? Number(sk[1]) : 0;
      const f = code === 0 ? Math.max(0, t - p - s) : Math.max(1, t - p - s);
      passed += p;
      failed += f;
      skipped += s;
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      const rel = path.relative(process.cwd(), file);
      if (code !== 0 || f > 0) {
        failures.push(rel);
        process.stdout.write(`FAIL ${rel} (${secs}s)\n${out}\n`);
      } else {
        process.stdout.write(`ok   ${rel}: ${p} passed (${secs}s)\n`);
      }
      resolve();
    });
  });
}

(async () => {
  const queue = files.slice();
  const workers = Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    while (queue.length > 0) await runOne(queue.shift());
  });
  await Promise.all(workers);
  if (failures.length) process.stdout.write(`failed files:\n  ${failures.join('\n  ')}\n`);
  process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  process.exit(failed > 0 ? 1 : 0);
})();
