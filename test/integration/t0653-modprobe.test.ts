/**
 * flux modprobe and the module table (flux-modprobe(1), flux-config-modules(5)):
 * broker.rc1_path is Flux's `flux modprobe rc1`; the sub-commands show the
 * table's dependencies and load and remove modules with them; an instance
 * started without rc1/rc3 is brought up and down by the command; a site's
 * modprobe.d file on FLUX_MODPROBE_PATH adds a module that rc1 loads before
 * the scheduler (whose policy it provides), and the broker config's
 * [modules] alternatives, FLUX_MODPROBE_DISABLE and needs-env decide what
 * loads. A bad table file stops the instance with one line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { lifoPolicySource } from '../helpers/site-policy';

const tmp = tmpdir('flux-ts-t0653-');
const site = path.join(tmp.dir, 'site');
fs.mkdirSync(path.join(site, 'modprobe.d'), { recursive: true });
// a site module that provides the scheduler policy `newest` (writing-a-module.md)
fs.writeFileSync(
  path.join(site, 'newest.js'),
  `'use strict';
const { defineModule, token, IRegistries } = require('flux-ts/kernel/api');
${lifoPolicySource('newest')}module.exports = defineModule({
  name: 'site-newest',
  create(scope) {
    scope.container.resolve(IRegistries).provide(token('flux.sched.policies'), 'newest', newest);
    return { handlers: [] };
  },
});
`,
);
fs.writeFileSync(
  path.join(site, 'modprobe.d', '10-site.toml'),
  `# the policy's module loads before the scheduler that uses it
[[modules]]
name = "site-newest"
module = "../newest.js"
ranks = "0"
before = ["sched"]

# an alternative scheduler of lower priority than the built-in: not chosen unless configured
[[modules]]
name = "other-sched"
module = "/nonexistent/other-sched.js"
ranks = "0"
provides = ["feasibility"]
priority = 50

# only where SITE_EXTRA is set
[[modules]]
name = "site-extra"
module = "../newest.js"
ranks = "0"
needs-env = ["SITE_EXTRA"]
after = ["site-newest"]
`,
);
const siteEnv = { FLUX_MODPROBE_PATH: site };
const modules = (r: { stdout: string }) => r.stdout.split('\n').slice(1).map((l) => l.split(' ')[0]).filter((n) => n !== '');

let inst: Instance | undefined;

/** An instance for one test (one a failed test left running is killed first). */
async function fresh(args: string[]): Promise<Instance> {
  inst?.kill();
  inst = await startInstance(args);
  return inst;
}

test.after(async () => {
  await inst?.stop().catch(() => inst?.kill());
  tmp.cleanup();
});

