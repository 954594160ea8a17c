/**
 * FLUX_DISABLE_JOB_CLEANUP (flux-broker(1) ENVIRONMENT): set in the broker's
 * environment, a clean exit skips the cleanup step that cancels the running
 * jobs. The job is left as running in the statedir (its tasks still end with
 * the brokers: nothing outlives the instance), so the next start finds it
 * running and ends it, as Flux does: F, one exception saying that the
 * instance restarted and cannot reattach, and `restart: 1 running jobs` in
 * the log.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'node:path';
import { run, startInstance, tmpdir, type Instance } from '../helpers/flux';

const lines = (s: string) => s.split('\n').filter((l) => l.length > 0);
const started: Instance[] = [];
const d = tmpdir('flux-t0808-');
const statedir = path.join(d.dir, 'state');
/** an argument no other job of this machine has: its processes are found by it */
const SECONDS = String(3000 + (process.pid % 997));

test.after(() => {
  for (const i of started) i.kill();
  d.cleanup();
});

async function start(env: NodeJS.ProcessEnv = {}): Promise<Instance> {
  const inst = await startInstance(['--test-size=2', `-Sstatedir=${statedir}`], { brokerEnv: env });
  started.push(inst);
  return inst;
}

test('with FLUX_DISABLE_JOB_CLEANUP a clean exit leaves the running job; the restart ends it with exception type=exec', async () => {
  const a = await start({ FLUX_DISABLE_JOB_CLEANUP: '1' });
  const running = a.flux(['submit', '-N2', 'sleep', SECONDS]).stdout.trim();
  assert.is(a.flux(['job', 'wait-event', '-t', '30', running, 'start']).code, 0);
  assert.is(await a.stop(), 0, a.stderr());
  // no cancel: not Flux's "cleanup.2: flux-cancel: Canceled 1 job" line
  assert.not.match(a.stderr(), /Canceled/, a.stderr());
  // the tasks did not outlive the brokers
  assert.is(run('pgrep', ['-f', `^sleep ${SECONDS}$`]).stdout, '');

  const b = await start();
  const st = b.flux(['jobs', '-a', '-n', '-o', '{id.f58} {status_abbrev} {exception.type}']).stdout;
  assert.is(st, `${running} F exec\n`);
  const ev = lines(b.flux(['job', 'eventlog', running]).stdout).map((l) => l.replace(/^\S+ /, ''));
  assert.equal(ev.slice(ev.indexOf('start') + 1), ['exception type="exec" severity=0 note="instance restarted: reattach to running job is not implemented"', 'release ranks="all" final=true', 'free', 'clean']);
  assert.match(b.flux(['dmesg']).stdout, /job-manager\.info\[0\]: restart: 1 running jobs\n/);
  // without the variable, this run's clean exit cancels as before
  const again = b.flux(['submit', 'sleep', SECONDS]).stdout.trim();
  assert.is(b.flux(['job', 'wait-event', '-t', '30', again, 'start']).code, 0);
  assert.is(await b.stop(), 0);
  assert.match(b.stderr(), /cleanup\.2: flux-cancel: Canceled 1 job \(0 errors\)/);
});

test.run();
