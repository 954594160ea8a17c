/**
 * Options that had no test of their effect (issue 11, test/unit/option-coverage):
 * each is used here through the real `flux` command and what it changes is
 * asserted — the job's environment and jobspec, the files it writes, the
 * output's shape, the exit code — or, where flux-ts cannot act on it, its
 * one-line refusal.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { FLUX, ROOT, flux, run, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

let inst: Instance | undefined;
const tmp = tmpdir('flux-t1040-');
const f = (args: readonly string[], env: NodeJS.ProcessEnv = {}) => inst!.flux(args, { cwd: tmp.dir, env });
const ok = (args: readonly string[], env: NodeJS.ProcessEnv = {}) => {
  const r = f(args, env);
  assert.is(r.code, 0, `flux ${args.join(' ')}: ${r.stderr}`);
  return r;
};
const jobspec = (args: readonly string[]) => JSON.parse(ok(['run', '--dry-run', ...args, 'true']).stdout) as {
  resources: unknown[];
  tasks: { count: Record<string, number> }[];
  attributes: { system: Record<string, unknown> };
};

test.before(async () => {
  inst = await startInstance(['--test-size=2'], { timeoutMs: 60_000 });
});
test.after(async () => {
  if (inst) await inst.stop().catch(() => inst!.kill());
  tmp.cleanup();
});

test('--env-file reads rules from a file; --env-remove drops variables', () => {
  fs.writeFileSync(path.join(tmp.dir, 'rules'), 'A1040=set-from-file\n-HOME\n');
  const r = ok(['run', '--env-file=rules', 'sh', '-c', 'echo "$A1040 ${HOME:-nohome}"']);
  assert.is(r.stdout, 'set-from-file nohome\n');
  const rm = ok(['run', '--env-remove=B1040', 'sh', '-c', 'echo "${B1040:-gone}"'], { B1040: 'kept' });
  assert.is(rm.stdout, 'gone\n');
  assert.is(ok(['run', 'sh', '-c', 'echo "${B1040:-gone}"'], { B1040: 'kept' }).stdout, 'kept\n');
});

test('--bank, --cores, --tasks-per-node, --tasks-per-core, --gpus-per-node shape the jobspec', () => {
  assert.is(jobspec(['--bank=b1040']).attributes.system['bank'], 'b1040');
  const cores = jobspec(['--cores=2', '--tasks-per-core=2']);
  assert.equal(cores.resources, [{ type: 'slot', count: 2, with: [{ type: 'core', count: 1 }], label: 'task' }]);
  assert.equal(cores.tasks[0]!.count, { total: 4 });
  const tpn = jobspec(['-N2', '--tasks-per-node=3', '--gpus-per-node=1']);
  assert.equal(tpn.tasks[0]!.count, { total: 6 });
  assert.match(JSON.stringify(tpn.resources), /\{"type":"gpu","count":1\}/);
  // and the job really runs that many tasks
  assert.is(ok(['run', '-N2', '--tasks-per-node=2', 'echo', 'x']).stdout, 'x\nx\nx\nx\n');
});

test('--tasks-per-core=N runs N tasks on every core allocated: -N gives whole nodes, --cores that many cores', () => {
  // the instance's 2 nodes, each with the cores of this machine
  const perNode = Number(ok(['resource', 'list', '-n', '-o', '{ncores}', '--states=free']).stdout.trim()) / 2;
  const size = (args: string[]) => {
    const lines = ok(['run', ...args, 'sh', '-c', 'echo $FLUX_JOB_SIZE']).stdout.trim().split('\n');
    assert.is(new Set(lines).size, 1, `${args.join(' ')}: ${lines.join(' ')}`);
    assert.is(lines.length, Number(lines[0]), `${args.join(' ')}: FLUX_JOB_SIZE is the number of tasks`);
    return lines.length;
  };
  assert.is(size(['-N1', '--tasks-per-core=2']), 2 * perNode);
  assert.is(size(['-N2', '--tasks-per-core=1']), 2 * perNode);
  assert.is(size(['--cores=2', '--tasks-per-core=2']), 4);
  assert.is(size(['-N2', '--tasks-per-node=3']), 6);
});

test('flux jobs {ntasks} of a --tasks-per-core job: the tasks it ran; empty while pending on -N nodes, as Flux', () => {
  const perNode = Number(ok(['resource', 'list', '-n', '-o', '{ncores}', '--states=free']).stdout.trim()) / 2;
  const id = ok(['submit', '-N2', '--tasks-per-core=2', 'true']).stdout.trim();
  ok(['job', 'wait-event', '-t', '30', id, 'clean']);
  assert.is(ok(['jobs', '-n', '-o', '{ntasks}', id]).stdout, `${4 * perNode}\n`);
  // the default format's NTASKS column
  assert.match(ok(['jobs', '-a', id]).stdout.split('\n')[1]!, new RegExp(` CD +${4 * perNode} +2 `));
  const held = ok(['submit', '--urgency=hold', '-N2', '--tasks-per-core=2', 'true']).stdout.trim();
  const cores = ok(['submit', '--urgency=hold', '--cores=2', '--tasks-per-core=3', 'true']).stdout.trim();
  try {
    assert.is(ok(['jobs', '-n', '-o', '[{ntasks}]', held]).stdout, '[]\n');
    assert.is(ok(['jobs', '-n', '-o', '[{ntasks}]', cores]).stdout, '[6]\n');
  } finally {
    ok(['cancel', held, cores]);
  }
});

test('batch --quiet prints no jobid; batch/alloc --error name the stderr file', () => {
  const q = ok(['batch', '-n1', '--quiet', '--wrap', 'true']);
  assert.is(q.stdout, '');
  fs.writeFileSync(path.join(tmp.dir, 'to-err.sh'), '#!/bin/sh\necho to-err >&2\n');
  const id = ok(['batch', '-n1', '--error=be.txt', '--output=bo.txt', 'to-err.sh']).stdout.trim();
  ok(['job', 'wait-event', '-t', '30', id, 'clean']);
  assert.is(fs.readFileSync(path.join(tmp.dir, 'be.txt'), 'utf8'), 'to-err\n');
  const alloc = JSON.parse(ok(['alloc', '-n1', '--dry-run', '--error=ae.txt']).stdout) as { attributes: { system: { shell: { options: { output: { stderr: { path: string } } } } } } };
  assert.is(alloc.attributes.system.shell.options.output.stderr.path, 'ae.txt');
});

test('submit --wait-event, --log, --log-stderr; bulksubmit --sep, --shuffle', () => {
  const id = ok(['submit', '--wait-event=start', 'sleep', '0']).stdout.trim();
  const ev = ok(['job', 'eventlog', id]).stdout;
  assert.match(ev, /\bstart\b/);
  const log = ok(['submit', '--log=sub.log', '--log-stderr=sub.err', '--wait', 'true']);
  assert.is(log.stdout, '');
  assert.match(fs.readFileSync(path.join(tmp.dir, 'sub.log'), 'utf8'), /^ƒ\w+\n$/);
  assert.ok(fs.existsSync(path.join(tmp.dir, 'sub.err')));
  const sep = inst!.flux(['bulksubmit', '--sep=,', '--dry-run', 'echo', '{}'], { cwd: tmp.dir, input: 'a,b,c' });
  assert.is(sep.stdout + sep.stderr, 'bulksubmit: submit echo a\nbulksubmit: submit echo b\nbulksubmit: submit echo c\n');
  const words = Array.from({ length: 12 }, (_, i) => `w${i}`);
  const shuffled = ok(['bulksubmit', '--shuffle', '--dry-run', 'echo', '{}', ':::', ...words]);
  const order = (shuffled.stdout + shuffled.stderr).trim().split('\n').map((l) => l.split(' ').pop());
  assert.equal([...order].sort(), [...words].sort());
  assert.not.equal(order, words, 'twelve commands kept their order (1 in 479001600)');
});

test('cancel --message lands in the eventlog; cancel --user and job killall --user pick the user', () => {
  const id = ok(['submit', 'sleep', '300']).stdout.trim();
  ok(['cancel', '--message=bye-1040', id]);
  assert.match(ok(['job', 'eventlog', id]).stdout, /bye-1040/);
  const other = f(['cancel', '--user=12345', '--all']);
  assert.match(other.stderr, /Matched 0 jobs/);
  const id2 = ok(['submit', 'sleep', '300']).stdout.trim();
  assert.match(f(['job', 'killall', '--user=12345']).stderr, /matched 0 jobs/);
  ok(['job', 'killall', '-f', `--user=${process.getuid!()}`]);
  ok(['job', 'wait-event', '-t', '30', id2, 'clean']);
});

test('job status --json, --exception-exit-code and --verbose; job purge --batch', () => {
  const id = ok(['submit', '--urgency=hold', 'true']).stdout.trim();
  ok(['cancel', id]);
  const st = f(['job', 'status', '--exception-exit-code=42', id]);
  assert.is(st.code, 42, st.stderr);
  // --verbose: why each job that did not exit 0 ended, on stderr, as Flux's (-vv: every job)
  const good = ok(['submit', 'true']).stdout.trim();
  const three = ok(['submit', 'sh', '-c', 'exit 3']).stdout.trim();
  const v = f(['job', 'status', '-v', good, three, id]);
  assert.equal([v.code, v.stdout], [3, '']);
  assert.is(v.stderr, `flux-job: fetching status for 3 jobs\nflux-job: all done.\nflux-job: ${three}: exited with exit code 3\n`);
  // a job canceled before it ran has no exit code of its own: named with -vv, with its exception
  assert.is(f(['job', 'status', '-vv', good, id]).stderr, `flux-job: fetching status for 2 jobs\nflux-job: all done.\nflux-job: ${good}: exited with exit code 0\nflux-job: ${id}: exception type=cancel\n`);
  const j = f(['job', 'status', '--json', id]);
  assert.is((JSON.parse(j.stdout.split('\n')[0]!) as { id: number }).id > 0, true);
  // --batch is the size of each purge request: all are purged, a bad size is refused
  const purge = ok(['job', 'purge', '--force', '--batch=1', '--num-limit=0']);
  assert.match(purge.stdout, /^purged \d+ inactive jobs, 0 remaining/);
  const bad = f(['job', 'purge', '--force', '--batch=0']);
  assert.is(bad.code, 1, bad.stdout);
});

test('jobs --since, --sort, --name, --width, --stats, --recurse-all, --threads, --all-users', () => {
  ok(['submit', '--wait', '--job-name=early', 'true']);
  ok(['submit', '--wait', '--job-name=late', 'true']);
  assert.is(ok(['jobs', '-a', '-n', '-o', '{name}', '--since=-1h', '--name=late']).stdout, 'late\n');
  // Flux's parsedatetime phrases
  assert.is(ok(['jobs', '-n', '-o', '{name}', '--since=an hour ago', '--name=late']).stdout, 'late\n');
  assert.match(f(['jobs', '--since=tomorrow 6am']).stderr, /^flux-jobs: .*--since=tomorrow 6am appears to be in the future\n$/);
  const mark = new Date().toISOString();
  ok(['submit', '--wait', '--job-name=latest', 'true']);
  assert.is(ok(['jobs', '-n', '-o', '{name}', `--since=${mark}`]).stdout, 'latest\n');
  assert.match(f(['jobs', '--since=+1h']).stderr, /^flux-jobs: .*--since=\+1h appears to be in the future\n$/);
  const names = ok(['jobs', '-a', '-n', '-o', '{name}', '--name=early', '--sort=name']).stdout;
  assert.is(names, 'early\n');
  const asc = ok(['jobs', '-a', '-n', '-o', '{id.dec}', '--sort=id']).stdout.trim().split('\n').map(Number);
  assert.equal(asc, [...asc].sort((a, b) => a - b));
  assert.ok(asc.length >= 3, `${asc.length} jobs listed`);
  // each list checked on its own: the job list may still be dropping the jobs the last test purged
  const desc = ok(['jobs', '-a', '-n', '-o', '{id.dec}', '--sort=-id']).stdout.trim().split('\n').map(Number);
  assert.ok(desc.length >= 3, `${desc.length} jobs listed`);
  assert.equal(desc, [...desc].sort((a, b) => b - a));
  const wide = ok(['jobs', '-a', '--width=30']).stdout.split('\n')[0]!;
  assert.ok(wide.length <= 30, wide);
  assert.match(ok(['jobs', '--stats', '-n']).stdout, /^\d+ running, \d+ completed, \d+ failed, \d+ pending/);
  assert.ok(ok(['jobs', '-a', '-n', '--recurse-all', '-o', '{id}']).stdout.split('\n').length > 2);
  assert.is(ok(['jobs', '-a', '-n', '--threads=2', '-o', '{name}', '--name=late']).stdout, 'late\n');
  assert.match(ok(['jobs', '--all-users', '-a', '-n', '-o', '{name}', '--name=late']).stdout, /^late\n$/);
});

test('job attach --show-events, --label-io, --quiet, --stdin-ranks', () => {
  const id = ok(['submit', '-N2', '-n2', 'sh', '-c', 'echo out']).stdout.trim();
  const ev = ok(['job', 'attach', '--show-events', id]);
  assert.match(ev.stderr, /job\.submit/);
  assert.is(ok(['job', 'attach', '--label-io', id]).stdout.split('\n').sort().join('\n'), '\n0: out\n1: out');
  assert.not.match(ok(['job', 'attach', '--quiet', id]).stderr, /job\.submit/);
  const cat = ok(['submit', '-N2', '-n2', 'cat']).stdout.trim();
  const r = inst!.flux(['job', 'attach', '--stdin-ranks=1', '--label-io', cat], { input: 'only-one\n' });
  assert.is(r.stdout, '1: only-one\n', r.stderr);
});

test('module stats --parse --scale multiplies; --clear is refused where a module keeps no resettable stats', () => {
  const n = Number(ok(['module', 'stats', '--parse=total_jobs', 'job-manager']).stdout);
  assert.is(Number(ok(['module', 'stats', '--parse=total_jobs', '--scale=3', 'job-manager']).stdout), n * 3);
  const c = f(['module', 'stats', '--clear', 'job-manager']);
  assert.is(c.code, 1);
  assert.match(c.stderr, /stats-clear/);
  assert.is(c.stderr.trim().split('\n').length, 1);
});

test('overlay status --timeout, --wait, --no-ghost: the subtree behind a lost broker', () => {
  assert.is(ok(['overlay', 'status', '--wait=full', '--timeout=10s']).stdout.split('\n')[0], '0 vm: full');
  assert.match(f(['overlay', 'status', '--timeout=soon']).stderr, /invalid --timeout 'soon'/);
  const script =
    'kill -9 $(flux exec -r 1 flux getattr broker.pid); flux overlay status --wait=degraded --timeout=0.3s; echo ==; flux overlay status --no-ghost --timeout=0.3s';
  const r = flux(['start', '--test-size=3', '-Stbon.fanout=1', 'sh', '-c', script], { timeoutMs: 60_000 });
  const [ghost, noGhost] = r.stdout.split('==\n');
  assert.match(ghost!, /^0 vm: degraded\n.*1 vm: lost.*\n.*2 vm: lost\n$/);
  assert.match(noGhost!, /^0 vm: degraded\n.*1 vm: lost[^\n]*\n$/);
});

test('pstree --long, --detail-format, --count, --filter', () => {
  const name = 'a-job-name-far-longer-than-twenty-columns';
  const id = ok(['submit', `--job-name=${name}`, 'sleep', '300']).stdout.trim();
  ok(['job', 'wait-event', '-t', '30', id, 'start']);
  assert.match(f(['pstree'], { COLUMNS: '20' }).stdout, /\+\n/);
  assert.match(f(['pstree', '--long'], { COLUMNS: '20' }).stdout, new RegExp(name));
  assert.match(ok(['pstree', '--detail-format={id.f58}']).stdout, new RegExp(`${id} ${name}`));
  const id2 = ok(['submit', 'sleep', '300']).stdout.trim();
  ok(['job', 'wait-event', '-t', '30', id2, 'start']);
  assert.is(ok(['pstree', '--filter=running']).stdout.split('\n').filter((l) => /sleep|far-longer/.test(l)).length, 2);
  assert.is(ok(['pstree', '--filter=running', '--count=1']).stdout.split('\n').filter((l) => /sleep|far-longer/.test(l)).length, 1);
  ok(['cancel', id2]);
  ok(['cancel', id]);
});

test('queue drain/idle --timeout; queue stop/disable --nocheckpoint', () => {
  f(['cancel', '--all']);
  ok(['queue', 'idle', '--timeout=30s']);
  const id = ok(['submit', 'sleep', '300']).stdout.trim();
  ok(['job', 'wait-event', '-t', '30', id, 'start']);
  const idle = f(['queue', 'idle', '--timeout=0.3s']);
  assert.is(idle.code, 1);
  assert.match(idle.stderr, /timeout/);
  const drain = f(['queue', 'drain', '--timeout=0.3s']);
  assert.is(drain.code, 1);
  ok(['cancel', id]);
  ok(['queue', 'idle', '--timeout=30s']);
  const d = tmpdir('flux-t1040-state-');
  try {
    const first = flux(['start', `-Sstatedir=${d.dir}`, 'sh', '-c', 'flux queue stop --nocheckpoint; flux queue disable --nocheckpoint -m closed']);
    assert.is(first.code, 0, first.stderr);
    const again = flux(['start', `-Sstatedir=${d.dir}`, 'flux', 'queue', 'status']);
    assert.is(again.stdout, 'Job submission is enabled\nScheduling is started\n', again.stderr);
    const kept = flux(['start', `-Sstatedir=${d.dir}`, 'sh', '-c', 'flux queue stop; flux queue disable -m closed']);
    assert.is(kept.code, 0, kept.stderr);
    const after = flux(['start', `-Sstatedir=${d.dir}`, 'flux', 'queue', 'status']);
    assert.match(after.stdout, /disabled: closed/);
  } finally {
    d.cleanup();
  }
});

test('resource drain --update, undrain --update/--force, R --states, status --skip-empty', () => {
  ok(['resource', 'drain', '1', 'first']);
  assert.is(f(['resource', 'drain', '1', 'second']).code, 1);
  ok(['resource', 'drain', '--update', '0-1', 'second']);
  assert.is(ok(['resource', 'drain', '-no', '{ranks} {reason}']).stdout, '0 second\n1 first\n');
  ok(['resource', 'undrain', '0']);
  assert.is(f(['resource', 'undrain', '0-1']).code, 1);
  ok(['resource', 'undrain', '--update', '0-1']);
  assert.is(ok(['resource', 'drain', '-n']).stdout, '');
  ok(['resource', 'undrain', '--force', '0-1']);
  const down = JSON.parse(ok(['resource', 'R', '--states=down']).stdout) as { execution: { R_lite: unknown[] } };
  assert.equal(down.execution.R_lite, []);
  const all = JSON.parse(ok(['resource', 'R', '--states=all']).stdout) as { execution: { R_lite: unknown[] } };
  assert.is(all.execution.R_lite.length > 0, true);
  assert.is(ok(['resource', 'status', '-s', 'avail,exclude', '--skip-empty', '-no', '{state}']).stdout, 'avail\n');
  assert.match(ok(['resource', 'status', '-s', 'avail,exclude', '-no', '{state}']).stdout, /exclude/);
});

test('start --noexec prints what it would run and runs nothing; uri --local', () => {
  const r = flux(['start', '--noexec', '-v', 'touch', path.join(tmp.dir, 'made')]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /flux-broker/);
  assert.not.ok(fs.existsSync(path.join(tmp.dir, 'made')));
  assert.is(flux(['uri', '--local', 'ssh://somehost/tmp/sock']).stdout, 'local:///tmp/sock\n');
});

test('start --killer-timeout is the old name of --test-exit-timeout; jobs --verbose is refused', () => {
  assert.is(flux(['start', '-s2', '--killer-timeout=soon', 'true']).stderr, "flux-start: flux-start: Invalid argument for option 'test-exit-timeout': 'soon'\n");
  const v = flux(['jobs', '--verbose']);
  assert.is(v.code, 1);
  assert.is(v.stderr, 'flux-jobs: ERROR: --verbose is not supported by flux-ts\n');
});

test('submit --progress --jps adds the throughput to the bar (on a terminal)', () => {
  const env = { ...process.env, ...inst!.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}` };
  const bar = (extra: string) =>
    spawnSync('script', ['-qec', `flux submit --progress ${extra} --cc=1-3 --wait true`, '/dev/null'], { env, encoding: 'utf8', timeout: 60_000 }).stdout;
  assert.match(bar('--jps'), /[\d.]+ jps/);
  assert.not.match(bar(''), /jps/);
});

test('dump --verbose lists the keys it archives; dump --checkpoint archives the last checkpoint', () => {
  ok(['kvs', 'put', 't1040.key=1']);
  const v = ok(['dump', '--verbose', 'v.tar']);
  assert.match(v.stderr, /^t1040\/key$/m);
  const quiet = ok(['dump', 'q.tar']);
  assert.not.match(quiet.stderr, /t1040/);
  const c = ok(['dump', '--checkpoint', 'c.tar']);
  assert.match(c.stderr, /flux-dump: archived \d+ keys\n$/);
  assert.ok(fs.statSync(path.join(tmp.dir, 'c.tar')).size > 0);
  // --no-cache (Flux's: bypass the content cache) is accepted by both, the archive the same
  const nc = ok(['dump', '--no-cache', '-q', 'nc.tar']);
  assert.is(nc.stderr, '');
  const listed = (f: string) => run('tar', ['tf', path.join(tmp.dir, f)]).stdout;
  assert.match(listed('nc.tar'), /^t1040\/key$/m);
  const r = ok(['restore', '--no-cache', '-q', '--key=t1040nc', 'nc.tar']);
  assert.is(r.stderr, '');
  assert.is(ok(['kvs', 'get', 't1040nc.t1040.key']).stdout, '1\n');
});

test('hostlist --delimiter, --limit, --sort, --union, --exclude, --xor', () => {
  const h = (args: string[]) => ok(['hostlist', ...args]).stdout;
  assert.is(h(['-e', '--delimiter=,', 'n[1-3]']), 'n1,n2,n3\n');
  assert.is(h(['--limit=2', 'n[1-5]']), 'n[1-2]\n');
  assert.is(h(['--limit=-2', 'n[1-5]']), 'n[4-5]\n');
  assert.is(h(['n3,n1,n2']), 'n[3,1-2]\n');
  assert.is(h(['--sort', 'n3,n1,n2']), 'n[1-3]\n');
  assert.is(h(['n[1-2]', 'n[2-3]']), 'n[1-2,2-3]\n');
  assert.is(h(['--union', 'n[1-2]', 'n[2-3]']), 'n[1-3]\n');
  assert.is(h(['--unique', 'n[1-2]', 'n[2-3]']), 'n[1-3]\n');
  assert.is(h(['--exclude=n2', 'n[1-3]']), 'n[1,3]\n');
  assert.is(h(['--xor', 'n[1-3]', 'n[2-4]']), 'n[1,4]\n');
});

test('job taskmap --ntasks, --nodeid; pgrep --all-users, --user, --queue, --max-entries', () => {
  f(['cancel', '--all']);
  const id = ok(['submit', '-N2', '-n4', 'sleep', '300']).stdout.trim();
  ok(['job', 'wait-event', '-t', '30', id, 'start']);
  assert.is(ok(['job', 'taskmap', '--ntasks=0', id]).stdout, '2\n');
  assert.is(ok(['job', 'taskmap', '--nodeid=3', id]).stdout, '1\n');
  const id2 = ok(['submit', 'sleep', '300']).stdout.trim();
  assert.is(ok(['pgrep', 'sleep']).stdout.trim().split('\n').length, 2);
  assert.is(ok(['pgrep', '--max-entries=1', 'sleep']).stdout.trim().split('\n').length, 1);
  assert.is(ok(['pgrep', '--all-users', 'sleep']).stdout.trim().split('\n').length, 2);
  assert.is(f(['pgrep', '--user=12345', 'sleep']).code, 1);
  assert.is(f(['pgrep', '--queue=nosuch', 'sleep']).code, 1);
  ok(['cancel', id, id2]);
});

test('resource eventlog --follow shows events that come after it started', async () => {
  const proc = spawn(FLUX, ['resource', 'eventlog', '--follow'], { env: { ...process.env, ...inst!.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  try {
    await waitUntil(() => out.length > 0, { what: 'the eventlog so far' });
    ok(['resource', 'drain', '1', 'followed-1040']);
    await waitUntil(() => out.includes('followed-1040'), { what: 'the drain event' });
    assert.is(proc.exitCode, null, 'still following');
  } finally {
    proc.kill('SIGKILL');
    f(['resource', 'undrain', '1']);
  }
});

test('flux pmi --libpmi-noflux is refused in one line (no libpmi method in flux-ts)', () => {
  const r = flux(['pmi', '--libpmi-noflux', 'barrier']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^flux-pmi: --libpmi-noflux: .*\n$/);
});

/** a file of the job's cwd as its sorted lines */
const lines = (name: string) => fs.readFileSync(path.join(tmp.dir, name), 'utf8').split('\n').filter(Boolean).sort();
const notices = (stderr: string) => stderr.split('\n').filter((l) => l.includes('redirected to'));
const OUT_AND_ERR = 'echo out $FLUX_TASK_RANK; echo err $FLUX_TASK_RANK >&2';

