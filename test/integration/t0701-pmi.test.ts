/**
 * flux pmi (flux-pmi(1)): a PMI-1 client that works inside a job (the job
 * shell's PMI server over PMI_FD=3, through the warm client pool and without
 * it), under mpiexec.hydra (PMI_FD and PMI_PORT), and as a singleton outside;
 * its subcommands barrier, exchange, get, the -v trace, and one line for each
 * usage error; shell option pmi's names (pmi1 and pmi2 are simple, an
 * unknown one is refused at submit).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { flux, run, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { skipped, testWhen } from '../helpers/skip';

let inst: Instance;
const tmp = tmpdir('flux-t0701-');
const hydra = spawnSync('sh', ['-c', 'command -v mpiexec.hydra'], { encoding: 'utf8' }).stdout.trim();
/** the environment of a command outside any job or launcher */
const outside: NodeJS.ProcessEnv = { TMPDIR: tmp.dir, FLUX_URI: undefined, FLUX_JOB_ID: undefined, FLUX_JOB_CC: undefined };
const JOBID = '(?:ƒ|f)[1-9A-HJ-NP-Za-km-z]+';

test.before(async () => {
  inst = await startInstance(['--test-size=2']);
});
test.after(async () => {
  try {
    await inst.stop();
  } finally {
    tmp.cleanup();
  }
});

test('flux run -n4 flux pmi barrier: every task exits 0, rank 0 prints the barrier (pool and no pool)', () => {
  for (const pool of ['1', '0']) {
    const r = inst.flux(['run', '-n4', 'flux', 'pmi', 'barrier'], { env: { FLUX_CLI_POOL: pool } });
    assert.is(r.code, 0, `pool=${pool}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^${JOBID}: completed pmi barrier on 4 tasks in \\d+\\.\\d{3}s\\.\\n$`), `pool=${pool}`);
    assert.is(r.stderr, '');
  }
});

test('barrier --test-timing --test-count=3: three timed barriers', () => {
  const r = inst.flux(['run', '-N2', '-n4', 'flux', 'pmi', 'barrier', '--test-timing', '--test-count=3']);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.is(lines.length, 3, r.stdout);
  for (const l of lines) assert.match(l, new RegExp(`^${JOBID}: completed pmi barrier on 4 tasks in \\d+\\.\\d{3}s\\.$`));
});

test('exchange across two shells: every rank reads every rank key, --count times', () => {
  const r = inst.flux(['run', '-N2', '-n4', 'flux', 'pmi', 'exchange', '--count=2']);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.is(lines.length, 2, r.stdout);
  for (const l of lines) assert.match(l, new RegExp(`^${JOBID}: completed pmi exchange on 4 tasks in \\d+\\.\\d{3}s\\.$`));
});

test('get: the shell preput keys, on the ranks asked for', () => {
  let r = inst.flux(['run', '-n2', '--label-io', 'flux', 'pmi', 'get', '--ranks=all', 'flux.instance-level']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stdout.trimEnd().split('\n').sort(), ['0: 1', '1: 1']);
  r = inst.flux(['run', '-N1', '-n2', '--label-io', 'flux', 'pmi', 'get', 'flux.instance-level', 'PMI_process_mapping']);
  assert.equal([r.code, r.stdout], [0, '0: 1\n0: (vector,(0,1,2))\n'], r.stderr);
  r = inst.flux(['run', '-N2', '-n2', '--label-io', 'flux', 'pmi', 'get', '--ranks=1', 'PMI_process_mapping']);
  assert.equal([r.code, r.stdout], [0, '1: (vector,(0,2,1))\n'], r.stderr);
  r = inst.flux(['run', 'flux', 'pmi', 'get', 'nosuchkey']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^flux-pmi: get nosuchkey: key not found$/m);
});

test('-v traces each operation as Flux does', () => {
  const r = inst.flux(['run', '-n2', '--label-io', 'flux', 'pmi', '-v', '--method=simple', 'barrier']);
  assert.is(r.code, 0, r.stderr);
  const one = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('1: '))
    .map((l) => l.replace(/name=\S+:/, 'name=ID:'));
  assert.equal(one, ['1: simple: initialize: rank=1 size=2 name=ID: success', '1: simple: barrier: success', '1: simple: finalize: success']);
});

test('-o pmi=off: no PMI for --method=simple; the default falls back to a singleton', () => {
  let r = inst.flux(['run', '-o', 'pmi=off', 'flux', 'pmi', '--method=simple', 'barrier']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^flux-pmi: simple: PMI_FD not found in environ$/m);
  r = inst.flux(['run', '-o', 'pmi=off', 'flux', 'pmi', 'barrier']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^${JOBID}: completed pmi barrier on 1 tasks in \\d+\\.\\d{3}s\\.\\n$`));
});

test('-o pmi=pmi1, pmi2 and lists naming simple are the simple PMI: one job of 4 ranks, not 4 singletons', () => {
  for (const pmi of ['pmi1', 'pmi2', 'simple,pmi2', 'pmi2,off']) {
    const r = inst.flux(['run', '-N2', '-n4', '-o', `pmi=${pmi}`, 'flux', 'pmi', 'barrier']);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${JOBID}: completed pmi barrier on 4 tasks in \\d+\\.\\d{3}s\\.\\n$`), `pmi=${pmi}`);
  }
});

