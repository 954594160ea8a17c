#!/usr/bin/env node
// Writes into docs/man1 each command's options block, generated from its option
// spec (cli/options/man.ts) as its --help is: run after `npm run build` whenever
// a command's options change (the unit test test/unit/cli/command-specs.test.ts
// fails until the pages agree with the specs). A block already in a page is
// replaced in place; a new one goes at the end of the page's OPTIONS section
// (made before EXIT STATUS or SEE ALSO when there is none).
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const cli = path.join(root, 'dist', 'cli');
const man1 = path.join(root, 'docs', 'man1');
const { manOptionsBlock, MAN_BEGIN, MAN_END } = require(path.join(cli, 'options', 'man.js'));

/** every command spec, in command-index order */
function specs() {
  const index = JSON.parse(fs.readFileSync(path.join(cli, 'command-index.json'), 'utf8'));
  const out = [];
  for (const files of Object.values(index)) {
    for (const f of files) {
      for (const v of Object.values(require(path.join(cli, f)))) {
        const spec = typeof v === 'function' ? v.spec : undefined;
        if (spec && Array.isArray(spec.path)) out.push(spec);
      }
    }
  }
  return out.sort((a, b) => (a.path.join(' ') < b.path.join(' ') ? -1 : 1));
}

/** the page of a command: the one of its word whose SYNOPSIS names it, else flux-WORD.md */
function pageOf(spec) {
  const word = spec.path[0];
  const pages = fs.readdirSync(man1).filter((f) => f === `flux-${word}.md` || f.startsWith(`flux-${word}-`)).sort();
  const named = `flux ${spec.path.join(' ')}`;
  for (const p of pages) {
    const text = fs.readFileSync(path.join(man1, p), 'utf8');
    const syn = /## SYNOPSIS\n([\s\S]*?)\n## /.exec(text);
    if (syn && spec.path.length > 1 && (syn[1].includes(`${named} `) || syn[1].includes(`${named}\``))) return p;
  }
  return `flux-${word}.md`;
}

function insert(text, block) {
  const lines = text.split('\n');
  let at = lines.findIndex((l) => l === '## OPTIONS');
  if (at >= 0) {
    let end = lines.findIndex((l, i) => i > at && l.startsWith('## '));
    if (end < 0) end = lines.length;
    while (end > 0 && lines[end - 1] === '') end--;
    lines.splice(end, 0, '', block);
    return lines.join('\n');
  }
  at = lines.findIndex((l) => l === '## EXIT STATUS' || l === '## SEE ALSO');
  if (at < 0) return text.replace(/\n*$/, '\n\n## OPTIONS\n\n' + block + '\n');
  lines.splice(at, 0, '## OPTIONS', '', block, '');
  return lines.join('\n');
}

let changed = 0;
for (const spec of specs()) {
  const file = path.join(man1, pageOf(spec));
  if (!fs.existsSync(file)) {
    process.stderr.write(`gen-man-options: no man page ${path.relative(root, file)} for flux ${spec.path.join(' ')}\n`);
    process.exitCode = 1;
    continue;
  }
  const text = fs.readFileSync(file, 'utf8');
  const block = manOptionsBlock(spec);
  const begin = text.indexOf(MAN_BEGIN(spec));
  let next;
  if (begin >= 0) {
    const end = text.indexOf(MAN_END, begin);
    next = text.slice(0, begin) + block + text.slice(end + MAN_END.length);
  } else next = insert(text, block);
  if (next !== text) {
    fs.writeFileSync(file, next);
    changed++;
  }
}
process.stdout.write(`gen-man-options: ${changed} block(s) written\n`);
