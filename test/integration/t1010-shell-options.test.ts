/**
 * Shell options that work (flux-shell-options(7)), through the real `flux`
 * command in a size-2 instance with 2 cores and 2 (fake) GPUs a rank:
 * --rlimit / -o rlimit (and the submitter's own limits going with the job),
 * --signal=SIG@TIME, --taskmap (cyclic, manual, hostfile; the exec eventlog),
 * --add-file, -u, cpu-affinity and gpu-affinity (on, off, per-task, map:),
 * output.limit, -o verbose, --debug, and bad values refused at submit.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { testWhen } from '../helpers/skip';
import { waitUntil } from '../helpers/wait';

let inst: Instance | undefined;
const tmp = tmpdir('flux-ts-t1010-');

test.before(async () => {
  inst = await startInstance(['--test-size=2'], { brokerEnv: { FLUX_RESOURCE_FAKE_CORES: '2', FLUX_RESOURCE_FAKE_GPUS: '2' } });
});

test.after(async () => {
  await inst?.stop().catch(() => inst?.kill());
  tmp.cleanup();
});

const ok = (args: string[]) => {
  const r = inst!.flux(args, { cwd: tmp.dir, timeoutMs: 60_000 });
  assert.is(r.code, 0, `flux ${args.join(' ')}: ${r.stderr}`);
  return r;
};
const sorted = (s: string) => s.trim().split('\n').sort().join('\n');
/** a command refused at submit: one line, exit 1 */
const refused = (args: string[], line: string) => {
  const r = inst!.flux(args, { cwd: tmp.dir });
  assert.is(r.code, 1, r.stderr);
  assert.is(r.stderr, line + '\n');
};
/** the hard limit of open files here (what a task can be given at most) */
const hardNofile = () => Number(run('sh', ['-c', 'ulimit -Hn']).stdout.trim());

test('--rlimit=nofile=128 and -o rlimit.nofile=100: the task runs with that limit', () => {
  assert.is(ok(['run', '--rlimit=nofile=128', 'sh', '-c', 'ulimit -n']).stdout, '128\n');
  assert.is(ok(['run', '-o', 'rlimit.nofile=100', 'sh', '-c', 'ulimit -n']).stdout, '100\n');
  assert.is(ok(['run', '--rlimit=core=0,nofile=64', 'sh', '-c', 'ulimit -c; ulimit -n']).stdout, '0\n64\n');
});

test("the submitter's limits go with the job; --rlimit=-* keeps the broker's", () => {
  const env = inst!.env;
  const mine = run('sh', ['-c', 'ulimit -n 77 && exec flux run sh -c "ulimit -n"'], { env });
  assert.is(mine.code, 0, mine.stderr);
  assert.is(mine.stdout, '77\n');
  const none = run('sh', ['-c', 'ulimit -n 77 && exec flux run --rlimit=-* sh -c "ulimit -n"'], { env });
  assert.is(none.code, 0, none.stderr);
  assert.is.not(none.stdout, '77\n');
  const js = JSON.parse(ok(['run', '--dry-run', '--rlimit=-*,nofile=128', 'true']).stdout) as { attributes: { system: { shell: unknown } } };
  assert.equal(js.attributes.system.shell, { options: { rlimit: { nofile: 128 } } });
});

test('--rlimit above the hard limit: the hard limit, with the shell warning', () => {
  const r = ok(['run', '--rlimit=nofile=99999999', 'sh', '-c', 'ulimit -n']);
  assert.is(r.stdout, `${hardNofile()}\n`);
  assert.match(r.stderr, /flux-shell\[0\]: {2}WARN: rlimit: nofile exceeds current max, raising value to hard limit\n/);
});

test('bad rlimits are refused at submit in one line', () => {
  refused(['run', '--rlimit=nosuch=1', 'true'], 'flux-run: ERROR: Invalid rlimit "nosuch"');
  refused(['run', '--rlimit=nofile=abc', 'true'], 'flux-run: ERROR: Invalid value in nofile=abc');
  refused(['run', '-o', 'rlimit.nosuch=1', 'true'], 'flux-run: ERROR: Invalid rlimit "nosuch"');
});

