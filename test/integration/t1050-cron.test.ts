/**
 * The cron service (modules/cron) and flux cron (flux-cron(1)): the module is
 * loaded on rank 0 and, as in Flux, waits for the heartbeat module's
 * heartbeat.pulse (period=); an interval entry with -c N runs N times and ends
 * stopped; an event entry runs on `flux event pub` (every nth with --nth);
 * stop/start/delete and their lines; the list table; delete leaves a running
 * task alone and --kill ends it; -o timeout; the one-line errors for bad
 * input; crontab lines; -o rank on a size-2 instance (and an unreachable
 * rank recorded as Rexec Failure); a running task does not outlive its
 * instance. Every wait polls `flux cron dump --key=...`. The heartbeat's
 * watch on the other ranks: warn_thresh missed periods are a warning, and
 * timeout without a pulse drops the broker's parent.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, processAlive, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { until, waitUntil } from '../helpers/wait';

let inst: Instance;

test.before(async () => {
  inst = await startInstance();
});
test.after(async () => {
  await inst?.stop();
});

/** Run `flux cron ARGS`, expect success, and return the id it created (`SUB: cron-N created...`). */
function create(i: Instance, args: string[], input?: string): number {
  const r = i.flux(['cron', ...args], input === undefined ? {} : { input });
  assert.is(r.code, 0, `flux cron ${args.join(' ')}: ${r.stderr}`);
  const m = /^\w+: cron-(\d+) created/.exec(r.stdout);
  assert.ok(m, r.stdout);
  return Number(m![1]);
}

function key(i: Instance, id: number, k: string): string {
  const r = i.flux(['cron', 'dump', `--key=${k}`, String(id)]);
  return r.code === 0 ? r.stdout.trimEnd() : `error: ${r.stderr.trimEnd()}`;
}

async function waitKey(i: Instance, id: number, k: string, want: string): Promise<void> {
  await waitUntil(() => key(i, id, k) === want, { what: `cron-${id} ${k} = ${want}`, timeoutMs: 20_000, intervalMs: 100 });
}

/** The pid of the entry's first task once it runs (it comes with rexec's `started`, after the state says Running). */
async function waitRunning(i: Instance, id: number): Promise<number> {
  await waitKey(i, id, 'task.1.state', 'Running');
  await waitUntil(() => Number(key(i, id, 'task.1.pid')) > 0, { what: `cron-${id} task.1.pid`, timeoutMs: 20_000, intervalMs: 100 });
  return Number(key(i, id, 'task.1.pid'));
}

test('the cron module is loaded on rank 0', () => {
  const row = inst.flux(['module', 'list']).stdout.split('\n').find((l) => l.startsWith('cron '));
  assert.ok(row, 'cron in flux module list');
  assert.match(row!, /^cron {22}[ \d]{3}\d  R     0     0 $/);
});