test("broker.rc1_path is Flux's default; list-dependencies, show, load, remove", async () => {
  inst = await fresh(['--test-size=2']);
  assert.is(inst.flux(['getattr', 'broker.rc1_path']).stdout, 'flux modprobe rc1\n');
  assert.is(inst.flux(['getattr', 'broker.rc3_path']).stdout, 'flux modprobe rc3\n');
  assert.match(inst.flux(['dmesg']).stdout, /broker\.info\[0\]: rc1\.0: flux modprobe rc1 Exited \(rc=0\) \d+\.\ds\n/);
  assert.is(inst.flux(['modprobe', 'list-dependencies', 'job-ingest']).stdout, 'job-ingest\n└── job-manager\n    ├── kvs\n    └── resource\n');
  assert.is(inst.flux(['modprobe', 'list-dependencies', '--full', 'job-ingest']).stdout, 'job-ingest\n└── job-manager\n    ├── kvs\n    └── resource\n        └── kvs\n');
  // a service name stands for the module that provides it
  assert.is(inst.flux(['modprobe', 'list-dependencies', 'feasibility']).stdout, 'feasibility (sched)\n└── resource\n    └── kvs\n');
  const show = JSON.parse(inst.flux(['modprobe', 'show', 'feasibility']).stdout) as Record<string, unknown>;
  assert.equal([show['name'], show['ranks'], show['requires'], show['priority']], ['sched', '0', ['resource'], 100]);

  const already = inst.flux(['modprobe', 'load', 'sched']);
  assert.equal([already.code, already.stderr], [0, 'flux-modprobe: All modules and their dependencies are already loaded\n']);
  const inUse = inst.flux(['modprobe', 'remove', 'kvs']);
  assert.equal([inUse.code, inUse.stderr], [1, 'flux-modprobe: ERROR: kvs still in use by resource, job-exec, job-manager\n']);
  const notLoaded = inst.flux(['modprobe', 'remove', 'nosuch']);
  assert.equal([notLoaded.code, notLoaded.stderr], [1, 'flux-modprobe: ERROR: module nosuch is not loaded\n']);
  assert.is(inst.flux(['modprobe', 'remove', '--dry-run', 'sched']).stdout, 'remove sched\n');
  // rank 1's rc3: what rank 1 has, newest first
  assert.is(inst.flux(['exec', '-r', '1', 'flux', 'modprobe', 'rc3', '--dry-run']).stdout, 'remove heartbeat\nremove job-exec\nremove resource\nremove rexec\nremove kvs\n');
  // remove and load back the scheduler: jobs run again
  assert.is(inst.flux(['modprobe', 'remove', 'sched']).code, 0);
  assert.not.ok(modules(inst.flux(['module', 'list'])).includes('sched'));
  assert.is(inst.flux(['modprobe', 'load', '--dry-run', 'feasibility']).stdout, 'load sched\n');
  assert.is(inst.flux(['modprobe', 'load', 'sched']).code, 0);
  assert.is(inst.flux(['run', 'echo', 'scheduled']).stdout, 'scheduled\n');

  // [modules] may change on a running instance: flux modprobe uses it (as Flux's); a bad one is refused in one line
  // (each broker has its own config: rank 1's is changed there)
  const load = inst.flux(['exec', '-r', '1', 'sh', '-c', `printf '[modules]\\ncron.ranks = "0-1"\\n' | flux config load && flux modprobe rc1 --dry-run`]);
  assert.equal([load.code, load.stdout, load.stderr], [0, 'load cron sync=heartbeat.pulse\n', '']);
  const bad = inst.flux(['config', 'load'], { input: '[modules]\nnosuch.ranks = "0"\n' });
  assert.equal([bad.code, bad.stderr.replace(/\(kvs, .*\)/, '(...)')], [1, 'flux-config: modules.nosuch: no module nosuch in the module table (...)\n']);
  assert.is(inst.flux(['config', 'load'], { input: '' }).code, 0);
  // a module that cannot load where it is asked for says why
  const notHere = inst.flux(['exec', '-r', '1', 'flux', 'modprobe', 'load', 'sched']);
  assert.is(notHere.code, 1);
  assert.match(notHere.stderr, /^flux-modprobe: ERROR: sched does not load on rank 1 \(ranks = "0"\)\n/);
  const none = inst.flux(['modprobe', 'list-dependencies', 'nosuch']);
  assert.equal([none.code, none.stderr], [1, 'flux-modprobe: ERROR: no such task or module nosuch\n']);
  const py = inst.flux(['modprobe', 'run', 'rc.py']);
  assert.is(py.code, 1);
  assert.match(py.stderr, /^flux-modprobe: ERROR: run rc\.py: flux-ts has no Python rc files: put modules in a modprobe\.d\/\*\.toml on FLUX_MODPROBE_PATH/);
  assert.is(await inst.stop(), 0);
  inst = undefined;
});