{
  const given = process.env['MPI_HELLO'] ?? '/tmp/flux-ts-peers/mpi-hello';
  const name = 'flux run -N2 -n4 -o pmi=pmi2 mpi-hello: an MPI job of 4 ranks';
  testWhen(test, name, fs.existsSync(given) ? undefined : `no mpi-hello (set MPI_HELLO; ${given} is missing)`, () => {
    const r = inst.flux(['run', '-N2', '-n4', '-o', 'pmi=pmi2', given]);
    assert.is(r.code, 0, r.stderr);
    assert.equal(r.stdout.trimEnd().split('\n').map((l) => l.replace(/ on \S+,/, ',')).sort(), [0, 1, 2, 3].map((i) => `mpi-hello: rank ${i} of 4, allreduce sum 6 (ok)`));
  });
}

test('-o pmi=NAME with a name flux-ts does not know: refused at submit, with the names it knows', () => {
  const r = inst.flux(['run', '-o', 'pmi=simple,bogus', 'true']);
  assert.equal(r, { stdout: '', stderr: "flux-run: ERROR: shell option pmi: unknown PMI 'bogus' (flux-ts knows simple, pmi1, pmi2, off, none)\n", code: 1 });
});

test('outside a job: a singleton, and one line for each error', () => {
  let r = flux(['pmi', 'barrier'], { env: outside });
  assert.match(r.stdout, /^0: completed pmi barrier on 1 tasks in \d+\.\d{3}s\.\n$/);
  assert.is(r.code, 0, r.stderr);
  r = flux(['pmi', '-v', 'exchange'], { env: outside });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /^single: put key=key\.0 value=single-\d+-0-1: success$/m);
  const errors: Array<[string[], string]> = [
    [['pmi', '--method=simple', 'barrier'], 'flux-pmi: simple: PMI_FD not found in environ\n'],
    [['pmi', '--method=single', 'get', 'notakey'], 'flux-pmi: get notakey: key not found\n'],
    [['pmi', '--method=badmethod', 'barrier'], "flux-pmi: plugin 'badmethod' not found\n"],
    [['pmi', '--method=libpmi2', 'barrier'], 'flux-pmi: libpmi2: not available in flux-ts (it cannot dlopen a PMI library): use --method=simple\n'],
    [['pmi', '--libpmi2-cray', 'barrier'], 'flux-pmi: --libpmi2-cray: the libpmi2 method is not available in flux-ts\n'],
    [['pmi', 'get', '--ranks=1.2', 'flux.taskmap'], 'flux-pmi: could not decode --ranks argument\n'],
    [['pmi', 'barrier', '--test-count=x'], 'flux-pmi: --test-count=x: must be an integer >= 0\n'],
    // liboptparse names the sub-command's parser by its full name
    [['pmi', 'get', '--badopt', 'foo'], "flux-pmi get: unrecognized option '--badopt'\nTry `flux-pmi get --help' for more information.\n"],
  ];
  for (const [args, stderr] of errors) {
    r = flux(args, { env: outside });
    assert.equal([r.code, r.stderr], [1, stderr], args.join(' '));
  }
  r = flux(['pmi', 'notacmd'], { env: outside });
  assert.is(r.code, 1);
  assert.match(r.stderr, /^flux-pmi: unknown command 'notacmd'\nUsage: flux-pmi/);
  r = flux(['pmi', 'barrier', 'extra'], { env: outside });
  assert.is(r.code, 1);
  assert.match(r.stderr, /^Usage: flux-pmi barrier/);
});

test('barrier --test-abort=1: the job fails with an exception naming rank 1', () => {
  const r = inst.flux(['run', '-n2', 'flux', 'pmi', 'barrier', '--test-abort=1']);
  assert.is(r.code, 143, r.stderr);
  assert.match(r.stderr, /^flux-pmi: rank 1 is aborting$/m);
  assert.match(r.stderr, /job\.exception \S+ type=exec severity=0 PMI_Abort: rank 1 \(exit code 1\): flux-pmi: rank 1 is aborting$/m);
  // the instance is fine
  assert.is(inst.flux(['run', 'true']).code, 0);
});

if (!hydra) {
  const name = 'mpiexec.hydra -n 2 flux pmi barrier (PMI_FD, PMI_PORT, through an instance pool)';
  test(name, () => skipped(name, 'mpiexec.hydra is not installed (run ../shared/peers/mpich setup DIR)'));
} else {
  test('mpiexec.hydra -n 2 flux pmi barrier: PMI_FD and PMI_PORT, alone and through an instance pool', () => {
    for (const port of [[], ['-pmi-port']]) {
      const r = run(hydra, ['-launcher', 'fork', ...port, '-n', '2', 'flux', 'pmi', 'barrier'], { env: outside });
      assert.is(r.code, 0, r.stderr);
      assert.match(r.stdout, /^0: completed pmi barrier on 2 tasks in \d+\.\d{3}s\.\n$/, port.join(''));
    }
    // inside an instance: hydra's tasks inherit descriptors 3-20 (PMI_FD among them), numbers the
    // warm clients hold themselves, so they decline and each command runs in a fresh Node
    const r = run(hydra, ['-launcher', 'fork', '-n', '2', 'flux', 'pmi', 'exchange'], { env: { ...inst.env, TMPDIR: tmp.dir, FLUX_JOB_ID: undefined, FLUX_JOB_CC: undefined } });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /^0: completed pmi exchange on 2 tasks in \d+\.\d{3}s\.\n$/);
  });
}

test.run();