test('as in Flux, tasks wait for the heartbeat (heartbeat.pulse, every 2s by default); heartbeat takes period= and [heartbeat] period', async () => {
  assert.is(inst.flux(['cron', 'sync']).stdout, 'sync: sync to event "heartbeat.pulse" epsilon=0.015s.\n');
  assert.match(inst.flux(['dmesg']).stdout, /cron\.info\[0\]: synchronizing cron tasks to event heartbeat\.pulse\n/);
  assert.ok(inst.flux(['module', 'list']).stdout.split('\n').some((l) => l.startsWith('heartbeat ')), 'heartbeat in flux module list');
  assert.equal(JSON.parse(inst.flux(['module', 'stats', 'heartbeat']).stdout).period, 2);
  // one pulse at load, then none for an hour: a task due 0.1s later waits
  let r = inst.flux(['module', 'reload', 'heartbeat', 'period=1h']);
  assert.equal([r.code, r.stderr], [0, '']);
  assert.equal(JSON.parse(inst.flux(['module', 'stats', 'heartbeat']).stdout), { period: 3600, count: 1 });
  const id = create(inst, ['interval', '-c1', '0.1s', 'true']);
  await waitKey(inst, id, 'task.1.state', 'Deferred');
  assert.is(key(inst, id, 'stats.deferred'), '1');
  // a heartbeat at 0.2s: it runs at the next pulse, and the pulses go on
  r = inst.flux(['module', 'reload', 'heartbeat', 'period=0.2s']);
  assert.equal([r.code, r.stderr], [0, '']);
  await waitKey(inst, id, 'task.1.state', 'Exited');
  await waitUntil(() => JSON.parse(inst.flux(['module', 'stats', 'heartbeat']).stdout).count >= 3, { what: 'three pulses at 0.2s' });
  const sub = inst.flux(['event', 'sub', '--count=2', 'heartbeat.pulse'], { timeoutMs: 20_000 });
  assert.equal([sub.code, sub.stdout], [0, 'heartbeat.pulse\t\nheartbeat.pulse\t\n']);
  for (const [arg, err] of [
    ['bogus=1', "unknown option 'bogus' (heartbeat takes period=DURATION)"],
    ['period=soon', "period: invalid duration 'soon'"],
    ['period=0', 'period: 0 is out of range (0.01s to 1d)'],
  ]) {
    r = inst.flux(['module', 'reload', 'heartbeat', arg!]);
    assert.equal([r.code, r.stderr], [1, `flux-module: reload heartbeat: ${err}; the old module keeps running\n`], arg);
  }
  assert.is(JSON.parse(inst.flux(['module', 'stats', 'heartbeat']).stdout).period, 0.2);
  r = inst.flux(['module', 'reload', 'heartbeat']);
  assert.equal([r.code, r.stderr], [0, '']);
  // [heartbeat] period: a config load applies it; a bad one is refused and the period stays
  r = inst.flux(['config', 'load'], { input: '[heartbeat]\nperiod = "5s"\n' });
  assert.equal([r.code, r.stderr], [0, '']);
  assert.is(JSON.parse(inst.flux(['module', 'stats', 'heartbeat']).stdout).period, 5);
  r = inst.flux(['config', 'load'], { input: '[heartbeat]\nperiod = 5\n' });
  assert.equal([r.code, r.stderr], [1, 'flux-config: Config file error: stdin:2: heartbeat.period: must be a duration (FSD) such as "5s", got 5\n']);
  assert.is(JSON.parse(inst.flux(['module', 'stats', 'heartbeat']).stdout).period, 5);
  r = inst.flux(['config', 'load'], { input: '' });
  assert.equal([r.code, r.stderr], [0, '']);
  assert.is(JSON.parse(inst.flux(['module', 'stats', 'heartbeat']).stdout).period, 2);
  inst.flux(['cron', 'delete', String(id)]);
  // the tests below time their entries without the heartbeat's 2s steps
  assert.is(inst.flux(['cron', 'sync', '--disable']).stdout, 'sync: sync disabled.\n');
});

test('interval -c 3: runs three times, logs each output line, ends stopped; list shows it', async () => {
  const r = inst.flux(['cron', 'interval', '-c', '3', '0.1s', 'echo', 'cron-test-xxx']);
  assert.equal([r.code, r.stderr], [0, '']);
  const id = Number(/^interval: cron-(\d+) created\n$/.exec(r.stdout)![1]);
  await waitKey(inst, id, 'stopped', 'true');
  assert.is(key(inst, id, 'stats.count'), '3');
  assert.is(key(inst, id, 'repeat'), '3');
  assert.is(key(inst, id, 'task.1.state'), 'Exited');
  await until(() => (inst.flux(['dmesg']).stdout.match(new RegExp(`cron\\.info\\[0\\]: cron-${id}\\[echo\\]: rank=0: command="echo cron-test-xxx": "cron-test-xxx"`, 'g')) ?? []).length === 3, '3 log lines');
  const list = inst.flux(['cron', 'list']).stdout.split('\n');
  assert.is(list[0], '    ID CMD/NAME        STATE        #RUNS            LASTRUN  STATUS            ');
  const row = list.find((l) => l.startsWith(String(id).padStart(6)));
  assert.match(row!, new RegExp(`^ {5}${id} echo {12}Stopped {8}3/3 +(a second|\\d+ seconds) ago  Success {11}$`));
  const dump = inst.flux(['cron', 'dump', String(id)]).stdout;
  for (const want of ['name = "echo"', 'command = "echo cron-test-xxx"', 'type = "interval"', 'typedata.interval = 0.1', 'stats.success = 3', 'task.1.code = 0']) assert.ok(dump.includes(`${want}\n`), `${want} in ${dump}`);
});