test('--signal=SIGUSR1@2s: the task gets SIGUSR1 2 s before its 5 s limit', () => {
  const script = 'trap "echo got USR1; exit 0" USR1; sleep 30 & wait; echo no signal';
  const r = ok(['run', '-t', '5s', '--signal=SIGUSR1@2s', 'bash', '-c', script]);
  assert.is(r.stdout, 'got USR1\n');
  assert.match(r.stderr, /^\d+\.\d{3}s: flux-shell\[0\]: signal: job will expire in 2\.0s, sending SIGUSR1 to job$/m);
  // the default lead time (60 s) is longer than the limit: as the task starts (before its trap, as in Flux)
  const at = inst!.flux(['run', '-t', '4s', '--signal=USR1', 'bash', '-c', 'sleep 1; echo not reached']);
  assert.is(at.code, 138, at.stderr);
  assert.is(at.stdout, '');
  assert.match(at.stderr, /flux-shell\[0\]: signal: job will expire in 60\.0s, sending SIGUSR1 to job\n/);
  // no time limit: nothing is sent, and the shell says so
  const none = ok(['run', '--signal=SIGUSR1@2s', 'true']);
  assert.match(none.stderr, /flux-shell\[0\]: signal: job has no expiration, SIGUSR1 will not be sent\n/);
});

test('bad --signal values are refused at submit', () => {
  refused(['run', '--signal=SIGNOPE@2s', 'true'], "flux-run: ERROR: --signal=SIGNOPE@2s: signal 'SIGNOPE' is invalid");
  refused(['run', '--signal=USR1@abc', 'true'], 'flux-run: ERROR: --signal=USR1@abc: invalid Flux standard duration');
  refused(['run', '--signal=99', 'true'], "flux-run: ERROR: --signal=99: signal '99' is invalid");
});

test('--taskmap=cyclic: ranks alternate between nodes; the exec eventlog and PMI follow', () => {
  const block = ok(['run', '-N2', '-n4', '--label-io', 'flux', 'getattr', 'rank']);
  assert.is(sorted(block.stdout), '0: 0\n1: 0\n2: 1\n3: 1');
  const cyc = ok(['run', '--taskmap=cyclic', '-N2', '-n4', '--label-io', 'flux', 'getattr', 'rank']);
  assert.is(sorted(cyc.stdout), '0: 0\n1: 1\n2: 0\n3: 1');
  const id = ok(['submit', '--taskmap=cyclic', '-N2', '-n4', 'true']).stdout.trim();
  ok(['job', 'wait-event', id, 'clean']);
  assert.match(ok(['job', 'eventlog', '-p', 'exec', id]).stdout, /shell\.start taskmap=\{"version":1,"map":\[\[0,2,1,2\]\]\}/);
  const pmi = ok(['run', '--taskmap=cyclic', '-N2', '-n4', '--label-io', 'flux', 'pmi', 'get', 'PMI_process_mapping']);
  assert.match(pmi.stdout, /^0: \(vector,\(0,2,1\),\(0,2,1\)\)$/m);
  const c2 = ok(['run', '--taskmap=cyclic:2', '-N2', '-n4', '--label-io', 'flux', 'getattr', 'rank']);
  assert.is(sorted(c2.stdout), '0: 0\n1: 0\n2: 1\n3: 1');
});

test('PMI flux.taskmap: a Flux instance the job starts knows where its brokers run (broker.mapping)', () => {
  assert.is(ok(['run', '-N2', '-n2', 'flux', 'pmi', 'get', 'flux.taskmap']).stdout, '[[0,2,1,1]]\n');
  assert.is(ok(['run', '--taskmap=cyclic', '-N2', '-n4', 'flux', 'pmi', 'get', 'flux.taskmap']).stdout, '[[0,2,1,2]]\n');
  assert.is(ok(['run', '-N2', '-n4', 'flux', 'start', 'flux', 'getattr', 'broker.mapping']).stdout, '[[0,2,2,1]]\n');
});

