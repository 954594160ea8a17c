/**
 * Config values Flux sites write, as Flux reads them: a policy limit of
 * duration "0" or size -1 is no limit, and in a queue's table it lifts the
 * general limit for that queue (flux queue list shows it); a prolog's
 * kill-timeout as a number of seconds, its timeout "infinity"; [exec]
 * term-signal, kill-signal and kill-timeout: how a canceled job is ended,
 * max-kill-count and max-kill-timeout: when an unkillable one's node drains;
 * [resource] verify per type (GPUs not checked by default, as Flux);
 * [tbon] interface-hint shown and passed on to the instances jobs start.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { flux, startInstance, tmpdir, type Instance } from '../helpers/flux';

const tmp = tmpdir('flux-t1143-');
let inst: Instance;

/** a new instance of `size` brokers with the config TOML, running `sh -c script` */
function startWith(toml: string, script: string, size = 1): ReturnType<typeof flux> {
  const f = path.join(tmp.dir, `c${Math.random().toString(36).slice(2)}.toml`);
  fs.writeFileSync(f, toml);
  return flux(['start', `--test-size=${size}`, `-o,--config-path=${f}`, 'sh', '-c', script], { timeoutMs: 60_000 });
}

test.before(async () => {
  const conf = path.join(tmp.dir, 'site.toml');
  fs.writeFileSync(
    conf,
    [
      '[policy.limits]',
      'duration = "1h"',
      'job-size.max.ncores = 1',
      '[queues.small]',
      '[queues.big.policy.limits]',
      'duration = "0"',
      'job-size.max.ncores = -1',
      '[[job-manager.plugins]]',
      'load = "perilog.so"',
      '[job-manager.prolog]',
      'command = ["true"]',
      'kill-timeout = 5',
      'timeout = "infinity"',
      '[exec]',
      'term-signal = "SIGUSR1"',
      'kill-timeout = "0.5s"',
      'kill-signal = "SIGINT"',
      '',
    ].join('\n'),
  );
  inst = await startInstance(['--test-size=1', `-o,--config-path=${conf}`]);
  inst.flux(['queue', 'start', '--all']);
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
  tmp.cleanup();
});

test('the general limits hold where a queue does not lift them', () => {
  let r = inst.flux(['run', '-q', 'small', '-t', '10m', '-n2', 'true']);
  assert.equal([r.code, r.stderr], [1, 'flux-run: ERROR: requested ncores (2) exceeds policy limit of 1 for queue small\n']);
  r = inst.flux(['run', '-q', 'small', '-t', '2h', 'true']);
  assert.equal([r.code, r.stderr], [1, 'flux-run: ERROR: requested duration (2h) exceeds policy limit of 1h for queue small\n']);
});

test('a queue\'s duration "0" and size -1 lift them: any duration, no limit, all the cores', () => {
  for (const args of [['-n2', '-t', '5h'], [], ['-n2']]) {
    const r = inst.flux(['run', '-q', 'big', ...args, 'true']);
    assert.equal([r.code, r.stderr], [0, ''], args.join(' '));
  }
  // the policy's range, and the effective one (what the queue has)
  const rows = inst.flux(['queue', 'list', '-no', '{queue} {limits.timelimit!F} {limits.range.ncores} {limits.range.effective.ncores}']).stdout;
  assert.is(rows, 'small 1h 0-1 0-1\nbig inf 0-inf 0-2\n');
});

test('named queues: a bare start or stop is refused (say which, or --all); list -q; drain/idle -t', () => {
  let r = inst.flux(['queue', 'stop']);
  assert.equal([r.code, r.stderr], [1, 'flux-queue: ERROR: Named queues are defined. Specify queues or use --all.\n']);
  r = inst.flux(['queue', 'stop', 'small']);
  assert.equal([r.code, r.stdout], [0, 'small: Scheduling is stopped\n'], r.stderr);
  r = inst.flux(['queue', 'start', '--all']);
  assert.equal([r.code, r.stdout], [0, 'big: Scheduling is started\nsmall: Scheduling is started\n'], r.stderr);
  assert.is(inst.flux(['queue', 'list', '-q', 'big', '-no', '{queue}']).stdout, 'big\n');
  r = inst.flux(['queue', 'list', '-q', 'nosuch']);
  assert.equal([r.code, r.stderr], [1, "flux-queue: ERROR: list: 'nosuch' is not a valid queue\n"]);
  r = inst.flux(['queue', 'idle', '-t', '30s']);
  assert.equal([r.code, r.stdout], [0, '0 jobs\n'], r.stderr);
  assert.is(inst.flux(['queue', 'drain', '-t', '30s']).code, 0);
});

