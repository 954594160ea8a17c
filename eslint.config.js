// ESLint flat config: typescript-eslint's recommended rules (not type-aware, to
// stay fast) plus the layering rules of STYLE.md §1, enforced per folder with
// no-restricted-imports. Import strings are relative, so each folder's rules are
// generated per directory depth: from a file N levels below its root folder,
// N+1 "../" reach the root folder's parent, and what comes next decides.
// lib/ is what every layer shares (formats, PMI, keys and certificates, tree
// topology, service payload types) and imports none of them (ADR 0009).
// overlay/ is the TBON the broker is handed as its TreeFactory: it sees the
// kernel through kernel/tree-host only (ADR 0010). The cli/ -> kernel/{main,broker}
// and overlay/factory exception is ADR 0004.
'use strict';
const { defineConfig } = require('eslint/config');
const { builtinRules } = require('eslint/use-at-your-own-risk');
const tseslint = require('typescript-eslint');

/** deepest folder nesting we generate rules for (below the root folder) */
const MAX_DEPTH = 8;
const TS = '*.{ts,mts,cts,js,mjs,cjs}';

/** regex source: exactly k leading "../" (or a trailing ".."), then no more */
const up = (k) => `^(?:\\.\\.(?:/|$)){${k}}`;
const notUp = '(?!\\.\\.(?:/|$))';

/** files at exactly `depth` folders below `root` (root may contain globs) */
const filesAt = (root, depth) => [`${root}/${'*/'.repeat(depth)}${TS}`];

const MSG = {
  lib: 'lib/ is shared by every layer and imports none of kernel/, modules/, plugins/ or cli/ (ADR 0009)',
  kernel: 'kernel/ must not import overlay/, modules/, plugins/ or cli/ (STYLE.md §1: the kernel knows no module)',
  overlay: 'overlay/ may import only lib/, kernel/api, kernel/message, kernel/tree-host and its own folder (ADR 0010)',
  module:
    'modules/<name>/ may import only kernel/api, lib/ and its own folder: talk to other modules by messages (STYLE.md §1)',
  plugin:
    'plugins/<kind>/<name>/ may import only kernel/api, lib/, modules/<host>/plugin-api and its own folder (STYLE.md §1)',
  cli: 'cli/ may import only lib/, kernel/api, kernel/message, cli/ and the broker entry points kernel/{main,broker} and overlay/factory (STYLE.md §1, ADR 0004)',
  fenced: "site-module style imports may name only 'flux-ts/kernel/api' (the loader maps nothing else)",
  outside: 'import reaches outside the repository',
};

function rule(patterns) {
  return { 'no-restricted-imports': ['error', { patterns }] };
}

function layering() {
  const blocks = [];
  for (let d = 0; d <= MAX_DEPTH; d++) {
    // lib/<d folders>/file: d+1 "../" is the repository root
    blocks.push({
      files: filesAt('lib', d),
      rules: rule([
        { regex: `${up(d + 1)}(?:kernel|overlay|modules|plugins|cli)(?:/|$)`, message: MSG.lib },
        { regex: `${up(d + 2)}`, message: MSG.outside },
      ]),
    });
    // kernel/<d folders>/file: d+1 "../" is the repository root
    blocks.push({
      files: filesAt('kernel', d),
      rules: rule([{ regex: `${up(d + 1)}(?:overlay|modules|plugins|cli)(?:/|$)`, message: MSG.kernel }]),
    });
    // overlay/<d folders>/file: d+1 "../" is the repository root
    blocks.push({
      files: filesAt('overlay', d),
      rules: rule([
        { regex: `${up(d + 1)}(?!lib(?:/|$)|kernel/(?:api|message)(?:/|$)|kernel/tree-host$|overlay(?:/|$))${notUp}`, message: MSG.overlay },
        { regex: `${up(d + 2)}`, message: MSG.outside },
      ]),
    });
    // modules/<name>/<d folders>/file: d+1 "../" is modules/, d+2 the root
    blocks.push({
      files: filesAt('modules/*', d),
      rules: rule([
        { regex: `${up(d + 1)}${notUp}`, message: MSG.module },
        { regex: `${up(d + 2)}(?!kernel/api(?:/|$)|lib(?:/|$))${notUp}`, message: MSG.module },
        { regex: `${up(d + 3)}`, message: MSG.outside },
        { regex: '^flux-ts(?:/(?!kernel/api$).*)?$', message: MSG.fenced },
      ]),
    });
    // plugins/<kind>/<name>/<d folders>/file: d+3 "../" is the root
    blocks.push({
      files: filesAt('plugins/*/*', d),
      rules: rule([
        { regex: `${up(d + 1)}${notUp}`, message: MSG.plugin },
        { regex: `${up(d + 2)}${notUp}`, message: MSG.plugin },
        {
          regex: `${up(d + 3)}(?!kernel/api(?:/|$)|lib(?:/|$)|modules/[^/]+/plugin-api(?:\\.[cm]?[jt]s)?$)${notUp}`,
          message: MSG.plugin,
        },
        { regex: `${up(d + 4)}`, message: MSG.outside },
        { regex: '^flux-ts(?:/(?!kernel/api$).*)?$', message: MSG.fenced },
      ]),
    });
    // cli/<d folders>/file: d+1 "../" is the root
    blocks.push({
      files: filesAt('cli', d),
      rules: rule([
        {
          regex: `${up(d + 1)}(?!lib(?:/|$)|kernel/(?:api|message)(?:/|$)|kernel/(?:main|broker)$|overlay/factory$|cli(?:/|$))${notUp}`,
          message: MSG.cli,
        },
        { regex: `${up(d + 2)}`, message: MSG.outside },
      ]),
    });
  }
  return blocks;
}

/**
 * ESLint's own recommended set, built from the rules' metadata (what @eslint/js's
 * `configs.recommended` lists; that package is not a dependency here).
 */
const jsRecommended = {
  rules: Object.fromEntries(
    [...builtinRules].filter(([, r]) => r.meta && r.meta.docs && r.meta.docs.recommended).map(([n]) => [n, 'error']),
  ),
};

/** Node globals for plain CommonJS scripts (no `globals` package installed). */
const nodeGlobals = Object.fromEntries(
  [
    'require',
    'module',
    'exports',
    '__dirname',
    '__filename',
    'process',
    'console',
    'Buffer',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'URL',
  ].map((g) => [g, 'readonly']),
);

module.exports = defineConfig(
  { ignores: ['dist/', 'node_modules/', '**/*.d.ts'] },
  jsRecommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // `_`-prefixed parameters and caught errors are deliberately unused
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // tests match Flux's fixed-width columns; literal runs of spaces read better there
    files: ['test/**'],
    rules: { 'no-regex-spaces': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: nodeGlobals },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...layering(),
);