test('event entry: runs on each matching event; --nth=2 every second one', async () => {
  const id = create(inst, ['event', 't1050.trigger', 'echo', 'on-event']);
  assert.is(key(inst, id, 'type'), 'event');
  assert.is(key(inst, id, 'stats.count'), '0');
  assert.is(inst.flux(['event', 'pub', 't1050.trigger']).code, 0);
  await waitKey(inst, id, 'stats.count', '1');
  await waitKey(inst, id, 'task.1.state', 'Exited');
  inst.flux(['event', 'pub', 't1050.triggerX']); // not the topic
  assert.is(inst.flux(['event', 'pub', 't1050.trigger']).code, 0);
  await waitKey(inst, id, 'stats.count', '2');
  const nth = create(inst, ['event', '--nth=2', 't1050.nth', 'true']);
  inst.flux(['event', 'pub', 't1050.nth']);
  await waitKey(inst, nth, 'typedata.counter', '1');
  assert.is(key(inst, nth, 'stats.count'), '0');
  inst.flux(['event', 'pub', 't1050.nth']);
  await waitKey(inst, nth, 'stats.count', '1');
  for (const x of [id, nth]) assert.is(inst.flux(['cron', 'delete', String(x)]).code, 0);
});

test('-E runs in the caller\'s environment, -d in DIR; event -N, -a (after), -c (count), -i (min-interval)', async () => {
  const env = { T1050_VAR: 'from-caller' };
  const r = inst.flux(['cron', 'interval', '-E', '-d', '/tmp', '-c1', '0.01s', 'echo', '"$T1050_VAR"', '"$(pwd)"'], { env });
  assert.is(r.code, 0, r.stderr);
  const id = Number(/cron-(\d+)/.exec(r.stdout)![1]);
  const plain = create(inst, ['interval', '-c1', '0.01s', 'echo', '"[$T1050_VAR]"']);
  await waitKey(inst, id, 'task.1.state', 'Exited');
  await waitKey(inst, plain, 'task.1.state', 'Exited');
  const log = inst.flux(['dmesg']).stdout;
  assert.match(log, new RegExp(`cron-${id}\\[echo\\]: rank=0: command="echo "\\$T1050_VAR" "\\$\\(pwd\\)"": "from-caller /tmp"`));
  assert.match(log, new RegExp(`cron-${plain}\\[echo\\]: .*: "\\[\\]"`));
  const ev = create(inst, ['event', '-N', 'evname', '-a', '2', '-c', '2', '-i', '0.3s', 't1050.multi', 'true']);
  assert.equal([key(inst, ev, 'name'), key(inst, ev, 'typedata.after'), key(inst, ev, 'typedata.min_interval'), key(inst, ev, 'repeat')], ['evname', '2', '0.3', '2']);
  inst.flux(['event', 'pub', 't1050.multi']);
  await waitKey(inst, ev, 'typedata.counter', '1');
  assert.is(key(inst, ev, 'stats.count'), '0');
  inst.flux(['event', 'pub', 't1050.multi']);
  await waitKey(inst, ev, 'stats.count', '1');
  const first = Number(key(inst, ev, 'stats.lastrun'));
  inst.flux(['event', 'pub', 't1050.multi']);
  await waitKey(inst, ev, 'stats.count', '2');
  assert.ok(Number(key(inst, ev, 'stats.lastrun')) - first >= 0.29, 'the third event ran no sooner than --min-interval after the second');
  await waitKey(inst, ev, 'stopped', 'true');
  for (const x of [id, plain, ev]) inst.flux(['cron', 'delete', String(x)]);
});

