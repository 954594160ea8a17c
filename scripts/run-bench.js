#!/usr/bin/env node
// Runs every compiled benchmark (dist/test/bench/*.bench.js) in turn; each prints its own table.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const dir = path.join(__dirname, '..', 'dist', 'test', 'bench');
const only = process.argv[2];
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.bench.js') && (!only || f.includes(only))).sort() : [];
let rc = 0;
for (const f of files) {
  process.stdout.write(`\n== ${f.replace(/\.bench\.js$/, '')}\n`);
  const r = spawnSync(process.execPath, [path.join(dir, f)], { stdio: 'inherit' });
  if (r.status !== 0) rc = 1;
}
process.exit(rc);
