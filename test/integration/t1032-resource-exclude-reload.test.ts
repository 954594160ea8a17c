/**
 * `[resource] exclude` (flux-config-resource(5)): ranks outside the instance
 * are refused at start in one line, as unknown hosts are; flux config
 * load/reload applies a new exclude at once (a newly excluded rank leaves the
 * scheduler's pool while the job running on it continues; a rank no longer
 * excluded is used again) and refuses a bad one in one line, keeping the old.
 * As Flux, a node is never both excluded and drained: excluding a drained node
 * (by reload, or at a restart on the statedir) undrains it, with an undrain
 * event, and an excluded node cannot be drained (even with --force).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntilSync } from '../helpers/wait';

const tmp = tmpdir('flux-t1032-');
const started: Instance[] = [];
test.after(() => {
  for (const i of started) i.kill();
  tmp.cleanup();
});

function file(name: string, text: string): string {
  const f = path.join(tmp.dir, name);
  fs.writeFileSync(f, text);
  return f;
}

test('exclude naming a rank the instance does not have: refused at start, in one line', () => {
  const r = flux(['start', '-c', file('beyond.toml', '[resource]\nexclude = "5"\n'), 'true'], { timeoutMs: 60_000 });
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /resource\.exclude: 5: not a rank of the instance \(ranks 0\)\n/);
  const ok = flux(['start', '-c', file('zero.toml', '[resource]\nexclude = "0"\n'), 'flux', 'resource', 'status', '-s', 'exclude', '-no', '{ranks}'], { timeoutMs: 60_000 });
  assert.is(ok.code, 0, ok.stderr);
  assert.is(ok.stdout, '0\n');
});

test('flux config load: a new exclude applies at once; a bad one is refused and the old kept', async () => {
  const inst = await startInstance(['--test-size=2', '-c', file('none.toml', '[resource]\n')]);
  started.push(inst);
  const ok = (args: string[]) => {
    const r = inst.flux(args);
    assert.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const excluded = () => ok(['resource', 'status', '-s', 'exclude', '-no', '{ranks}']).trim();
  const load = (toml: string) => inst.flux(['config', 'load'], { input: toml });
  const state = (id: string) => ok(['jobs', '-n', '-o', '{state}', id]).trim();

  const running = ok(['submit', '--requires=rank:1', 'sleep', '300']).trim();
  ok(['job', 'wait-event', '-t', '30', running, 'start']);
  let r = load('[resource]\nexclude = "1"\n');
  assert.is(r.code, 0, r.stderr);
  assert.is(excluded(), '1');
  assert.is(ok(['config', 'get', 'resource.exclude']), '1\n');
  // the job on rank 1 keeps running; a job that needs both ranks waits
  const both = ok(['submit', '-N2', 'true']).trim();
  assert.is(state(running), 'RUN');
  assert.is(state(both), 'SCHED');

  for (const [bad, line] of [
    ['5', 'flux-config: resource.exclude: 5: not a rank of the instance (ranks 0-1)\n'],
    ['nosuchhost', 'flux-config: resource.exclude: nosuchhost: not a host of the instance\n'],
  ]) {
    r = load(`[resource]\nexclude = "${bad}"\n`);
    assert.is(r.code, 1, bad);
    assert.is(r.stderr, line);
    assert.is(excluded(), '1', 'the old exclude is kept');
  }

  // no longer excluded: rank 1 is used again once free
  ok(['cancel', running]);
  r = load('[resource]\n');
  assert.is(r.code, 0, r.stderr);
  assert.is(excluded(), '');
  assert.is(inst.flux(['job', 'wait-event', '-t', '30', both, 'clean']).code, 0);
  assert.is(ok(['jobs', '-n', '-o', '{result}', both]).trim(), 'COMPLETED');
  waitUntilSync(() => (state(running) === 'INACTIVE' ? true : undefined), { what: 'the cancelled job to end' });
  assert.is(await inst.stop(), 0);
});

test('excluded and drained: excluding undrains (reload and restart), draining an excluded rank is refused', async () => {
  const state = path.join(tmp.dir, 'state');
  fs.mkdirSync(state);
  const conf = file('drainex.toml', '[resource]\n');
  const inst = await startInstance(['--test-size=3', `-Sstatedir=${state}`, '-c', conf]);
  started.push(inst);
  const ok = (args: string[]) => {
    const r = inst.flux(args);
    assert.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  ok(['resource', 'drain', '1', 'bad', 'disk']);
  ok(['resource', 'drain', '2', 'bad', 'fan']);
  fs.writeFileSync(conf, '[resource]\nexclude = "1"\n');
  ok(['config', 'reload']);
  // rank 1 is excluded only, not counted as drained too
  assert.is(ok(['resource', 'status', '-no', '{state} {ranks}']), 'avail 0\nexclude 1\ndrained 2\n');
  assert.is(ok(['resource', 'drain', '-no', '{ranks} {reason}']), '2 bad fan\n');
  assert.match(ok(['resource', 'eventlog']), /\d+\.\d+ undrain idset="1" nodelist="[^"]+"\n$/);
  for (const [args, code, err] of [
    [['1', 'x'], 1, 'flux-resource: ERROR: [Errno 22] rank 1 excluded\n'],
    [['-f', '1', 'x'], 1, 'flux-resource: ERROR: [Errno 22] rank 1 excluded\n'],
    [['1-2', 'x'], 1, 'flux-resource: ERROR: [Errno 17] ranks 1-2 already drained or excluded\nflux-resource: INFO: Use --force to overwrite existing drain reason\n'],
  ] as Array<[string[], number, string]>) {
    const r = inst.flux(['resource', 'drain', ...args]);
    assert.equal([r.code, r.stderr], [code, err], args.join(' '));
  }
  assert.is(await inst.stop(), 0);
  // drained before the restart, excluded at it: undrained
  fs.writeFileSync(conf, '[resource]\nexclude = "2"\n');
  const again = flux(['start', '--test-size=3', `-Sstatedir=${state}`, '-c', conf, 'flux', 'resource', 'status', '-no', '{state} {ranks}'], { timeoutMs: 60_000 });
  assert.is(again.stdout, 'avail 0-1\nexclude 2\n', again.stderr);
  fs.writeFileSync(conf, '[resource]\n');
  const after = flux(['start', '--test-size=3', `-Sstatedir=${state}`, '-c', conf, 'flux', 'resource', 'status', '-no', '{state} {ranks}'], { timeoutMs: 60_000 });
  assert.is(after.stdout, 'avail 0-2\n', after.stderr);
  // a described rank that does not fit its node is drained, unless excluded
  const misfit = file('misfit.toml', '[resource]\nexclude = "1"\nconfig = [ { hosts = "n[0-1]", cores = "0-4095" } ]\n');
  const v = flux(['start', '--test-size=2', '--test-hosts=n[0-1]', '-c', misfit, 'flux', 'resource', 'status', '-no', '{state} {ranks}'], { timeoutMs: 60_000 });
  assert.is(v.stdout, 'exclude 1\ndrained 0\n', v.stderr);
  assert.match(v.stderr, /not draining excluded rank: rank 1 \(n1\) missing resources/);
});

test.run();