test('stop, start, delete: their lines; a deleted entry is gone', async () => {
  const id = create(inst, ['interval', '--name=ticker', '0.1s', 'true']);
  await waitUntil(() => Number(key(inst, id, 'stats.count')) >= 1, { what: 'a first run' });
  let r = inst.flux(['cron', 'stop', String(id)]);
  assert.equal([r.code, r.stdout, r.stderr], [0, `Stopped cron-${id}\n`, '']);
  assert.is(key(inst, id, 'stopped'), 'true');
  r = inst.flux(['cron', 'stop', String(id)]);
  assert.equal([r.code, r.stderr], [1, `flux-cron stop: cron-${id}: entry is already stopped\n`]);
  r = inst.flux(['cron', 'start', String(id)]);
  assert.equal([r.code, r.stdout, r.stderr], [0, `Started cron-${id}\n`, '']);
  assert.is(key(inst, id, 'stopped'), 'false');
  await waitUntil(() => Number(key(inst, id, 'stats.total')) >= 2, { what: 'a run after start' });
  await waitKey(inst, id, 'task.1.state', 'Exited');
  r = inst.flux(['cron', 'delete', String(id)]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^Removed cron-${id}: ticker( last ran .* ago for [0-9.]+m?s| still running\\. Started .*)\\n$`));
  r = inst.flux(['cron', 'dump', String(id)]);
  assert.equal([r.code, r.stdout, r.stderr], [1, '', `flux-cron dump: cron-${id}: No such cron entry found\n`]);
  assert.not.match(inst.flux(['cron', 'list']).stdout, new RegExp(`^ +${id} `, 'm'));
});

test('delete leaves a running task; delete --kill ends it and the entry goes', async () => {
  const id = create(inst, ['interval', '--after=0.05s', '0', 'sleep', '100']);
  const pid = await waitRunning(inst, id);
  assert.ok(pid > 0 && processAlive(pid), `pid ${pid}`);
  let r = inst.flux(['cron', 'delete', String(id)]);
  assert.match(r.stdout, new RegExp(`^Removed cron-${id}: sleep still running\\. Started .*ago\\n$`));
  assert.is(key(inst, id, 'task.1.state'), 'Running');
  r = inst.flux(['cron', 'delete', '--kill', String(id)]);
  assert.is(r.code, 0, r.stderr);
  await until(() => inst.flux(['cron', 'dump', String(id)]).code === 1, `cron-${id} gone`);
  await until(() => !processAlive(pid), `pid ${pid} killed`);
  assert.match(inst.flux(['dmesg']).stdout, new RegExp(`cron\\.err\\[0\\]: cron-${id}: "sleep 100": Failed: Terminated`));
});

test('-o timeout: a task that runs longer is ended (state Timeout); -o stop-on-failure stops the entry', async () => {
  const id = create(inst, ['event', '-o', 'timeout=0.2', 't1050.to', 'sleep', '60']);
  inst.flux(['event', 'pub', 't1050.to']);
  await waitKey(inst, id, 'task.1.state', 'Timeout');
  assert.is(key(inst, id, 'stats.failure'), '1');
  const f = create(inst, ['event', '-o', 'stop-on-failure=2', 't1050.fail', 'false']);
  inst.flux(['event', 'pub', 't1050.fail']);
  await waitKey(inst, f, 'stats.failure', '1');
  assert.is(key(inst, f, 'stopped'), 'false');
  inst.flux(['event', 'pub', 't1050.fail']);
  await waitKey(inst, f, 'stats.failure', '2');
  await waitKey(inst, f, 'stopped', 'true');
  assert.match(inst.flux(['dmesg']).stdout, new RegExp(`cron-${f}: exceeded failure limit of 2\\. stopping`));
  for (const x of [id, f]) inst.flux(['cron', 'delete', String(x)]);
});

test('tab: crontab lines (month 0-11, names) become datetime entries; a bad line creates nothing', () => {
  let r = inst.flux(['cron', 'tab'], { input: '# a comment\n\n15 * * * * flux event pub t1050.cron # trailing\n0 0 30 Dec * true\n' });
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.is(lines.length, 2, r.stdout);
  for (const l of lines) assert.match(l, /^tab: cron-\d+ created: scheduled in \d+\.\d{3}s at \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/);
  const [a, b] = lines.map((l) => Number(/cron-(\d+)/.exec(l)![1]));
  assert.is(key(inst, a!, 'type'), 'datetime');
  assert.is(key(inst, a!, 'typedata.minute'), '15');
  assert.is(key(inst, a!, 'typedata.hour'), '0-23');
  assert.is(key(inst, a!, 'command'), 'flux event pub t1050.cron');
  assert.is(key(inst, b!, 'typedata.month'), '11');
  assert.is(new Date(Number(key(inst, a!, 'typedata.next_wakeup')) * 1000).getMinutes(), 15);
  const before = inst.flux(['cron', 'list']).stdout;
  r = inst.flux(['cron', 'tab'], { input: '0 0 * * * true\n0 0 * 12 * true\n' });
  assert.equal([r.code, r.stdout, r.stderr], [1, '', 'flux-cron tab: line 2: month: 12 is out of range 0-11: 0 0 * 12 * true\n']);
  r = inst.flux(['cron', 'tab'], { input: '* * * true\n' });
  assert.equal([r.code, r.stderr], [1, 'flux-cron tab: line 1: expected 5 time fields and a command: * * * true\n']);
  assert.is(inst.flux(['cron', 'list']).stdout, before);
  for (const x of [a!, b!]) inst.flux(['cron', 'delete', String(x)]);
});

test('at: a date(1) string; a bad or past one is refused', () => {
  const id = create(inst, ['at', '+1 hour', 'true']);
  assert.is(key(inst, id, 'repeat'), '1');
  const next = Number(key(inst, id, 'typedata.next_wakeup'));
  assert.ok(Math.abs(next - (Date.now() / 1000 + 3600)) < 30, String(next));
  inst.flux(['cron', 'delete', String(id)]);
  let r = inst.flux(['cron', 'at', 'not a date', 'true']);
  assert.equal([r.code, r.stdout], [1, '']);
  assert.match(r.stderr, /^flux-cron at: Failed to parse datetime 'not a date' \(give a date\(1\) string: .*\)\n$/);
  r = inst.flux(['cron', 'at', '2001-01-01 00:00', 'true']);
  assert.equal([r.code, r.stderr], [1, "flux-cron at: '2001-01-01 00:00' is in the past\n"]);
});

test('bad input: one line and exit 1', () => {
  const cases: Array<[string[], string]> = [
    [['interval', '1x', 'true'], "flux-cron interval: Invalid duration '1x'\n"],
    [['interval', '-a', 'soon', '1s', 'true'], "flux-cron interval: Invalid duration 'soon'\n"],
    [['interval', '1s'], 'flux-cron interval: INTERVAL and COMMAND required\n'],
    [['interval', '-c', 'x', '1s', 'true'], 'flux-cron interval: --count=x: must be an integer >= 0\n'],
    [['interval', '-o', 'bogus=1', '1s', 'true'], "flux-cron interval: unknown option 'bogus' (valid: rank, stop-on-failure, task-history-count, timeout)\n"],
    [['interval', '-o', 'rank=x', '1s', 'true'], 'flux-cron interval: -o rank=x: rank must be an integer >= 0\n'],
    [['interval', '-o', 'timeout', '1s', 'true'], 'flux-cron interval: -o timeout: expected KEY=VALUE\n'],
    [['event', 't1050.x'], 'flux-cron event: TOPIC and COMMAND args are required\n'],
    [['event', '-i', 'x', 't1050.x', 'true'], "flux-cron event: Invalid duration 'x'\n"],
    [['stop', '4242'], 'flux-cron stop: cron-4242: No such cron entry found\n'],
    [['start', '4242'], 'flux-cron start: cron-4242: No such cron entry found\n'],
    [['delete', '4242'], 'flux-cron delete: cron-4242: No such cron entry found\n'],
    [['dump', '4242'], 'flux-cron dump: cron-4242: No such cron entry found\n'],
    [['stop', 'abc'], "flux-cron stop: invalid cron entry id 'abc'\n"],
    [['sync', '-e', 'x'], "flux-cron sync: Invalid duration 'x'\n"],
  ];
  for (const [args, err] of cases) {
    const r = inst.flux(['cron', ...args]);
    assert.equal([r.code, r.stdout, r.stderr], [1, '', err], args.join(' '));
  }
  const id = create(inst, ['interval', '1h', 'true']);
  const r = inst.flux(['cron', 'dump', '--key=no.such', String(id)]);
  assert.equal([r.code, r.stderr], [1, `flux-cron dump: cron-${id}: no key no.such (flux cron dump ${id} lists them)\n`]);
  inst.flux(['cron', 'delete', String(id)]);
  const u = inst.flux(['cron', 'nosuch']);
  assert.is(u.code, 1);
  assert.match(u.stderr, /^flux-cron: Unknown subcommand: nosuch\n/);
});

test('sync: tasks wait for the sync event; --disable, --epsilon', async () => {
  let r = inst.flux(['cron', 'sync', '--epsilon=0s', 't1050.sync']);
  assert.equal([r.code, r.stdout], [0, 'sync: sync to event "t1050.sync" epsilon=0.000s.\n']);
  const id = create(inst, ['event', 't1050.ev', 'true']);
  inst.flux(['event', 'pub', 't1050.ev']);
  await waitKey(inst, id, 'task.1.state', 'Deferred');
  assert.is(key(inst, id, 'stats.deferred'), '1');
  inst.flux(['event', 'pub', 't1050.sync']);
  await waitKey(inst, id, 'task.1.state', 'Exited');
  r = inst.flux(['cron', 'sync', '--disable']);
  assert.equal([r.code, r.stdout], [0, 'sync: sync disabled.\n']);
  assert.is(inst.flux(['cron', 'sync']).stdout, 'sync: sync disabled.\n');
  inst.flux(['cron', 'delete', String(id)]);
});

test('module remove ends running tasks and timers; load takes sync= and sync_epsilon=, refuses other arguments', async () => {
  const id = create(inst, ['interval', '--after=0.01s', '0', 'sleep', '100']);
  create(inst, ['interval', '0.05s', 'true']);
  const pid = await waitRunning(inst, id);
  let r = inst.flux(['module', 'remove', 'cron'], { timeoutMs: 20_000 });
  assert.equal([r.code, r.stderr], [0, '']);
  await until(() => !processAlive(pid), `pid ${pid} killed at unload`);
  r = inst.flux(['module', 'load', 'cron', 'bogus=1']);
  assert.equal([r.code, r.stderr], [1, "flux-module: load cron: unknown option 'bogus' (cron takes sync=TOPIC and sync_epsilon=DURATION)\n"]);
  r = inst.flux(['module', 'load', 'cron', 'sync=t1050.tick', 'sync_epsilon=0.5s']);
  assert.equal([r.code, r.stderr], [0, '']);
  assert.is(inst.flux(['cron', 'sync']).stdout, 'sync: sync to event "t1050.tick" epsilon=0.500s.\n');
  assert.match(inst.flux(['dmesg']).stdout, /cron\.info\[0\]: synchronizing cron tasks to event t1050\.tick\n/);
  // a fresh module: no entries, ids from 1 again
  assert.is(inst.flux(['cron', 'list']).stdout.trimEnd().split('\n').length, 1);
  assert.is(inst.flux(['cron', 'sync', '-d']).code, 0);
});

test('-o rank=1 runs on rank 1 of a size-2 instance; an unreachable rank is a Rexec Failure; tasks end with the instance', async () => {
  const two = await startInstance(['--test-size=2']);
  let pid = 0;
  try {
    const id = create(two, ['interval', '-c1', '-o', 'rank=1', '0.01s', 'flux', 'getattr', 'rank']);
    await waitKey(two, id, 'stopped', 'true');
    await waitKey(two, id, 'task.1.state', 'Exited');
    assert.is(key(two, id, 'rank'), '1');
    assert.is(key(two, id, 'task.1.rank'), '1');
    await until(() => two.flux(['dmesg']).stdout.includes(`cron-${id}[flux]: rank=1: command="flux getattr rank": "1"`), 'the output of rank 1 in the log');
    const bad = create(two, ['interval', '-c1', '-o', 'rank=99', '0.01s', 'hostname']);
    await waitKey(two, bad, 'task.1.state', 'Rexec Failure');
    assert.is(key(two, bad, 'task.1.rexec_errno'), '113');
    assert.is(key(two, bad, 'stats.failure'), '1');
    const long = create(two, ['interval', '-o', 'rank=1', '--after=0.01s', '0', 'sleep', '100']);
    pid = await waitRunning(two, long);
    assert.ok(pid > 0 && processAlive(pid));
  } finally {
    assert.is(await two.stop(), 0);
  }
  await until(() => !processAlive(pid), `cron task ${pid} ended with its instance`);
});

test('[heartbeat] timeout and warn_thresh: a follower without pulses warns, then drops its parent and leaves', async () => {
  const t = tmpdir();
  const conf = path.join(t.dir, 'hb.toml');
  fs.writeFileSync(conf, '[heartbeat]\nperiod = "0.2s"\nwarn_thresh = 2\ntimeout = "3s"\n');
  const two = await startInstance([`-o,--config-path=${conf}`, '--test-size=2']);
  try {
    // the follower counts the pulses it receives
    await until(() => JSON.parse(two.flux(['exec', '-r', '1', 'flux', 'module', 'stats', 'heartbeat']).stdout || '{}').count >= 2, 'rank 1 to see two pulses');
    // rank 0 pulses once at load, then not for an hour
    const r = two.flux(['module', 'reload', 'heartbeat', 'period=1h']);
    assert.equal([r.code, r.stderr], [0, '']);
    await until(() => /heartbeat\.warning\[1\]: heartbeat overdue: none for [\d.]+s \(2 periods of 0\.2s\)/.test(two.flux(['exec', '-r', '1', 'flux', 'dmesg']).stdout), 'the warning on rank 1');
    await until(() => /\n└─ 1 \S+: lost/.test(two.flux(['overlay', 'status']).stdout), 'rank 1 lost', 30_000);
    assert.match(two.flux(['dmesg']).stdout, /heartbeat\.err\[1\]: no heartbeat for [\d.]+s \(heartbeat\.timeout 3s\): disconnecting from the parent/);
    // the instance goes on without it
    const job = two.flux(['run', '-n1', 'echo', 'still']);
    assert.equal([job.code, job.stdout], [0, 'still\n']);
  } finally {
    assert.is(await two.stop(), 1);
    assert.match(two.stderr(), /flux-start: 1 \(pid \d+\) exited with rc=1/);
    t.cleanup();
  }
  // bad values: one line each
  for (const [text, line] of [
    ['timeout = 5', 'heartbeat.timeout: must be a duration (FSD) such as "5m", got 5'],
    ['timeout = "soon"', "heartbeat.timeout: invalid duration 'soon' (0 or infinity: never)"],
    ['warn_thresh = 0', 'heartbeat.warn_thresh: must be an integer >= 1, got 0'],
  ]) {
    const bad = flux(['start', `-o,--conf=heartbeat.${text.replace(/ /g, '')}`, 'true'], { timeoutMs: 60_000 });
    assert.is(bad.code, 1, bad.stderr);
    assert.ok(bad.stderr.includes(line!), bad.stderr);
  }
});

test.run();
