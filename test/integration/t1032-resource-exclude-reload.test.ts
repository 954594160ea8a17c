/**
 * `[resource] exclude` (flux-config-resource(5)): ranks outside the instance
 * are refused at start in one line, as unknown hosts are; flux config
 * load/reload applies a new exclude at once (a newly excluded rank leaves the
 * scheduler's pool while the job running on it continues; a rank no longer
 * excluded is used again) and refuses a bad one in one line, keeping the old.
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

test.run();
