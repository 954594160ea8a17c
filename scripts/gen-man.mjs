#!/usr/bin/env node
// Generates the roff manual pages dist/man/manN/NAME.N from the Markdown
// sources docs/manN/NAME.md (N = 1, 5, 7) with remark-man, so that `man -l`
// works from the checkout, `man flux-run` through `flux` (it puts dist/man on
// MANPATH) and once the package is installed (package.json "man").
//
// Our pages start with `# NAME(N)` and a `## NAME` section holding
// `name - description`; remark-man writes the NAME section itself from its
// options, so both are taken out of the tree and given to it as options.
import fs from 'node:fs';
import process from 'node:process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import remarkMan from 'remark-man';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const out = path.join(root, 'dist', 'man');
const SECTIONS = ['1', '5', '7', '8'];

/** the text of an mdast node */
const text = (n) => (typeof n.value === 'string' ? n.value : (n.children ?? []).map(text).join(''));

/** unified plugin: take out the title and the NAME section, keep what they said in `found` */
function takeName(found) {
  return () => (tree) => {
    const kids = tree.children;
    if (kids[0]?.type === 'heading' && kids[0].depth === 1) kids.shift();
    const i = kids.findIndex((n) => n.type === 'heading' && n.depth === 2 && text(n).trim() === 'NAME');
    if (i < 0) return;
    let j = i + 1;
    while (j < kids.length && !(kids[j].type === 'heading' && kids[j].depth <= 2)) j++;
    const body = kids.slice(i + 1, j).map(text).join(' ').replace(/\s+/g, ' ').trim();
    const m = /^(\S+)\s+-+\s+(.*)$/.exec(body);
    if (m) {
      found.name = m[1];
      found.description = m[2];
    }
    kids.splice(i, j - i);
  };
}

/**
 * remark-man writes each table cell on the row's line, so a long description
 * makes tbl's table wider than the page (and man warns on stderr). Make the
 * last column expand to the page width and put its cells in text blocks
 * (T{ ... T}), which tbl wraps. (Tables whose other columns are wide too can
 * still be wider than 80 columns.)
 */
function wrapTables(roff) {
  return roff.replace(/^\.TS\n([^\n]*\n[^\n]*\n)([^\n]*) \.\n([\s\S]*?)^\.TE$/gm, (_all, head, fmt, rows) => {
    const cols = fmt.split(' ');
    cols[cols.length - 1] += 'x';
    const body = rows
      .split('\n')
      .filter((r) => r.length > 0)
      .map((r, i) => {
        if (i === 0) return r;
        const cells = r.split('@');
        cells[cells.length - 1] = `T{\n${cells[cells.length - 1]}\nT}`;
        return cells.join('@');
      });
    return `.TS\n${head}${cols.join(' ')} .\n${body.join('\n')}\n.TE`;
  });
}

/**
 * remark-man separates a table's cells with `@` (tbl's `tab(@)`) and leaves an
 * `@` in a cell as it is, so `--signal=[SIG][@TIME]` split its row: every `@`
 * of a page is this placeholder until the roff is written, then groff's `\[at]`.
 */
const AT = 'FLUXTSATSIGNPLACEHOLDER';

/**
 * A line of text that starts with `.` or `'` is a roff request: remark-man
 * leaves such lines of a code block or paragraph as they are, so `flux jobtap
 * list`'s `.priority-default` vanished from the page (an undefined macro). Every
 * line that is not one of the requests remark-man writes gets `\&` in front.
 */
const REQUESTS = /^\.(TH|SH|SS|P|PP|IP|TP|RS|RE|nf|fi|TS|TE|B|I|BR|sp|br)( |$)/;
function escapeLeadingDots(roff) {
  return roff
    .split('\n')
    .map((l) => (/^[.']/.test(l) && !REQUESTS.test(l) ? `\\&${l}` : l))
    .join('\n');
}

/** the build date, or SOURCE_DATE_EPOCH's for a reproducible build */
const date = process.env.SOURCE_DATE_EPOCH ? new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000) : new Date();

let count = 0;
fs.rmSync(out, { recursive: true, force: true });
for (const s of SECTIONS) {
  const src = path.join(root, 'docs', `man${s}`);
  if (!fs.existsSync(src)) continue;
  fs.mkdirSync(path.join(out, `man${s}`), { recursive: true });
  for (const f of fs.readdirSync(src).filter((f) => f.endsWith('.md')).sort()) {
    const page = f.slice(0, -3);
    const found = { name: page, description: '' };
    const tree = unified().use(remarkParse).use(remarkGfm).parse(fs.readFileSync(path.join(src, f), 'utf8').replaceAll('@', AT));
    await unified().use(takeName(found)).run(tree);
    const roff = unified()
      .use(remarkMan, {
        name: found.name,
        section: Number(s),
        description: found.description,
        manual: 'Flux',
        version: `flux-ts ${pkg.version}`,
        date,
      })
      .stringify(tree);
    fs.writeFileSync(path.join(out, `man${s}`, `${page}.${s}`), escapeLeadingDots(wrapTables(String(roff))).replaceAll(AT, '\\[at]'));
    count++;
  }
}
if (count === 0) throw new Error('gen-man: no pages under docs/man{1,5,7,8}');

// `node scripts/gen-man.mjs --package-json`: also write the list of pages into
// package.json's "man" field (what `npm install -g` links into PREFIX/share/man);
// t1101 fails when the field and docs/ disagree.
if (process.argv.includes('--package-json')) {
  const pages = [];
  for (const s of SECTIONS) {
    const d = path.join(out, `man${s}`);
    if (fs.existsSync(d)) for (const f of fs.readdirSync(d).sort()) pages.push(`./dist/man/man${s}/${f}`);
  }
  const file = path.join(root, 'package.json');
  const cur = JSON.parse(fs.readFileSync(file, 'utf8'));
  cur.man = pages;
  fs.writeFileSync(file, JSON.stringify(cur, null, 2) + '\n');
}