test('an instance without rc1/rc3 is brought up and down by flux modprobe rc1/rc3; load/remove take dependencies', async () => {
  inst = await fresh(['-Sbroker.rc1_path=', '-Sbroker.rc3_path=']);
  const f = inst.flux.bind(inst);
  assert.is(modules(f(['module', 'list'])).length, 0);
  assert.is(f(['modprobe', 'rc1', '--dry-run']).stdout, 'load kvs\nload rexec\nload resource\nload job-exec\nload sched\nload job-manager\nload job-ingest\nload cli-pool\nload heartbeat\nload cron sync=heartbeat.pulse\n');
  const deps = JSON.parse(f(['modprobe', 'rc1', '--show-deps']).stdout) as Record<string, string[]>;
  assert.equal([deps['job-ingest'], deps['kvs'], deps['cron']], [['job-manager'], [], ['heartbeat']]);
  assert.is(modules(f(['module', 'list'])).length, 0, '--dry-run and --show-deps load nothing');
  const up = f(['modprobe', 'rc1', '--verbose', '--timing']);
  assert.is(up.code, 0, up.stderr);
  assert.match(up.stderr, /^loading \S+\/modules\/modprobe\.toml\n/m);
  assert.match(up.stderr, /^module\.load \{"path":"cron","args":\["sync=heartbeat\.pulse"\]\}\nloaded cron\n/m);
  const stats = JSON.parse(f(['kvs', 'get', 'modprobe.stats']).stdout) as Array<{ name: string; starttime: number; duration: number }>;
  assert.equal(stats.map((t) => t.name).slice(0, 3), ['configure', 'kvs', 'rexec']);
  assert.ok(stats.every((t) => t.duration >= 0 && t.starttime >= 0));
  assert.is(f(['run', 'echo', 'ran']).stdout, 'ran\n');
  const down = f(['modprobe', 'rc3', '-v']);
  assert.is(down.code, 0, down.stderr);
  assert.match(down.stderr, /^module\.remove cron\nremoved cron\n/);
  assert.match(down.stderr, /module\.remove kvs\nremoved kvs\n$/);
  assert.is(modules(f(['module', 'list'])).length, 0);
  // load takes what a module requires; remove takes it back
  assert.is(f(['modprobe', 'load', 'resource']).code, 0);
  assert.equal(modules(f(['module', 'list'])), ['kvs', 'resource']);
  assert.is(f(['modprobe', 'remove', 'resource']).code, 0);
  assert.is(modules(f(['module', 'list'])).length, 0);
  assert.is(await inst.stop(), 0);
  inst = undefined;
});

