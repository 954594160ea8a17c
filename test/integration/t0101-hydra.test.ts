/**
 * Interoperability with MPICH hydra (peers/mpich): brokers bootstrap from
 * `mpiexec.hydra` over PMI_FD and over PMI_PORT (-pmi-port), the singleton path
 * under hydra, and a real MPICH program served by `flux start --test-size`'s PMI
 * server. Skipped, with the reason printed, when mpiexec.hydra is not installed
 * (.ci/run installs MPICH so CI runs it).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, flux, run, tmpdir } from '../helpers/flux';
import { skipped, testWhen } from '../helpers/skip';

const hydra = spawnSync('sh', ['-c', 'command -v mpiexec.hydra'], { encoding: 'utf8' }).stdout.trim();
const tmp = tmpdir('flux-t0101-');
const env = { TMPDIR: tmp.dir };

/** mpi-hello: $MPI_HELLO, or built here with mpicc from peers/mpi-hello.c; undefined if neither. */
function mpiHello(): string | undefined {
  const given = process.env['MPI_HELLO'];
  if (given && fs.existsSync(given)) return given;
  const src = path.join(ROOT, '..', 'shared', 'peers', 'mpi-hello.c');
  const out = path.join(tmp.dir, 'mpi-hello');
  if (!fs.existsSync(src)) return undefined;
  const r = spawnSync('mpicc', ['-O2', '-o', out, src], { encoding: 'utf8' });
  return r.status === 0 ? out : undefined;
}

const leftovers = () => spawnSync('pgrep', ['-f', `broker --setattr=rundir=${tmp.dir}|mpiexec.hydra.*flux start`], { encoding: 'utf8' }).stdout;

test.after(() => tmp.cleanup());

const noHydra = hydra ? undefined : 'mpiexec.hydra is not installed (run ../shared/peers/mpich setup DIR)';
{
  testWhen(test, 'mpiexec.hydra -n 3 flux start: one instance of 3 brokers', noHydra, () => {
    const r = run(hydra, ['-launcher', 'fork', '-n', '3', 'flux', 'start', 'flux', 'getattr', 'size'], { env });
    assert.is(r.stdout, '3\n', r.stderr);
    assert.is(r.code, 0);
    assert.is(leftovers(), '');
  });

  testWhen(test, 'mpiexec.hydra -pmi-port -n 3 flux start (PMI_PORT transport)', noHydra, () => {
    const r = run(hydra, ['-launcher', 'fork', '-pmi-port', '-n', '3', 'flux', 'start', 'flux', 'getattr', 'size'], { env });
    assert.is(r.stdout, '3\n', r.stderr);
    assert.is(r.code, 0);
  });

  testWhen(test, 'mpiexec.hydra -n 1 flux start: the singleton path under PMI', noHydra, () => {
    const r = run(hydra, ['-launcher', 'fork', '-n', '1', 'flux', 'start', 'sh', '-c', 'flux getattr size; flux getattr broker.boot-method'], { env });
    assert.is(r.stdout, '1\nsimple\n', r.stderr);
    assert.is(r.code, 0);
  });

  const MPI = 'a real MPICH program under flux start --test-size (our PMI server)';
  testWhen(test, MPI, noHydra, () => {
    const prog = mpiHello();
    if (!prog) {
      skipped(MPI, 'mpicc not available to build mpi-hello');
      return;
    }
    const r = flux(['start', '-s3', `--wrap=${prog}`, 'true'], { env });
    assert.is(r.code, 0, r.stderr);
    assert.equal(r.stdout.trimEnd().split('\n').sort(), [0, 1, 2].map((i) => `mpi-hello: rank ${i} of 3 on ${os.hostname()}, allreduce sum 3 (ok)`));
  });
}

test.run();