test('--taskmap=manual: and hostfile:', () => {
  const m = ok(['run', '--taskmap=manual:[[1,1,1,1],[0,1,1,1]]', '-N2', '-n2', '--label-io', 'flux', 'getattr', 'rank']);
  assert.is(sorted(m.stdout), '0: 1\n1: 0');
  const raw = ok(['run', '--taskmap=manual:1;0', '-N2', '-n2', '--label-io', 'flux', 'getattr', 'rank']);
  assert.is(sorted(raw.stdout), '0: 1\n1: 0');
  const host = ok(['run', '-n1', 'hostname']).stdout.trim();
  fs.writeFileSync(path.join(tmp.dir, 'hosts'), `${host}\n${host}\n`);
  const h = ok(['run', '--taskmap=hostfile:hosts', '-N2', '-n2', '--label-io', 'sh', '-c', 'echo $FLUX_TASK_RANK']);
  assert.is(sorted(h.stdout), '0: 0\n1: 1');
});

test('a taskmap that does not fit the job fails it with one exception; a bad scheme is refused', () => {
  const r = inst!.flux(['run', '--taskmap=manual:[[0,1,2,1]]', '-N2', '-n2', 'true']);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /job\.exception \S+ type=exec severity=0 taskmap: the map gives node 0 2 tasks, it runs 1\n/);
  const g = inst!.flux(['run', '--taskmap=manual:garbage', '-n2', 'true']);
  assert.is(g.code, 1);
  assert.match(g.stderr, /taskmap: error parsing range 'garbage'/);
  refused(
    ['run', '--taskmap=nosuch', '-n2', 'true'],
    "flux-run: ERROR: --taskmap=nosuch: unknown taskmap scheme 'nosuch' (block, cyclic[:N], manual:TASKMAP, hostfile:FILE)",
  );
  refused(['run', '--taskmap=cyclic:abc', '-n2', 'true'], 'flux-run: ERROR: --taskmap=cyclic:abc: invalid cyclic stride: abc');
});

test('--add-file: a file, renamed, and inline content, in $FLUX_JOB_TMPDIR before the task starts', () => {
  fs.writeFileSync(path.join(tmp.dir, 'data.txt'), 'line one\nline two\n', { mode: 0o644 });
  fs.chmodSync(path.join(tmp.dir, 'data.txt'), 0o644);
  const r = ok(['run', '--add-file=data.txt', 'sh', '-c', 'ls -l $FLUX_JOB_TMPDIR/data.txt | cut -c1-10; cat $FLUX_JOB_TMPDIR/data.txt']);
  assert.is(r.stdout, '-rw-r--r--\nline one\nline two\n');
  assert.is(ok(['run', '--add-file=renamed=data.txt', 'sh', '-c', 'cat $FLUX_JOB_TMPDIR/renamed']).stdout, 'line one\nline two\n');
  assert.is(ok(['run', '--add-file=inline=hello world\n', 'sh', '-c', 'cat $FLUX_JOB_TMPDIR/inline']).stdout, 'hello world\n');
  assert.is(ok(['run', '--add-file=x:0700=#!/bin/sh\necho ran\n', 'sh', '-c', '$FLUX_JOB_TMPDIR/x']).stdout, 'ran\n');
  const js = JSON.parse(ok(['submit', '--dry-run', '--add-file=data.txt', 'true']).stdout) as { attributes: { system: { files: unknown } } };
  assert.equal(js.attributes.system.files, { 'data.txt': { mode: 0o100644, size: 18, data: 'line one\nline two\n', encoding: 'utf-8' } });
  // flux batch: beside its script, whose name is reserved
  fs.writeFileSync(path.join(tmp.dir, 'job.sh'), '#!/bin/sh\ntrue\n');
  const batch = JSON.parse(ok(['batch', '-n1', '--add-file=data.txt', '--dry-run', 'job.sh']).stdout) as { attributes: { system: { files: object } } };
  assert.equal(Object.keys(batch.attributes.system.files).sort(), ['data.txt', 'script']);
  refused(['batch', '-n1', '--add-file=script=data.txt', 'job.sh'], "flux-batch: ERROR: --add-file: the name 'script' is reserved");
  refused(['run', '--add-file=nosuch.txt', 'true'], "flux-run: ERROR: --add-file=nosuch.txt: No such file or directory: 'nosuch.txt'");
  fs.writeFileSync(path.join(tmp.dir, 'big'), Buffer.alloc(10 * 1024 * 1024 + 1));
  const big = inst!.flux(['run', '--add-file=big', 'true'], { cwd: tmp.dir });
  assert.is(big.code, 1);
  assert.match(big.stderr, /^flux-run: ERROR: --add-file=big: 10485761 bytes is more than 10485760: 'big'\n$/);
  // together too: the jobspec must fit in one message
  fs.writeFileSync(path.join(tmp.dir, 'half'), 'x'.repeat(6 * 1024 * 1024));
  const two = inst!.flux(['run', '--add-file=half', '--add-file=again=half', 'true'], { cwd: tmp.dir });
  assert.is(two.code, 1);
  assert.is(two.stderr, 'flux-run: ERROR: --add-file=again=half: the files add up to more than 10485760 bytes (as stored in the jobspec)\n');
});

