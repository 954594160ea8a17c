#!/usr/bin/env node
// Removes compiled files whose TypeScript source is gone (a command, module or
// test deleted or renamed): tsc never deletes outputs, and a stale
// dist/cli/commands/*.js would still be found as a command. allowJs is off, so
// every .js and .d.ts under the compiled folders comes from a .ts beside it.
'use strict';
const fs = require('fs');
const path = require('path');
const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const COMPILED = ['lib', 'kernel', 'overlay', 'modules', 'plugins', 'cli', 'test'];
let removed = 0;
function walk(dir) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      walk(full);
      continue;
    }
    const m = /^(.*?)(\.d\.ts|\.js)$/.exec(e.name);
    if (!m) continue;
    const source = path.join(root, path.relative(dist, dir), `${m[1]}.ts`);
    if (!fs.existsSync(source)) {
      fs.rmSync(full);
      removed++;
    }
  }
}
for (const d of COMPILED) walk(path.join(dist, d));
if (removed > 0) console.log(`clean-stale: removed ${removed} compiled file(s) whose source is gone`);
