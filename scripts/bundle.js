#!/usr/bin/env node
// Bundles the compiled tree (dist/, tsc's CommonJS output) into a few files with
// esbuild, for start-up speed: Node then reads and compiles two files instead of a
// hundred and fifty. Nothing changes in behaviour:
//  - every bundled file keeps its own __dirname/__filename (rewritten to the path
//    it has in dist/), so data files (envelope.avsc, modprobe.toml) and folders
//    scanned at run time (plugins/, modules/) are found as before;
//  - files loaded by path at run time (commands from the command index, in-tree
//    modules, scheduler policies, shell plugins) are served from the bundle when
//    it holds them: a require() of such an absolute path gets the bundled copy,
//    anything else (site modules, files added after the build) loads from disk.
// dist/ keeps the unbundled files: the bundles are an optimisation on top of it.
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const out = path.join(dist, 'bundle');

/** every .js file below dist/<rel> (sorted, relative to dist/) */
function jsFiles(rel) {
  const res = [];
  const walk = (d) => {
    for (const ent of fs.readdirSync(path.join(dist, d), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = path.posix.join(d, ent.name);
      if (ent.isDirectory()) walk(r);
      else if (ent.name.endsWith('.js')) res.push(r);
    }
  };
  if (fs.existsSync(path.join(dist, rel))) walk(rel);
  return res;
}

/** The entry: a table of the dist files served from the bundle, and the require hook that serves them. */
function entrySource(served) {
  const lines = [
    "'use strict';",
    "const Module = require('module');",
    'const table = new Map([',
    ...served.map((f) => `  [${JSON.stringify(f)}, () => require(${JSON.stringify('./' + f)})],`),
    ']);',
    'const byPath = new Map();',
    'for (const [rel, load] of table) byPath.set(__fluxDist + "/" + rel, load);',
    'const load = Module._load;',
    'Module._load = function (request, parent, isMain) {',
    '  if (request.charCodeAt(0) === 47) {',
    '    const hit = byPath.get(request) || byPath.get(request + ".js");',
    '    if (hit !== undefined) return hit();',
    '  }',
    '  return load.apply(this, arguments);',
    '};',
  ];
  return lines.join('\n') + '\n';
}

/**
 * tsc's `import * as fs from 'node:fs'` is `__importStar(require("node:fs"))`:
 * a new namespace object with one getter (a closure and its context) for each
 * of the module's exports, in every file that imports it. Across the broker's
 * files that was ~4,000 getters (0.6 MiB resident) for seven of Node's
 * modules. In a bundle, each file's helper goes through __fluxStar (the
 * banner): one namespace per module object, made once and shared. The
 * namespaces are the same live views (TypeScript refuses assignments to
 * them), so nothing changes but the count.
 */
const STAR_HELPER = 'var __importStar = (this && this.__importStar) || (function () {';
const STAR_BANNER =
  'var __fluxStars = new WeakMap(), __fluxStar = function (star) { return function (mod) {' +
  ' if (mod === null || (typeof mod !== "object" && typeof mod !== "function")) return star(mod);' +
  ' var ns = __fluxStars.get(mod); if (ns === undefined) { ns = star(mod); __fluxStars.set(mod, ns); } return ns; }; };';
function shareImportStar(text) {
  const at = text.indexOf(STAR_HELPER);
  if (at < 0) return text;
  const end = text.indexOf('\n})();\n', at);
  if (end < 0) return text;
  const cut = end + '\n})();\n'.length;
  return `${text.slice(0, cut)}__importStar = __fluxStar(__importStar);\n${text.slice(cut)}`;
}

/** esbuild plugin: give each dist file its own __dirname and __filename. */
const keepPaths = {
  name: 'keep-paths',
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, async (args) => {
      const rel = path.relative(dist, args.path);
      if (rel.startsWith('..')) return undefined;
      let text = shareImportStar(await fs.promises.readFile(args.path, 'utf8'));
      if (/\b__(dirname|filename)\b/.test(text)) {
        const dir = path.posix.dirname(rel.split(path.sep).join('/'));
        text =
          `var __dirname = __fluxDist + ${JSON.stringify(dir === '.' ? '' : '/' + dir)}, ` +
          `__filename = __fluxDist + ${JSON.stringify('/' + rel.split(path.sep).join('/'))};\n` +
          text;
      }
      return { contents: text, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

/**
 * esbuild plugin: the dist files in `elsewhere` are left to another bundle. The
 * front end runs the broker in its own process for `flux start` without
 * --test-size and `flux broker`: it then loads the broker bundle for them.
 */
function fromBundle(elsewhere) {
  return {
    name: 'from-bundle',
    setup(build) {
      build.onResolve({ filter: /^\./ }, (args) => {
        const abs = path.resolve(args.resolveDir, args.path);
        const rel = path.relative(dist, abs.endsWith('.js') ? abs : abs + '.js').split(path.sep).join('/');
        const other = elsewhere[rel];
        if (other === undefined) return undefined;
        return { path: rel, namespace: 'from-bundle', pluginData: other };
      });
      build.onLoad({ filter: /.*/, namespace: 'from-bundle' }, (args) => ({
        contents:
          `module.exports = require(__fluxDist + "/cli/bundle-loader.js")` +
          `.requireDist(${JSON.stringify(args.pluginData)}, ${JSON.stringify(args.path)});\n`,
        loader: 'js',
      }));
    },
  };
}

/**
 * The sodium-native addon file that require-addon picks here, relative to the
 * package. Found once: a second look would hit the require cache and see no load.
 */
let sodiumAddonFile;
function sodiumAddon() {
  if (sodiumAddonFile !== undefined) return sodiumAddonFile;
  sodiumAddonFile = findSodiumAddon();
  return sodiumAddonFile;
}
function findSodiumAddon() {
  const Module = require('module');
  const dir = path.dirname(require.resolve('sodium-native/package.json'));
  let found;
  const load = Module._load;
  Module._load = function (request) {
    const m = load.apply(this, arguments);
    if (found === undefined && request.endsWith('.node')) found = request;
    return m;
  };
  try {
    require(path.join(dir, 'binding.js'));
  } finally {
    Module._load = load;
  }
  return found === undefined ? undefined : path.relative(dir, found).split(path.sep).join('/');
}

/**
 * esbuild plugin: two start-up costs of dependencies, removed.
 *  - avsc loads node:crypto (a few ms) for schema fingerprints, which we never
 *    take: give it a crypto whose createHash loads the real one when called.
 *  - sodium-native finds its addon through require-addon, whose resolver costs a
 *    broker ~20 ms: load the file it picked at build time directly, and fall
 *    back to the package's own binding.js if that fails (another platform).
 */
function trimDeps(addon) {
  return {
    name: 'trim-deps',
    setup(build) {
      build.onResolve({ filter: /^crypto$/ }, (args) =>
        /[\\/]node_modules[\\/]avsc[\\/]/.test(args.importer) ? { path: 'crypto', namespace: 'lazy-crypto' } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'lazy-crypto' }, () => ({
        contents:
          'var c;\nexports.createHash = function () { c = c || require("crypto"); return c.createHash.apply(c, arguments); };\n',
        loader: 'js',
      }));
      if (addon === undefined) return;
      build.onResolve({ filter: /^\.\/binding$/ }, (args) =>
        /[\\/]node_modules[\\/]sodium-native[\\/]index\.js$/.test(args.importer) ? { path: 'binding', namespace: 'sodium-binding' } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'sodium-binding' }, () => ({
        contents: [
          'var path = require("path");',
          'var dir = path.dirname(require.resolve("sodium-native/package.json"));',
          `try { module.exports = require(path.join(dir, ${JSON.stringify(addon)})); }`,
          'catch (_) { module.exports = require(path.join(dir, "binding.js")); }',
          '',
        ].join('\n'),
        loader: 'js',
      }));
    },
  };
}

async function bundle(name, served, elsewhere = {}) {
  const r = await esbuild.build({
    stdin: { contents: entrySource(served), resolveDir: dist, sourcefile: `bundle-${name}.js`, loader: 'js' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: path.join(out, `${name}.js`),
    external: ['*.node', '@lydell/node-pty', 'lmdb', 'tar', 'terminal-kit', 'yauzl', 'yazl'],
    banner: { js: `var __fluxDist = require("path").join(__dirname, ".."); ${STAR_BANNER}` },
    plugins: [fromBundle(elsewhere), trimDeps(sodiumAddon()), keepPaths],
    logLevel: 'error',
    legalComments: 'none',
    // no whitespace: V8 keeps a bundle's whole source for as long as the process
    // runs (lazy compilation, Function.prototype.toString): 1.47 MB -> 0.98 MB
    // for the broker's, ~0.5 MiB less resident in every broker and client.
    // Names are kept (identifiers are not minified), so stack traces still
    // name their functions; their positions are columns of long lines.
    minifyWhitespace: true,
    // ASCII only: one character above Latin-1 anywhere makes V8 keep the whole
    // source (1.4 MB, held for lazy compilation) as two-byte text, twice the memory
    charset: 'ascii',
    metafile: true,
    // NAME.js.map beside the bundle, with no link from it (nothing loads it at
    // run time): the jobs bench maps a profile's positions back to their files
    sourcemap: 'external',
    sourcesContent: false,
  });
  // what charset leaves is in comments (it escapes strings, templates and regexps): ASCII there too
  const file = path.join(out, `${name}.js`);
  const text = fs.readFileSync(file, 'utf8');
  if (/[^ -~\t\n\r]/.test(text)) fs.writeFileSync(file, text.replace(/[^ -~\t\n\r]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  return r;
}

async function main() {
  fs.rmSync(out, { recursive: true, force: true });
  const index = JSON.parse(fs.readFileSync(path.join(dist, 'cli', 'command-index.json'), 'utf8'));
  const commands = Object.values(index).flat().map((f) => `cli/${f}`);
  // The broker: kernel, overlay, in-tree modules and plugins (loaded by path at
  // run time), and the kernel API that site modules get (kernel/module/resolve).
  const brokerEntries = ['cli/broker-main.js', 'kernel/main.js', 'overlay/factory.js', 'kernel/api/index.js', 'cli/start/zygote-preload.js'];
  await bundle('broker', [...brokerEntries, ...jsFiles('modules'), ...jsFiles('plugins')]);
  // The front end and every command of the command index.
  await bundle('flux', ['cli/main.js', 'cli/pool/worker.js', ...commands], { 'kernel/main.js': 'broker', 'overlay/factory.js': 'broker' });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
