#!/usr/bin/env node
// Generates dist/cli/command-index.json from the compiled cli/commands folder:
// first word of a command -> the files that define it. No hand-kept list.
'use strict';
const fs = require('fs');
const path = require('path');
const root = path.join(__dirname, '..', 'dist', 'cli', 'commands');
const index = {};
for (const ent of fs.readdirSync(root, { withFileTypes: true })) {
  if (ent.isDirectory()) {
    const files = fs.readdirSync(path.join(root, ent.name)).filter((f) => f.endsWith('.js'));
    index[ent.name] = files.map((f) => `commands/${ent.name}/${f}`);
  } else if (ent.name.endsWith('.js')) {
    const word = ent.name.slice(0, -3);
    (index[word] ??= []).push(`commands/${ent.name}`);
  }
}
fs.writeFileSync(path.join(root, '..', 'command-index.json'), JSON.stringify(index, null, 1));