test('--output with a task tag: one file per task, each with only its task output', () => {
  const r = ok(['run', '-N2', '-n4', '--output=t.{{taskid}}', 'sh', '-c', OUT_AND_ERR]);
  for (const rank of [0, 1, 2, 3]) assert.equal(lines(`t.${rank}`), [`err ${rank}`, `out ${rank}`], `t.${rank}`);
  assert.not.ok(fs.existsSync(path.join(tmp.dir, 't.{{taskid}}')));
  const want = (stream: string) => [0, 1, 2, 3].map((n) => `${n}: ${stream} redirected to t.${n}`);
  assert.equal(notices(r.stderr), [...want('stdout'), ...want('stderr')], r.stderr);
});

test('--error with a node tag: one file per node, with the output of that node tasks', () => {
  const r = ok(['run', '-N2', '-n4', '--output=x.{{task.id}}', '--error=y.{{node.id}}', 'sh', '-c', OUT_AND_ERR]);
  assert.equal(lines('y.0'), ['err 0', 'err 1']);
  assert.equal(lines('y.1'), ['err 2', 'err 3']);
  assert.equal(lines('x.3'), ['out 3']);
  assert.equal(notices(r.stderr).slice(4), ['[0-1]: stderr redirected to y.0', '[2-3]: stderr redirected to y.1'], r.stderr);
});

