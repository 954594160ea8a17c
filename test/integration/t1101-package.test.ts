/**
 * The installable package: `npm pack`, then `npm install -g --prefix TMP` of
 * the tarball puts `flux` on PATH (and it runs a job), its man pages where man
 * finds them, and `require('flux-ts')` / `import ... from 'flux-ts'` work, with
 * types. The install is tried offline (npm's cache) first, then with the cache
 * preferred; when neither can fetch the dependencies the test says so as a skip.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, tmpdir } from '../helpers/flux';
import { skipped } from '../helpers/skip';

const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; man: string[] };

/** the environment without npm's per-run settings (npm test sets npm_config_*) */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'FLUX_URI' && k !== 'MANPATH') env[k] = v;
  return { ...env, ...extra };
}

function sh(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}) {
  const r = spawnSync(cmd, args, { env: opts.env ?? cleanEnv(), cwd: opts.cwd, encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000, killSignal: 'SIGKILL' });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

const t = tmpdir('flux-ts-pkg-');
const prefix = path.join(t.dir, 'prefix');
const bin = path.join(prefix, 'bin');
const installed = path.join(prefix, 'lib', 'node_modules', 'flux-ts');
/** PATH with the installed flux and node, not the checkout's bin/ */
const PATH = [bin, path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
let why: string | undefined;

test.before(() => {
  const pack = sh('npm', ['pack', '--pack-destination', t.dir, '--silent'], { cwd: ROOT });
  assert.is(pack.code, 0, pack.stderr);
  const tarball = path.join(t.dir, pack.stdout.trim().split('\n').pop()!);
  assert.ok(fs.existsSync(tarball), tarball);
  const base = ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error'];
  let r = sh('npm', [...base, '--offline', tarball]);
  let how = 'offline, from npm\'s cache';
  if (r.code !== 0) {
    r = sh('npm', [...base, '--prefer-offline', tarball], { timeoutMs: 300_000 });
    how = 'with the registry (the cache lacked some package documents)';
  }
  if (r.code === 0) console.log(`# installed ${path.basename(tarball)} ${how}`);
  if (r.code !== 0) why = `npm install of the tarball failed offline and online: ${r.stderr.split('\n').find((l) => /ERR/.test(l)) ?? r.stderr.slice(0, 200)}`;
});

test.after(() => t.cleanup());

/** run only when the install worked; a skip names why otherwise */
const when = (name: string, fn: () => void) =>
  test(name, () => {
    if (why) return skipped(name, why);
    fn();
  });

when('the tarball installs flux on PATH, with the files it needs and without the tests', () => {
  assert.ok(fs.lstatSync(path.join(bin, 'flux')).isSymbolicLink());
  assert.ok(fs.existsSync(path.join(installed, 'dist', 'cli', 'entry.js')));
  assert.not.ok(fs.existsSync(path.join(installed, 'dist', 'test')), 'dist/test packed');
  const r = sh('flux', ['version'], { env: cleanEnv({ PATH }) });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^commands:    \\t\\t0\\.88\\.0\\nlibflux-core:\\t\\t0\\.88\\.0\\nflux-ts:     \\t\\t${PKG.version.replace(/\./g, '\\.')}\\n`));
});

when('the installed flux starts an instance and runs a job', () => {
  const r = sh('flux', ['start', '-s1', 'flux', 'run', 'echo', 'installed-ok'], { env: cleanEnv({ PATH }), cwd: t.dir, timeoutMs: 60_000 });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'installed-ok\n');
});

when('man finds the installed pages (PREFIX/share/man, from PATH) and flux help shows them', () => {
  for (const p of PKG.man) assert.ok(fs.existsSync(path.join(prefix, 'share', 'man', path.basename(path.dirname(p)), path.basename(p))), p);
  // no MANPATH: man-db derives PREFIX/share/man from PREFIX/bin on PATH (npm links the pages there)
  let r = sh('man', ['-w', 'flux-run'], { env: cleanEnv({ PATH }) });
  assert.is(r.code, 0, r.stderr);
  assert.is(fs.realpathSync(r.stdout.trim()), fs.realpathSync(path.join(prefix, 'share', 'man', 'man1', 'flux-run.1')));
  r = sh('flux', ['help', 'submit'], { env: cleanEnv({ PATH, MANWIDTH: '80', MANPAGER: 'cat' }) });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^FLUX-SUBMIT\(1\)/);
  r = sh('flux', ['env', 'printenv', 'MANPATH'], { env: cleanEnv({ PATH }) });
  assert.is(r.stdout, `${fs.realpathSync(installed)}/dist/man:\n`);
});

when("require('flux-ts') and import from 'flux-ts' work in a project", () => {
  const proj = path.join(t.dir, 'proj');
  fs.mkdirSync(path.join(proj, 'node_modules'), { recursive: true });
  fs.symlinkSync(installed, path.join(proj, 'node_modules', 'flux-ts'));
  fs.writeFileSync(path.join(proj, 'a.cjs'), "const { Client, Errno } = require('flux-ts');\nconsole.log(typeof Client.connect, Errno.ENOENT);\n");
  fs.writeFileSync(path.join(proj, 'b.mjs'), "import { Client, Errno } from 'flux-ts';\nimport fluxts from 'flux-ts';\nconsole.log(typeof Client.connect, Errno.ENOENT, fluxts.Client === Client);\n");
  let r = sh(process.execPath, ['a.cjs'], { cwd: proj });
  assert.equal([r.code, r.stdout], [0, 'function 2\n'], r.stderr);
  r = sh(process.execPath, ['b.mjs'], { cwd: proj });
  assert.equal([r.code, r.stdout], [0, 'function 2 true\n'], r.stderr);
});

when('the types come with it: tsc checks a script that requires or imports flux-ts', () => {
  const proj = path.join(t.dir, 'proj');
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  fs.writeFileSync(path.join(proj, 'c.mts'), "import { Client } from 'flux-ts';\nexport const h: Promise<Client> = Client.connect();\n");
  fs.writeFileSync(path.join(proj, 'd.cts'), "import fluxts = require('flux-ts');\nexport const h: Promise<fluxts.Client> = fluxts.Client.connect();\n");
  fs.writeFileSync(path.join(proj, 'bad.mts'), "import { Client } from 'flux-ts';\nexport const n: number = Client.connect();\n");
  const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', '--typeRoots', path.join(ROOT, 'node_modules', '@types'), '--types', 'node'];
  let r = sh(process.execPath, [tsc, ...args, 'c.mts', 'd.cts'], { cwd: proj });
  assert.is(r.code, 0, r.stdout + r.stderr);
  // a wrong type is caught: the declarations are real, not `any`
  r = sh(process.execPath, [tsc, ...args, 'bad.mts'], { cwd: proj });
  assert.is(r.code, 2, r.stdout);
  assert.match(r.stdout, /bad\.mts\(2,14\): error TS2322: Type 'Promise<Client>' is not assignable to type 'number'/);
});

test("inside the checkout, require('flux-ts') resolves to the package itself", () => {
  const r = sh(process.execPath, ['-e', "console.log(require.resolve('flux-ts'))"], { cwd: ROOT });
  assert.equal([r.code, r.stdout], [0, path.join(ROOT, 'dist', 'cli', 'api', 'index.js') + '\n'], r.stderr);
});

test('package.json "man" lists exactly the pages built from docs/', () => {
  const built: string[] = [];
  for (const s of ['1', '5', '7', '8']) {
    for (const f of fs.readdirSync(path.join(ROOT, 'docs', `man${s}`)).filter((f) => f.endsWith('.md'))) built.push(`./dist/man/man${s}/${f.slice(0, -3)}.${s}`);
  }
  assert.equal([...PKG.man].sort(), built.sort(), 'run: npm run build && node scripts/gen-man.mjs --package-json');
});

test.run();