test('-u: output goes out as the task writes it, not at the newline', async () => {
  const script = 'printf partial; while [ ! -e stop ]; do sleep 0.1; done; echo " end"';
  for (const unbuffered of [true, false]) {
    fs.rmSync(path.join(tmp.dir, 'stop'), { force: true });
    const id = ok(['submit', ...(unbuffered ? ['-u'] : []), 'sh', '-c', script]).stdout.trim();
    ok(['job', 'wait-event', id, 'start']);
    const seen = async () => inst!.flux(['job', 'attach', '--read-only', id], { timeoutMs: 5000 }).stdout;
    if (unbuffered) {
      await waitUntil(async () => (await seen()).startsWith('partial'), { what: 'partial output of a -u job', timeoutMs: 20_000 });
    }
    fs.writeFileSync(path.join(tmp.dir, 'stop'), '');
    ok(['job', 'wait-event', id, 'clean']);
    assert.is(ok(['job', 'attach', id]).stdout, 'partial end\n');
  }
});

const cpusOf = (line: string) => /Cpus_allowed_list:\s*(\S+)/.exec(line)?.[1];
const fewCpus = os.cpus().length < 2 ? 'needs 2 CPUs' : undefined;

testWhen(test, 'cpu-affinity: bound before the first instruction, one core for -n1; per-task, map:, off', fewCpus, () => {
  const all = run('grep', ['Cpus_allowed_list', '/proc/self/status']).stdout;
  const one = cpusOf(ok(['run', '-n1', 'grep', 'Cpus_allowed_list', '/proc/self/status']).stdout);
  assert.ok(one !== undefined && /^\d+$/.test(one), `one core, got ${one}`);
  const per = ok(['run', '-n2', '--label-io', '-o', 'cpu-affinity=per-task', 'grep', 'Cpus_allowed_list', '/proc/self/status']).stdout;
  const sets = sorted(per).split('\n').map(cpusOf);
  assert.is(sets.length, 2);
  assert.ok(sets.every((s) => s !== undefined && /^\d+$/.test(s)) && sets[0] !== sets[1], per);
  const both = cpusOf(ok(['run', '-n1', '-c2', 'grep', 'Cpus_allowed_list', '/proc/self/status']).stdout);
  assert.is(both, `${sets[0]}-${sets[1]}`.replace(/^(\d+)-(\d+)$/, (_m, a: string, b: string) => (Number(b) === Number(a) + 1 ? `${a}-${b}` : `${a},${b}`)));
  const mapped = cpusOf(ok(['run', '-n1', '-c2', '-o', `cpu-affinity=map:${sets[1]}`, 'grep', 'Cpus_allowed_list', '/proc/self/status']).stdout);
  assert.is(mapped, sets[1]);
  const off = cpusOf(ok(['run', '-n1', '-o', 'cpu-affinity=off', 'grep', 'Cpus_allowed_list', '/proc/self/status']).stdout);
  assert.is(off, cpusOf(all));
  const bad = inst!.flux(['run', '-n1', '-o', 'cpu-affinity=map:4095', 'true']);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /FATAL: host \S+: cpu-affinity: map: cpu 4095 is not available/);
});