test('a job id encoding in any case, as Flux: {{id.DEC}}', () => {
  const r = ok(['run', 'echo', '{{id.DEC}}', '{{jobid.Hex}}']);
  const [dec, hex] = r.stdout.trim().split(' ');
  assert.match(dec!, /^\d+$/);
  assert.is(hex, `0x${BigInt(dec!).toString(16)}`);
});

test('tags expand per task in the command arguments and in --env values', () => {
  const script = 'echo "$V $0 $1 $2"';
  const r = ok(['run', '-N2', '-n2', '--env=V={{task.id}}/{{task.index}}', 'sh', '-c', script, '{{task.rank}}', '{{node.id}}', '{{node.name}}']);
  const host = ok(['run', 'uname', '-n']).stdout.trim();
  assert.equal(r.stdout.split('\n').filter(Boolean).sort(), [`0/0 0 0 ${host}`, `1/0 1 1 ${host}`]);
});

test('an unknown tag is refused in one line: in the command, a file name, an --env value', () => {
  const exception = (note: string) => new RegExp(`^\\d+\\.\\d{3}s: job\\.exception ƒ\\w+ type=exec severity=0 ${note}$`, 'm');
  const cmd = f(['run', 'touch', 'ran.{{bogus}}']);
  assert.is(cmd.code, 1);
  assert.match(cmd.stderr, exception("unknown template tag '\\{\\{bogus\\}\\}' in the command"));
  assert.not.ok(fs.existsSync(path.join(tmp.dir, 'ran.{{bogus}}')));
  const out = f(['run', '--output=o.{{id.bogus}}', 'echo', 'x']);
  assert.is(out.code, 1);
  assert.match(out.stderr, exception("unknown template tag '\\{\\{id\\.bogus\\}\\}' in stdout file name 'o\\.\\{\\{id\\.bogus\\}\\}'"));
  assert.not.ok(fs.existsSync(path.join(tmp.dir, 'o.{{id.bogus}}')));
  // Flux's emoji encoding: refused as not supported, not as unknown
  const emoji = f(['run', '--output=o.{{id.emoji}}', 'echo', 'x']);
  assert.is(emoji.code, 1);
  assert.match(emoji.stderr, exception("template tag '\\{\\{id\\.emoji\\}\\}' \\(emoji job IDs\\) is not supported in stdout file name 'o\\.\\{\\{id\\.emoji\\}\\}'"));
  const env = f(['run', '--env=V={{bogus}}', 'true']);
  assert.is(env.code, 1);
  assert.is(env.stderr, "flux-run: ERROR: --env: unknown template tag '{{bogus}}' in V={{bogus}}\n");
});

test.run();
