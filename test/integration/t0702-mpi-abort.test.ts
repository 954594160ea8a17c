/**
 * MPI_Abort in a job (a real MPICH program, built here with mpicc): MPICH's
 * PMI-1 client sends `cmd=abort exitcode=N` to the job shell, which raises a
 * fatal exec exception naming the rank (Flux's shell raises `PMI_Abort`); the
 * other ranks are terminated, `flux run` fails, and the instance goes on.
 * Skipped, with the reason printed, without mpicc.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';
import { skipped } from '../helpers/skip';

const tmp = tmpdir('flux-t0702-');
let inst: Instance | undefined;

const SRC = `#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  int rank, who = argc > 1 ? atoi(argv[1]) : 0;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == who) {
    fprintf(stderr, "Rank %d is going to MPI_Abort now\\n", rank);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 7);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  MPI_Finalize();
  return 0;
}
`;

/** the program, or undefined (and why) when mpicc cannot build it */
function build(): { prog?: string; why?: string } {
  const src = path.join(tmp.dir, 'abort.c');
  const prog = path.join(tmp.dir, 'abort');
  fs.writeFileSync(src, SRC);
  const r = spawnSync('mpicc', ['-O2', '-o', prog, src], { encoding: 'utf8' });
  if (r.error) return { why: 'mpicc is not installed (run ../shared/peers/mpich setup DIR)' };
  if (r.status !== 0) return { why: `mpicc failed: ${r.stderr.trim().split('\n')[0]}` };
  return { prog };
}

const built = build();

test.after(async () => {
  try {
    await inst?.stop();
  } finally {
    tmp.cleanup();
  }
});

if (!built.prog) {
  test('MPI_Abort in a job raises an exception naming the rank', () => skipped('MPI_Abort in a job raises an exception naming the rank', built.why ?? 'mpicc cannot build the program'));
} else {
  const prog = built.prog;

  test.before(async () => {
    inst = await startInstance(['--test-size=2']);
  });

  for (const who of [0, 3]) {
    test(`MPI_Abort on rank ${who} of 4: an exec exception names rank ${who}, the job fails`, () => {
      const r = inst!.flux(['run', '-N2', '-n4', '-o', 'cpu-affinity=off', prog, String(who)], { timeoutMs: 120_000 });
      assert.ok(r.code !== 0, `flux run exited ${r.code}`);
      assert.match(r.stderr, new RegExp(`Rank ${who} is going to MPI_Abort now`));
      assert.match(r.stderr, new RegExp(`job\\.exception \\S+ type=exec severity=0 PMI_Abort: rank ${who} \\(exit code 7\\)$`, 'm'), r.stderr);
      const id = inst!.flux(['jobs', '-a', '-no', '{id.f58} {result}']).stdout.trim().split('\n')[0] ?? '';
      assert.match(id, / FAILED$/);
    });
  }

  test('the instance runs jobs afterwards', () => {
    assert.is(inst!.flux(['run', '-N2', '-n2', 'true']).code, 0);
  });
}

test.run();
