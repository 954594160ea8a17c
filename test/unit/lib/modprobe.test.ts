/** The module table (lib/modprobe): ranks, services and alternatives, rc1's plan, removal, the dependency tree. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ModuleDb, addTable, applyModulesConfig, dependencyTree, loadPlan, notEnabled, probeContext, rc1Targets, removePlan, ranksMatcher, shownEntry } from '../../../lib/modprobe';

const on = (ranks: string | undefined, n = 6) => [...Array(n).keys()].filter((r) => ranksMatcher(ranks)!(r));

test('ranks: all, leader, idsets, >N and <N', () => {
  assert.equal(on(undefined), [0, 1, 2, 3, 4, 5]);
  assert.equal(on('leader'), [0]);
  assert.equal(on('0,2-3'), [0, 2, 3]);
  assert.equal(on('>0'), [1, 2, 3, 4, 5]);
  assert.equal(on('<2'), [0, 1]);
  for (const bad of ['x', '1-', '>', 'leader,1', '', '=0']) assert.is(ranksMatcher(bad), undefined, bad);
});

const TABLE = `
[[modules]]
name = "heartbeat"
[[modules]]
name = "store"
requires = ["heartbeat", "store-backing"]
[[modules]]
name = "store-disk"
ranks = "0"
after = ["store"]
provides = ["store-backing"]
[[modules]]
name = "kv"
requires = ["store", "heartbeat"]
after = ["store-backing", "store"]
[[modules]]
name = "kv-watch"
requires = ["kv"]
after = ["kv"]
[[modules]]
name = "res"
after = ["kv-watch"]
requires = ["kv-watch"]
[[modules]]
name = "manager"
ranks = "0"
requires = ["res", "kv"]
after = ["res", "kv"]
[[modules]]
name = "simple"
ranks = "0"
provides = ["sched", "feasibility"]
requires = ["manager", "res"]
after = ["manager", "res"]
priority = 50
`;

function db(extra = ''): ModuleDb {
  const d = new ModuleDb();
  addTable(d, TABLE + extra, 'test.toml');
  return d;
}
const ctx = (rank = 0, config: Record<string, unknown> = {}, attrs: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) =>
  probeContext(rank, config, (n) => attrs[n], env);

test('the dependency tree names each module once (or every time with full), and the chosen provider', () => {
  assert.is(
    dependencyTree(db(), 'sched', false),
    ['sched (simple)', '├── manager', '│   └── kv', '│       ├── store', '│       │   └── store-backing (store-disk)', '│       └── heartbeat', '└── res', '    └── kv-watch', ''].join('\n'),
  );
  assert.is(dependencyTree(db(), 'kv', true), ['kv', '├── store', '│   ├── heartbeat', '│   └── store-backing (store-disk)', '└── heartbeat', ''].join('\n'));
  assert.throws(() => dependencyTree(db(), 'nosuch', false), /no such task or module nosuch/);
});

test("rc1's plan: every service once, requires pulled in, order kept, ranks honoured", () => {
  const d = db();
  assert.equal(loadPlan(d, rc1Targets(d), ctx(0)), ['heartbeat', 'store', 'store-disk', 'kv', 'kv-watch', 'res', 'manager', 'simple']);
  assert.equal(loadPlan(d, rc1Targets(d), ctx(1)), ['heartbeat', 'store', 'kv', 'kv-watch', 'res']);
});

test('priority, alternatives and disable choose the provider of a service', () => {
  const d = db(`
[[modules]]
name = "advanced"
priority = 500
ranks = "0"
provides = ["sched", "feasibility"]
requires = ["manager"]
[[modules]]
name = "basic"
ranks = "0"
provides = ["sched", "feasibility"]
requires = ["manager"]
`);
  assert.is(d.get('sched').name, 'advanced');
  const plan = loadPlan(d, rc1Targets(d), ctx(0));
  assert.ok(plan.includes('advanced') && !plan.includes('basic') && !plan.includes('simple'), plan.join());
  d.setAlternative('sched', 'basic');
  assert.is(d.get('sched').name, 'basic');
  assert.is(d.get('feasibility').name, 'advanced');
  assert.throws(() => d.setAlternative('sched', 'kv'), /no module kv provides sched/);
  d.disable('advanced');
  assert.is(d.get('feasibility').name, 'basic');
  d.disable('basic');
  assert.is(d.get('sched').name, 'simple');
  assert.throws(() => d.disable('nosuch'), /no such module or task 'nosuch'/);
});

test('an entry replaced for any one of its names is not loaded by rc1', () => {
  // as the built-in table's sched: named for one service, providing another
  const d = new ModuleDb();
  addTable(d, '[[modules]]\nname = "sched"\nprovides = ["feasibility"]\n[[modules]]\nname = "site"\nprovides = ["sched"]\npriority = 200\n', 't.toml');
  assert.equal(rc1Targets(d), ['site']);
  d.setAlternative('sched', 'sched');
  assert.equal(rc1Targets(d), ['sched']);
});

test('[modules] updates, alternatives and disable, and FLUX_MODPROBE_DISABLE', () => {
  const d = db();
  applyModulesConfig(d, { disable: ['kv-watch', 'not-in-table'], simple: { ranks: '0-1', args: ['a=1'] } }, { FLUX_MODPROBE_DISABLE: 'store-disk' });
  assert.is(shownEntry(d.get('feasibility')).ranks, '0-1');
  assert.equal(d.entry('simple')!.args, ['a=1']);
  assert.ok(d.entry('kv-watch')!.disabled && d.entry('store-disk')!.disabled);
  assert.throws(() => applyModulesConfig(db(), { nosuch: { ranks: '0' } }, {}), /^modules\.nosuch: no module nosuch in the module table \(heartbeat, store,/);
  assert.throws(() => applyModulesConfig(db(), { alternatives: { sched: 'kv' } }, {}), /^modules\.alternatives\.sched: no module kv provides sched$/);
  assert.throws(() => applyModulesConfig(db(), {}, { FLUX_MODPROBE_DISABLE: 'x' }), /^FLUX_MODPROBE_DISABLE: no such module or task 'x'$/);
  assert.throws(() => applyModulesConfig(db(), { kv: { ranks: 'x' } }, {}), /modules\.kv\.ranks: "x" is not all/);
  assert.throws(() => applyModulesConfig(db(), { kv: { exec: true } }, {}), /^modules\.kv\.exec: flux-ts runs every module inside its broker/);
});

test('needs, needs-config, needs-attrs (with !) and needs-env leave modules out', () => {
  const d = db(`
[[modules]]
name = "cfg"
needs-config = ["site.enable"]
[[modules]]
name = "noattr"
needs-attrs = ["!test.off"]
[[modules]]
name = "envy"
needs-env = ["SITE_ENV"]
[[modules]]
name = "needy"
needs = ["cfg"]
after = ["cfg"]
`);
  const names = (c: ReturnType<typeof ctx>) => loadPlan(d, rc1Targets(d), c).filter((n) => ['cfg', 'noattr', 'envy', 'needy'].includes(n));
  assert.equal(names(ctx(0)), ['noattr']);
  assert.is(notEnabled(d.entry('cfg')!, ctx(0)), 'cfg needs config key site.enable set');
  assert.is(notEnabled(d.entry('noattr')!, ctx(0, {}, { 'test.off': '1' })), 'noattr needs attribute test.off unset');
  assert.is(notEnabled(d.entry('envy')!, ctx(0)), 'envy needs environment variable SITE_ENV set');
  assert.is(notEnabled(d.entry('manager')!, ctx(3)), 'manager does not load on rank 3 (ranks = "0")');
  assert.equal(names(ctx(0, { site: { enable: true } }, { 'test.off': '1' }, { SITE_ENV: 'x' })), ['cfg', 'envy', 'needy']);
});

test('before/after "*" and cycles', () => {
  const d = new ModuleDb();
  addTable(d, '[[modules]]\nname = "a"\n[[modules]]\nname = "b"\nbefore = ["*"]\n[[modules]]\nname = "c"\nafter = ["*"]\n[[modules]]\nname = "d"\n', 't.toml');
  assert.equal(loadPlan(d, ['a', 'b', 'c', 'd'], ctx()), ['b', 'a', 'd', 'c']);
  const cyc = new ModuleDb();
  addTable(cyc, '[[modules]]\nname = "a"\nafter = ["b"]\n[[modules]]\nname = "b"\nafter = ["a"]\n', 't.toml');
  assert.throws(() => loadPlan(cyc, ['a', 'b'], ctx()), /nodes are in a cycle: a, b/);
  assert.throws(() => addTable(new ModuleDb(), '[[modules]]\nname = "x"\nbefore = ["*"]\nafter = ["y"]\n', 't.toml'), /x: cannot specify 'before=\["\*"\]' when 'after' is also set/);
});

test('bad entries are one line naming the file and key', () => {
  assert.throws(() => addTable(new ModuleDb(), '[[modules]]\nranks = "0"\n', 'm.toml'), /^m\.toml: invalid modules entry: modules\[0\]\.name: required, but missing$/);
  assert.throws(() => addTable(new ModuleDb(), '[[modules]]\nname = "a"\nbadkey = ""\n', 'm.toml'), /^m\.toml: invalid modules entry: modules\[0\]\.badkey: unknown key$/);
  assert.throws(() => addTable(new ModuleDb(), 'nosuch.ranks = "0"\n', 'm.toml'), /^m\.toml: nosuch: no module nosuch in the module table/);
  assert.throws(() => addTable(new ModuleDb(), '[[modules]\n', 'm.toml'), /^m\.toml: /);
});

test('removal takes what only the removed required; a module still in use is refused', () => {
  const d = db();
  const loaded = (names: string[]) => ({
    names,
    lookup: (n: string) => names.find((m) => m === n || d.entry(m)?.provides.includes(n)),
  });
  const all = ['heartbeat', 'store', 'store-disk', 'kv', 'kv-watch', 'res', 'manager', 'simple'];
  assert.equal(removePlan(d, ['all'], loaded(all)), [...all].reverse());
  // nothing else requires what sched required: all of it goes; a module loaded by hand keeps what it requires
  assert.equal(removePlan(d, ['sched'], loaded(all)), [...all].reverse());
  addTable(d, '[[modules]]\nname = "user"\nrequires = ["manager"]\n', 'more.toml');
  assert.equal(removePlan(d, ['sched'], loaded([...all, 'user'])), ['simple']);
  assert.throws(() => removePlan(d, ['kv'], loaded(all)), /^kv still in use by kv-watch, manager$/);
  assert.throws(() => removePlan(d, ['nosuch'], loaded(all)), /^module nosuch is not loaded$/);
  assert.equal(removePlan(d, ['res'], loaded(['heartbeat', 'store', 'store-disk', 'kv', 'kv-watch', 'res'])), ['res', 'kv-watch', 'kv', 'store-disk', 'store', 'heartbeat']);
});

test.run();