test('gpu-affinity: CUDA_VISIBLE_DEVICES per shell (on), per task, by map, or left alone (off)', () => {
  const cvd = (opts: string[]) => sorted(ok(['run', '-N1', '-n2', '-g1', '--label-io', ...opts, 'sh', '-c', 'echo ${CUDA_VISIBLE_DEVICES-unset}']).stdout);
  assert.is(cvd([]), '0: 0,1\n1: 0,1');
  assert.is(cvd(['-o', 'gpu-affinity=per-task']), '0: 0\n1: 1');
  assert.is(cvd(['-o', 'gpu-affinity=map:1;0']), '0: 1\n1: 0');
  assert.is(cvd(['-o', 'gpu-affinity=off']), '0: unset\n1: unset');
  // a job given no GPUs sees none of the node's
  assert.is(ok(['run', '-n1', 'sh', '-c', 'echo $CUDA_VISIBLE_DEVICES']).stdout, '-1\n');
});

test('-o output.limit=10: the kept output stops at 10 bytes a stream, with warnings', () => {
  const r = ok(['run', '-o', 'output.limit=10', 'sh', '-c', 'echo 0123456789abcdef; echo more']);
  assert.is(r.stdout, '0123456789');
  assert.match(r.stderr, /flux-shell\[0\]: {2}WARN: output: stdout will be truncated, 10 limit exceeded\n/);
  assert.match(r.stderr, /flux-shell\[0\]: {2}WARN: output: stdout: 12 of 22 bytes truncated\n/);
  // without it: all of it (the default limit, 1G, is far away)
  const all = ok(['run', 'sh', '-c', 'echo 0123456789abcdef; echo more']);
  assert.is(all.stdout, '0123456789abcdef\nmore\n');
  assert.is(all.stderr, '');
});