test("a site's modprobe.d module loads before the scheduler that uses its policy; needs-env and alternatives", () => {
  const r = flux(['start', '--conf=sched.policy="newest"', 'sh', '-c', 'flux module list | tail -n +2 | cut -d" " -f1 | tr "\\n" " "; echo; flux run echo ok'], { env: siteEnv });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'kvs rexec resource job-exec site-newest sched job-manager job-ingest cli-pool heartbeat cron \nok\n');
  // needs-env: the extra module only where SITE_EXTRA is set; FLUX_MODPROBE_DISABLE leaves cron out
  const extra = flux(['start', 'sh', '-c', 'flux module list | tail -n +2 | cut -d" " -f1 | tr "\\n" " "'], {
    env: { ...siteEnv, SITE_EXTRA: '1', FLUX_MODPROBE_DISABLE: 'cron' },
  });
  assert.is(extra.code, 0, extra.stderr);
  assert.is(extra.stdout, 'kvs rexec resource job-exec site-newest sched job-manager job-ingest cli-pool heartbeat site-extra ');
  // the lower-priority alternative is shown only when chosen, and rc1 loads what the config chooses
  const alt = flux(
    ['start', 'sh', '-c', 'flux modprobe show feasibility; flux modprobe show --set-alternative=feasibility=other-sched feasibility; flux modprobe show --disable=sched feasibility; flux modprobe list-dependencies -D sched feasibility'],
    { env: siteEnv },
  );
  assert.match(alt.stdout, /^\{"name": "sched", .*\n\{"name": "other-sched", "module": "\/nonexistent\/other-sched\.js", .*\n\{"name": "other-sched", .*\nfeasibility \(other-sched\)\n$/);
  const chosen = flux(['start', '--conf=modules.alternatives.feasibility="other-sched"', 'echo', 'not reached'], { env: siteEnv });
  assert.is(chosen.code, 1);
  assert.not.match(chosen.stdout, /not reached/);
  assert.match(chosen.stderr, /broker\.err\[0\]: rc1.0: .*other-sched/);
  assert.not.match(chosen.stderr, /site-extra/);
});

test("the broker config's [modules] table updates every key of an entry", () => {
  const t = tmpdir('flux-ts-t0653-conf-');
  try {
    const conf = path.join(t.dir, 'modules.toml');
    fs.writeFileSync(
      conf,
      `[modules]
cron.disabled = true
heartbeat.needs-env = ["T0653_NOT_SET"]
rexec.needs-attrs = ["!broker.rc2_none"]
cli-pool.needs-config = ["sched.policy"]
job-ingest.needs = ["cli-pool"]
resource.priority = 5
kvs.provides = ["store"]
rexec.module = "rexec"
sched.requires = ["resource", "rexec"]
sched.before = ["job-exec"]
`,
    );
    const r = flux(['start', '-c', conf, 'sh', '-c', 'flux module list | tail -n +2 | cut -d" " -f1 | tr "\\n" " "; echo; flux modprobe show store; flux modprobe show resource; flux modprobe list-dependencies sched']);
    assert.is(r.code, 0, r.stderr);
    const [mods, store, resource, ...tree] = r.stdout.split('\n');
    // job-ingest needs cli-pool, which needs a config key that is not set; heartbeat an unset variable; cron is disabled
    assert.is(mods, 'kvs rexec resource sched job-exec job-manager ');
    assert.match(store!, /^\{"name": "kvs", "module": "kvs", .*"provides": \["store"\]/);
    assert.match(resource!, /"priority": 5,/);
    assert.equal(tree, ['sched', '├── resource', '│   └── kvs', '└── rexec', '']);
  } finally {
    t.cleanup();
  }
});

test('a bad table file or [modules] entry stops the instance with one line', () => {
  const bad = tmpdir('flux-ts-t0653-bad-');
  try {
    fs.mkdirSync(path.join(bad.dir, 'modprobe.d'));
    fs.writeFileSync(path.join(bad.dir, 'modprobe.d', 'x.toml'), '[[modules]]\nname = "a"\nbadkey = ""\n');
    const r = flux(['start', 'true'], { env: { FLUX_MODPROBE_PATH: bad.dir } });
    assert.is(r.code, 1);
    assert.match(r.stderr, /broker\.err\[0\]: rc1.0: \S+\/modprobe\.d\/x\.toml: invalid modules entry: modules\[0\]\.badkey: unknown key\n/);
    // --path needs no instance; without it, no instance is one line
    const show = flux(['modprobe', 'show', '--path', path.join(bad.dir, 'modprobe.d', 'x.toml'), 'a'], { env: { FLUX_URI: `local://${bad.dir}/nosuch` } });
    const none = flux(['modprobe', 'show', 'kvs'], { env: { FLUX_URI: `local://${bad.dir}/nosuch` } });
    assert.equal([none.code, none.stderr.split('\n').length], [1, 2]);
    assert.match(none.stderr, /^flux-modprobe: ERROR: Unable to connect to Flux: /);
    assert.match(show.stderr, /flux-modprobe: ERROR: \S+x\.toml: invalid modules entry: modules\[0\]\.badkey: unknown key\n/);
  } finally {
    bad.cleanup();
  }
  const exec = flux(['start', '--conf=modules.cron.exec=true', 'true']);
  assert.is(exec.code, 1);
  assert.match(exec.stderr, /modules\.cron\.exec: flux-ts runs every module inside its broker/);
  const cyc = flux(['start', '--conf=modules.kvs.after=["job-manager"]', 'true']);
  assert.is(cyc.code, 1);
  assert.match(cyc.stderr, /broker\.err\[0\]: rc1.0: nodes are in a cycle: /);
});

test.run();
