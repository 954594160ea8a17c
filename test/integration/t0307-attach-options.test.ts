/**
 * flux job attach's options beyond the basics: --tail[=NUM] (only the last
 * lines of what was already written), --show-status (a status line while the
 * job waits), -w/--wait-event (stop following the job eventlog after an
 * event), --debug refused in one line, SIGTERM on a pending job detaches
 * (flux run, which owns its job, cancels it); and flux resource list
 * --no-skip-empty over --skip-empty.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FLUX, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { until } from '../helpers/wait';

let inst: Instance;
let seq: string;
const tmp = tmpdir('flux-t0307-');

/** `flux ARGS` running, its output as it comes, and its end */
function running(args: string[]): { out: () => string; err: () => string; done: Promise<number | null>; kill: (s: NodeJS.Signals) => void } {
  const p = spawn(FLUX, args, { env: inst.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { out: () => out, err: () => err, done: new Promise((r) => p.on('close', (code) => r(code))), kill: (s) => void p.kill(s) };
}

test.before(async () => {
  inst = await startInstance();
  seq = inst.flux(['submit', '--wait', 'sh', '-c', 'seq 1 30; echo oops >&2']).stdout.trim();
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
  tmp.cleanup();
});

test('--tail prints the last 10 lines (stdout and stderr together) of a finished job', () => {
  const r = inst.flux(['job', 'attach', '--tail', seq]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, [22, 23, 24, 25, 26, 27, 28, 29, 30].map((n) => `${n}\n`).join(''));
  assert.is(r.stderr, 'oops\n');
});

test('--tail=NUM keeps NUM lines; without --tail everything is replayed', () => {
  const r = inst.flux(['job', 'attach', '--tail=2', seq]);
  assert.is(r.stdout, '30\n');
  assert.is(r.stderr, 'oops\n');
  const all = inst.flux(['job', 'attach', seq]);
  assert.is(all.stdout.split('\n').length - 1, 30);
  assert.is(inst.flux(['job', 'attach', '--tail=0', seq]).stdout, '');
});

test('--tail follows what a running job writes after the attach', async () => {
  const go = path.join(tmp.dir, 'go');
  const id = inst.flux(['submit', 'sh', '-c', `seq 1 50; while [ ! -e ${go} ]; do sleep 0.1; done; echo after`]).stdout.trim();
  assert.is(inst.flux(['job', 'wait-event', '-t', '20', id, 'start']).code, 0);
  // the 50 lines are written before the task waits for the file
  const a = running(['job', 'attach', '--tail=3', id]);
  // the tail shows at once, before the job writes anything more; then it follows
  await until(() => a.out() === '48\n49\n50\n', 'attach to print the last 3 lines');
  fs.writeFileSync(go, '');
  assert.is(await a.done, 0, a.err());
  assert.is(a.out(), '48\n49\n50\nafter\n');
});

test('--tail with a bad count is one line and exit 1', () => {
  const r = inst.flux(['job', 'attach', '--tail=x', seq]);
  assert.is(r.code, 1);
  assert.is(r.stderr, "flux-job: --tail: invalid value 'x'\n");
});

test('--show-status draws the phases of a waiting job on stderr and ends the line at start', async () => {
  const id = inst.flux(['submit', '--urgency=0', 'true']).stdout.trim();
  const a = running(['job', 'attach', '--show-status', id]);
  await until(() => a.err().includes('waiting for resources'), 'the status line');
  assert.is(inst.flux(['job', 'urgency', id, 'default']).code, 0);
  const r = { code: await a.done, stderr: a.err() };
  assert.is(r.code, 0, r.stderr);
  const f58 = inst.flux(['job', 'id', '--to=f58', id]).stdout.trim();
  assert.match(r.stderr, new RegExp(`\\rflux-job: ${f58} waiting for resources +00:00:0\\d\\r`));
  assert.match(r.stderr, new RegExp(`\\rflux-job: ${f58} started +00:00:0\\d\\r\\n$`));
});

test('-w start detaches from the job eventlog: the output still comes, the exit code is not the job\'s', () => {
  const id = inst.flux(['submit', 'sh', '-c', 'echo a; exit 3']).stdout.trim();
  const w = inst.flux(['job', 'attach', '-w', 'start', id]);
  assert.is(w.stdout, 'a\n');
  assert.is(w.code, 0, w.stderr);
  const full = inst.flux(['job', 'attach', id]);
  assert.is(full.stdout, 'a\n');
  assert.is(full.code, 3);
});

test('SIGTERM to attach on a pending job detaches (exit 143) and leaves it pending; flux run, its owner, cancels it', async () => {
  const id = inst.flux(['submit', '--urgency=hold', 'true']).stdout.trim();
  const f58 = inst.flux(['job', 'id', '--to=f58', id]).stdout.trim();
  // -E: the job's events show once attach watches the job (its signal handlers are in place)
  const a = running(['job', 'attach', '-E', id]);
  await until(() => a.err().includes('job.submit'), 'attach to follow the job');
  a.kill('SIGTERM');
  assert.is(await a.done, 143, a.err());
  assert.match(a.err(), new RegExp(`\\nflux-job: detached from pending job ${f58} \\(SIGTERM\\)\\n$`));
  assert.not.match(a.err(), /job\.exception/);
  assert.is(inst.flux(['jobs', '-n', '-o', '{state}', id]).stdout, 'SCHED\n');
  assert.is(inst.flux(['cancel', id]).code, 0);
  const r = running(['run', '-v', '--urgency=hold', 'true']);
  await until(() => r.err().includes('jobid: '), 'flux run to submit');
  const rid = /jobid: (\S+)/.exec(r.err())![1]!;
  // wait for flux run to follow its job too: it has the job's eventlog once the job is listed as SCHED
  await until(() => inst.flux(['jobs', '-n', '-o', '{state}', rid]).stdout === 'SCHED\n', 'the job to wait');
  r.kill('SIGTERM');
  assert.is(await r.done, 143, r.err());
  assert.match(r.err(), /type=cancel severity=0 interrupted by SIGTERM\n$/);
  assert.is(inst.flux(['jobs', '-n', '-o', '{result}', rid]).stdout, 'CANCELED\n');
});

test('--debug is refused in one line', () => {
  const r = inst.flux(['job', 'attach', '--debug', seq]);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-job: --debug: not supported by flux-ts yet (no parallel debugger interface)\n');
});

test('resource list: --no-skip-empty wins over --skip-empty', () => {
  const skip = inst.flux(['resource', 'list', '--skip-empty', '-no', '{state}']);
  assert.is(skip.stdout, 'free\n');
  const both = inst.flux(['resource', 'list', '--skip-empty', '--no-skip-empty', '-no', '{state}']);
  assert.is(both.stdout, 'free\nallocated\ndown\n');
});

test.run();