test('a prolog kill-timeout in seconds and a timeout of "infinity" are taken as Flux takes them', () => {
  assert.is(inst.flux(['config', 'get', 'job-manager.prolog.kill-timeout']).stdout, '5\n');
  const r = inst.flux(['run', '-q', 'big', 'true']);
  assert.equal([r.code, r.stderr], [0, '']);
});

test('[exec] term-signal, kill-signal and kill-timeout: a canceled job gets SIGUSR1, then SIGINT', async () => {
  const id = inst.flux(['submit', '-q', 'big', 'sh', '-c', 'trap "echo got USR1" USR1; echo ready; while :; do sleep 0.1; done']).stdout.trim();
  assert.is(inst.flux(['job', 'wait-event', '-p', 'output', id, 'data']).code, 0);
  assert.is(inst.flux(['cancel', id]).code, 0);
  const r = inst.flux(['job', 'attach', id]);
  // the trap ran (SIGUSR1, not SIGTERM), and the shell that ignored it ended by SIGINT (130), not SIGKILL
  assert.is(r.code, 130, r.stderr);
  assert.match(r.stdout, /^ready\n(got USR1\n)+$/);
  assert.match(r.stderr, /task\(s\) Interrupt/);
});

test('[exec] barrier-timeout: a job whose shells do not all start fails, and the hung rank is drained', () => {
  // rank 1's broker is stopped: its shell cannot start until it is continued
  const script = [
    'p1=$(flux exec -r 1 flux getattr broker.pid)',
    'kill -STOP $p1',
    'flux run -N2 true; echo rc=$?',
    'kill -CONT $p1',
    'flux resource drain -no "{ranks} {reason}"',
    'flux resource undrain 1',
    'flux run -N2 -l flux getattr rank | sort',
  ].join('; ');
  const r = startWith('[exec]\nbarrier-timeout = "1s"\n', script, 2);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /job\.exception \S+ type=exec severity=0 start barrier timeout waiting for 1\/2 nodes \(rank 1\)\n/);
  assert.match(r.stdout, /^rc=1\n1 job \S+ start barrier timeout\n0: 0\n1: 1\n$/);
});

test('[exec] max-start-delay-percent: a start delayed by a prolog extends the time limit (default 25%)', () => {
  const run = (pct?: number) => {
    const exec = pct === undefined ? '' : `[exec]\nmax-start-delay-percent = ${pct}\n`;
    // 3 s asked, 2 s of them spent in the prolog: sleep 2.5 fits only if the limit moved
    return startWith(`[job-manager]\nplugins = [ { load = "perilog.so" } ]\n[job-manager.prolog]\ncommand = [ "sleep", "2" ]\n${exec}`, 'flux run -t 3s sleep 2.5; echo rc=$?');
  };
  assert.is(run().stdout, 'rc=0\n');
  // flux update moves the limit and keeps the extension: 2 s of prolog, then 4.5 s in a limit updated to 5 s
  const toml = '[job-manager]\nplugins = [ { load = "perilog.so" } ]\n[job-manager.prolog]\ncommand = [ "sleep", "2" ]\n';
  const upd = startWith(toml, 'id=$(flux submit -t 3s sleep 4.5); flux job wait-event $id start >/dev/null; flux update $id duration=5s >/dev/null; flux job attach $id; echo rc=$?');
  assert.is(upd.stdout, 'rc=0\n', upd.stderr);
  const strict = run(100);
  assert.is(strict.stdout, 'rc=142\n');
  assert.match(strict.stderr, /type=timeout severity=0 resource allocation expired/);
});

test('flux module stats job-exec: the termination settings in effect, as Flux reports them', () => {
  const s = JSON.parse(inst.flux(['module', 'stats', 'job-exec']).stdout);
  // kill-timeout 0.5s, 8 kill-signals: 5 x 0.5, then 0.5 + 1 + 2 + 4 + 8 + 16 + 32
  assert.equal(s, { 'kill-timeout': 0.5, 'term-signal': 'SIGUSR1', 'kill-signal': 'SIGINT', 'max-kill-count': 8, 'max-kill-timeout': -1, 'effective-max-kill-timeout': 66, jobs: {} });
});