test('output.limit: 1G by default (a -o verbose line says so); a larger one is capped at 1G, with a warning', () => {
  const v = ok(['run', '-o', 'verbose', 'true']);
  assert.match(v.stderr, /^\d+\.\d{3}s: flux-shell\[0\]: DEBUG: output: limit 1G per stream \(default for the instance owner's jobs\)$/m, v.stderr);
  const set = ok(['run', '-o', 'verbose', '-o', 'output.limit=10k', 'true']);
  assert.match(set.stderr, /flux-shell\[0\]: DEBUG: output: limit 10k per stream\n/, set.stderr);
  const big = ok(['run', '-o', 'output.limit=4G', 'echo', 'hi']);
  assert.is(big.stdout, 'hi\n');
  assert.match(big.stderr, /^\d+\.\d{3}s: flux-shell\[0\]: {2}WARN: output: output.limit=4G capped at 1G per stream\n$/, big.stderr);
});

test('-o verbose: the shell trace lines on stderr (DEBUG; TRACE with verbose=2)', () => {
  const plain = ok(['run', 'true']);
  assert.not.match(plain.stderr, /flux-shell/);
  const v1 = ok(['run', '-o', 'verbose', 'true']);
  assert.match(v1.stderr, /^\d+\.\d{3}s: flux-shell\[0\]: DEBUG: 0: tasks 0 on cores \S+$/m, `stderr: ${JSON.stringify(v1.stderr)}`);
  assert.not.match(v1.stderr, /TRACE/);
  const v2 = ok(['run', '-o', 'verbose=2', 'true']);
  assert.match(v2.stderr, /flux-shell\[0\]: TRACE: task 0: started true\n/, `stderr: ${JSON.stringify(v2.stderr)}`);
  assert.match(v2.stderr, /flux-shell\[0\]: TRACE: task 0: exited with status 0\n/, `stderr: ${JSON.stringify(v2.stderr)}`);
});

test('-o verbose: no shell line is stamped before the job was submitted (a job whole within one millisecond)', () => {
  // the shell stamped its lines with a millisecond clock, the job manager
  // its events with microseconds: a shell line made in the submit's
  // millisecond printed as -0.000s (about one run in eight here)
  for (let i = 0; i < 30; i++) {
    const r = ok(['run', '-o', 'verbose', 'true']);
    for (const line of r.stderr.split('\n').filter((l) => l.includes('flux-shell'))) assert.match(line, /^\d+\.\d{3}s: /, `run ${i}: ${JSON.stringify(r.stderr)}`);
  }
});

test('--debug: the debug events in the job eventlog', () => {
  const id = ok(['submit', '--debug', 'true']).stdout.trim();
  ok(['job', 'wait-event', id, 'clean']);
  assert.match(ok(['job', 'eventlog', id]).stdout, /debug\.alloc-request/);
});

test('bad values of these shell options are refused at submit in one line', () => {
  refused(['run', '-o', 'cpu-affinity=bogus', 'true'], 'flux-run: ERROR: shell option cpu-affinity: invalid value "bogus" (on, off, per-task or map:LIST)');
  refused(['run', '-o', 'cpu-affinity=0', 'true'], 'flux-run: ERROR: shell option cpu-affinity: invalid value 0 (on, off, per-task or map:LIST)');
  refused(['run', '-o', 'gpu-affinity=map:x', 'true'], "flux-run: ERROR: shell option gpu-affinity: invalid map 'x' (a ;-separated list of cpu or gpu sets)");
  refused(['run', '-o', 'output.limit=lots', 'true'], 'flux-run: ERROR: shell option output.limit: invalid size "lots"');
  refused(['run', '-o', 'verbose=loud', 'true'], 'flux-run: ERROR: shell option verbose: invalid value "loud" (an integer: 1 shows DEBUG lines, 2 TRACE lines too)');
  refused(['run', '-o', 'signal.signum=0', 'true'], 'flux-run: ERROR: shell option signal: invalid signum 0');
  refused(['run', '-o', 'nosuchoption=1', 'true'], "flux-run: ERROR: unknown shell option 'nosuchoption'");
  // a jobspec made by hand meets the same checks at ingest
  const js = JSON.parse(ok(['run', '--dry-run', 'true']).stdout) as { attributes: { system: { shell: { options: Record<string, unknown> } } } };
  js.attributes.system.shell.options['rlimit'] = { nosuch: 1 };
  const raw = inst!.flux(['job', 'submit'], { input: JSON.stringify(js) });
  assert.is(raw.code, 1);
  assert.is(raw.stderr, 'flux-job: shell option rlimit: invalid rlimit "nosuch"\n');
  // Flux shell options flux-ts does not implement: refused, not accepted and ignored
  refused(['run', '-o', 'nosetpgrp', 'true'], "flux-run: ERROR: shell option 'nosetpgrp' is not supported by flux-ts");
  refused(['run', '-o', 'hwloc.xmlfile=x.xml', 'true'], "flux-run: ERROR: shell option 'hwloc.xmlfile' is not supported by flux-ts");
  refused(['run', '-o', 'mpi=spectrum', 'true'], "flux-run: ERROR: shell option mpi: only 'none' is supported by flux-ts (MPI bootstraps through the job shell's PMI-1)");
});

test.run();
