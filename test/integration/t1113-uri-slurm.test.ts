/**
 * flux uri slurm:JOBID against a real Slurm (../shared/peers/slurm, brought up
 * by the test and taken down after): a Flux instance started by sbatch is
 * found through srun, scontrol listpids and the pid: resolver. Skipped, and
 * reported so, where Slurm cannot be started.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, run, tmpdir } from '../helpers/flux';
import { withPeerLock } from '../helpers/peer-lock';
import { skipped } from '../helpers/skip';
import { waitUntil } from '../helpers/wait';

const SLURM = path.resolve(ROOT, '..', 'shared', 'peers', 'slurm');
const NAME = 'slurm:JOBID finds the Flux instance sbatch started; a finished job is one line';

test(NAME, () => withPeerLock('slurm', async () => {
  if (!fs.existsSync(SLURM) || process.getuid?.() !== 0) return skipped(NAME, 'needs root and ../shared/peers/slurm');
  const up = run('bash', [SLURM, 'up', '1'], { timeoutMs: 180_000 });
  if (up.code !== 0) return skipped(NAME, `Slurm could not be started here: ${up.stderr.trim().split('\n').pop()}`);
  const tmp = tmpdir('flux-slurm-');
  const env = { PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}`, FLUX_URI: '' };
  let jobid = '';
  try {
    const sb = run('sbatch', ['--parsable', '-o', path.join(tmp.dir, 'out-%j'), '--wrap', "flux start sh -c 'echo $FLUX_URI; exec sleep 300'"], { env, cwd: tmp.dir });
    assert.is(sb.code, 0, sb.stderr);
    jobid = sb.stdout.trim();
    const out = path.join(tmp.dir, `out-${jobid}`);
    // the instance is up once its initial program printed its URI (after the broker's singleton notice)
    const want = await waitUntil(() => (fs.existsSync(out) ? /^(local:\/\/\S+)\n/m.exec(fs.readFileSync(out, 'utf8'))?.[1] : undefined), {
      what: `the Flux instance of Slurm job ${jobid} to start`,
      timeoutMs: 60_000,
    });
    const r = run('flux', ['uri', `slurm:${jobid}`], { env, timeoutMs: 120_000 });
    assert.equal([r.code, r.stdout, r.stderr], [0, `${want}\n`, '']);
    run('scancel', [jobid]);
    await waitUntil(() => run('squeue', ['-h', '-j', jobid]).stdout.trim() === '', { what: `Slurm job ${jobid} to end`, timeoutMs: 60_000 });
    const gone = run('flux', ['uri', `slurm:${jobid}`], { env, timeoutMs: 120_000 });
    assert.is(gone.code, 1);
    assert.match(gone.stderr, new RegExp(`^flux-uri: ERROR: slurm:${jobid}: .+\\n$`));
  } finally {
    if (jobid) run('scancel', [jobid]);
    run('bash', [SLURM, 'down'], { timeoutMs: 60_000 });
    tmp.cleanup();
  }
}));

test.run();
