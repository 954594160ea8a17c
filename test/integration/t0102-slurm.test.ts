/**
 * The broker's PMI client under a real Slurm (../shared/peers/slurm: slurmctld +
 * two slurmd on this machine): `srun --mpi=pmi2 -N2 flux start ...` makes one
 * instance of two brokers. Slurm is brought up by the test and taken down after.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, run } from '../helpers/flux';
import { withPeerLock } from '../helpers/peer-lock';
import { skipped } from '../helpers/skip';

const SLURM = path.resolve(ROOT, '..', 'shared', 'peers', 'slurm');

function available(): string | undefined {
  if (!fs.existsSync(SLURM)) return `${SLURM} not found`;
  if (process.getuid?.() !== 0) return 'peers/slurm needs root';
  return undefined;
}

const SRUN = 'srun --mpi=pmi2 -N2 flux start: one instance of size 2';
test(SRUN, () => withPeerLock('slurm', () => {
  const why = available();
  if (why) {
    skipped(SRUN, why);
    return;
  }
  const up = run('bash', [SLURM, 'up', '2'], { timeoutMs: 180_000 });
  if (up.code !== 0) {
    skipped(SRUN, `Slurm could not be started here: ${up.stderr.trim().split('\n').pop()}`);
    return;
  }
  try {
    const env = { PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}` };
    const size = run('srun', ['--mpi=pmi2', '-N2', '-n2', 'flux', 'start', 'flux', 'getattr', 'size'], { env, cwd: os.tmpdir(), timeoutMs: 60_000 });
    assert.is(size.code, 0, size.stderr);
    assert.is(size.stdout, '2\n');
    const info = run('srun', ['--mpi=pmi2', '-N2', '-n2', 'flux', 'start', 'sh', '-c', 'flux resource info; flux run -N2 --label-io printenv FLUX_TASK_RANK | sort'], {
      env,
      cwd: os.tmpdir(),
      timeoutMs: 60_000,
    });
    assert.is(info.code, 0, info.stderr);
    assert.is(info.stdout, `2 Nodes, ${2 * os.availableParallelism()} Cores, 0 GPUs\n0: 0\n1: 1\n`);
    // without --mpi=pmi2 Slurm gives no PMI: each broker says it runs alone
    const single = run('srun', ['-N1', '-n1', 'flux', 'start', 'flux', 'getattr', 'size'], { env, cwd: os.tmpdir(), timeoutMs: 60_000 });
    assert.is(single.stdout, '1\n');
    assert.match(single.stderr, /running as a singleton/);
  } finally {
    run('bash', [SLURM, 'down'], { timeoutMs: 60_000 });
  }
}));

test.run();