test('[exec] max-kill-count and max-kill-timeout: a job that outlives its kill-signals has its node drained', () => {
  // SIGURG is ignored by default: to a task, these kill-signals are no kill
  const run = (limit: string) => {
    const script = [
      'id=$(flux submit --wait-event=start sleep 300)',
      'flux cancel $id',
      // wait for the drain, then end the job for good
      'until flux resource drain -no "{reason}" | grep -q unkillable; do sleep 0.1; done',
      'flux resource drain -no "{ranks} {reason}"',
      'test "$(flux resource drain -no "{reason}")" = "unkillable user processes for job $(flux job id --to=f58 $id)" && echo reason-ok',
      'flux job kill -s KILL $id; flux job wait-event $id clean >/dev/null',
      'flux dmesg | grep -c "job-manager.err.*unkillable user processes"',
    ].join('; ');
    return startWith(`[exec]\nterm-signal = "SIGURG"\nkill-signal = "SIGURG"\nkill-timeout = "0.1s"\n${limit}\n`, script);
  };
  for (const limit of ['max-kill-count = 3', 'max-kill-count = 1000\nmax-kill-timeout = "1s"']) {
    const r = run(limit);
    assert.equal([r.code, r.stdout], [0, `0 unkillable user processes for job ${r.stdout.split(' job ')[1]?.split('\n')[0]}\nreason-ok\n1\n`], `${limit}: ${r.stderr}`);
  }
  const bad = path.join(tmp.dir, 'badcount.toml');
  fs.writeFileSync(bad, '[exec]\nmax-kill-count = 0\n');
  const r = flux(['start', '--test-size=1', `-o,--config-path=${bad}`, 'true'], { timeoutMs: 60_000 });
  assert.is(r.code, 1);
  assert.match(r.stderr, 'exec.max-kill-count');
});

test('flux queue list without [queues]: the effective ranges are the instance\'s resources (no limit set), the policy\'s inf', () => {
  const r = flux(['start', '--test-size=2', 'flux', 'queue', 'list', '-no', '{limits.range.effective.nnodes} {limits.range.effective.ncores} {limits.range.effective.ngpus} {limits.timelimit!F} {limits.range.ncores}'], { timeoutMs: 60_000 });
  const cores = Number(flux(['start', '--test-size=1', 'flux', 'resource', 'list', '-no', '{ncores}'], { timeoutMs: 60_000 }).stdout.trim().split('\n')[0]);
  assert.equal([r.code, r.stdout], [0, `0-2 0-${2 * cores} 0-0 inf 0-inf\n`], r.stderr);
});

test('[resource] verify: GPUs unchecked by default, per-type modes, extra resources, a bad mode refused', () => {
  const drained = (verify: string, cores: string, gpus?: string) => {
    const f = path.join(tmp.dir, 'verify.toml');
    fs.writeFileSync(f, `[resource]\n${verify}\n[[resource.config]]\nhosts = "${os.hostname()}"\ncores = "${cores}"\n${gpus ? `gpus = "${gpus}"\n` : ''}`);
    return flux(['start', '--test-size=1', `-o,--config-path=${f}`, 'flux', 'resource', 'drain', '-no', '{reason}'], { timeoutMs: 60_000 });
  };
  // a described GPU the node lacks: ignored without verify (Flux's gpu="ignore"), drained when gpu is strict
  assert.is(drained('', '0', '0').stdout, '');
  assert.match(drained('verify = { gpu = "strict", core = "allow-extra" }', '0', '0').stdout, /^rank 0 \(\S+\) missing resources: gpu0\n$/);
  // fewer cores described than the node has: fine by default (allow-extra), drained when strict
  assert.is(drained('', '0').stdout, '');
  assert.match(drained('verify = { core = "strict" }', '0').stdout, /^rank 0 \(\S+\) has extra resources: core(\d|\[1-\d+\])\n$/);
  assert.is(drained('verify = false', '0-99').stdout, '');
  const r = drained('verify = { core = "sloppy" }', '0');
  assert.is(r.code, 1);
  assert.match(r.stderr, 'resource.verify: core: "sloppy" is not one of strict, allow-extra, allow-missing, ignore');
});

test('[tbon] interface-hint: the attribute says it, and an instance a job starts inherits it', () => {
  const script = 'flux getattr tbon.interface-hint; flux alloc -N1 flux getattr tbon.interface-hint; flux alloc -N1 --broker-opts=-Stbon.interface-hint=lo flux getattr tbon.interface-hint';
  const r = startWith('[tbon]\ninterface-hint = "hostname"\n', script);
  assert.equal([r.code, r.stdout], [0, 'hostname\nhostname\nlo\n'], r.stderr);
});

test('a term-signal that is no signal stops the instance with one line', () => {
  const bad = path.join(tmp.dir, 'bad.toml');
  fs.writeFileSync(bad, '[exec]\nterm-signal = "SIGNOPE"\n');
  const r = flux(['start', '--test-size=1', `-o,--config-path=${bad}`, 'true'], { timeoutMs: 60_000 });
  assert.is(r.code, 1);
  assert.match(r.stderr, `exec.term-signal: "SIGNOPE" is not a signal (e.g. "SIGTERM" or 15)`);
});

test.run();
