/**
 * Waitable jobs across a restart on the same statedir: one that became
 * inactive before the shutdown and was not reaped is still waitable after it
 * (`flux job wait ID` gives its status, `flux job wait -a` reports it), also
 * once its kvs directory was packed; one reaped before the shutdown (packed
 * or not) is not waitable again, nor after a second restart.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntilSync } from '../helpers/wait';

const started: Instance[] = [];
const dirs: Array<{ cleanup(): void }> = [];

async function start(statedir: string): Promise<Instance> {
  const inst = await startInstance(['--test-size=1', `-Sstatedir=${statedir}`]);
  started.push(inst);
  return inst;
}

test.after(() => {
  for (const i of started) i.kill();
  for (const d of dirs) d.cleanup();
});

const NOT_WAITABLE = 'flux-job: invalid job id, or job may be inactive and not waitable\n';

/** until n job directories are packed and none waits (flux module stats kvs) */
function allPacked(inst: Instance, n: number): void {
  waitUntilSync(
    () => {
      const s = (JSON.parse(inst.flux(['module', 'stats', 'kvs']).stdout) as { pack: { packed: number; hinted: number } }).pack;
      return s.packed >= n && s.hinted === 0 ? true : undefined;
    },
    { what: `${n} packed directories`, timeoutMs: 30_000 },
  );
}

test('an inactive waitable job not reaped before a restart is reaped after it; a reaped one is not waitable again', async () => {
  const d = tmpdir('flux-t0810-');
  dirs.push(d);
  const dir = path.join(d.dir, 'state');
  const a = await start(dir);
  const sub = (...args: string[]) => {
    const r = a.flux(['submit', '--flags=waitable', ...args]);
    assert.is(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  const fails = sub('sh', '-c', 'exit 3');
  const ok = sub('true');
  const held = sub('--urgency=hold', 'true');
  const reapedPacked = sub('true');
  const reapedEarly = sub('true');
  for (const id of [fails, ok, reapedPacked, reapedEarly]) assert.is(a.flux(['job', 'wait-event', '-t', '30', id, 'clean']).code, 0);
  // reaped at once (its directory not packed yet), and reaped once packed
  assert.is(a.flux(['job', 'wait', reapedEarly]).code, 0);
  allPacked(a, 4);
  assert.is(a.flux(['job', 'wait', reapedPacked]).code, 0);
  assert.is(await a.stop(), 0);

  const b = await start(dir);
  let r = b.flux(['job', 'wait', fails]);
  assert.is(r.code, 1, 'its exit status survived the restart');
  assert.match(r.stderr, /exit code 3/);
  for (const id of [reapedEarly, reapedPacked]) {
    r = b.flux(['job', 'wait', id]);
    assert.is(r.code, 2, `${id}: reaped before the restart`);
    assert.is(r.stderr, NOT_WAITABLE);
  }
  assert.is(b.flux(['job', 'urgency', held, '16']).code, 0);
  r = b.flux(['job', 'wait', held]);
  assert.is(r.code, 0, r.stderr);
  // flux job wait -a reports the one left, then there are none
  r = b.flux(['job', 'wait', '-a', '-v']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`${ok}: job completed successfully`));
  assert.is(await b.stop(), 0);

  // reaped after the restart: not waitable after the next one
  const c = await start(dir);
  for (const id of [fails, ok, held]) assert.is(c.flux(['job', 'wait', id]).stderr, NOT_WAITABLE);
  r = c.flux(['job', 'wait', '-a']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stderr, '');
  assert.is(await c.stop(), 0);
});

test.run();
