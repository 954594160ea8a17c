/**
 * A node lost while jobs stream through: the jobs running on it fail with an
 * exception, no new job lands on it, every other job completes, and
 * `flux submit --wait` prints one exception line for each failed job.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, tmpdir } from '../helpers/flux';

test('losing rank 2 mid-stream fails only the jobs it ran', () => {
  const tmp = tmpdir();
  try {
    const script = path.join(tmp.dir, 'stream.sh');
    fs.writeFileSync(
      script,
      `#!/bin/sh
p2=$(FLUX_URI=local://$(flux getattr rundir)/local-2 flux getattr broker.pid)
# kill rank 2 once a job runs there (polled, at most 60 s), not after a fixed delay;
# the job that lands on rank 2 holds it until then (on any load, the kill finds it running)
( i=0; until flux jobs -n -f run -o '{ranks}' | grep -qx 2 || [ $i -ge 1200 ]; do sleep 0.05; i=$((i+1)); done; kill -9 $p2 ) &
flux submit --cc=1-40 --wait -N1 --quiet sh -c '[ "$(flux getattr rank)" = 2 ] && exec sleep 120; sleep 0.4' >${tmp.dir}/out 2>${tmp.dir}/err
echo "submit=$?"
flux jobs -a -n -o '{id.f58} {result} {ranks}' >${tmp.dir}/jobs
`,
      { mode: 0o755 },
    );
    const r = flux(['start', '--test-size=3', '--test-exit-mode=leader', script], { timeoutMs: 90_000 });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /submit=1/, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    assert.match(r.stderr, /broker\.err\[0\]: dead to Flux: vm \(rank 2\)/);
    const jobs = fs
      .readFileSync(path.join(tmp.dir, 'jobs'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    assert.is(jobs.length, 40, 'every job is listed');
    const failed = jobs.filter((j) => j[1] !== 'COMPLETED');
    const done = jobs.filter((j) => j[1] === 'COMPLETED');
    assert.ok(failed.length >= 1, 'the job on rank 2 failed');
    for (const j of failed) assert.is(j[2], '2', `failed job ${j[0]} was not on rank 2`);
    assert.is(done.length + failed.length, 40);
    // submit --wait prints one exception line (Flux's form, no id) for each failed job, and nothing else
    const err = fs.readFileSync(path.join(tmp.dir, 'err'), 'utf8').trim().split('\n');
    assert.equal(err, failed.map(() => 'job.exception: type=exec severity=0 lost contact with job shell on broker vm (rank 2)'));
  } finally {
    tmp.cleanup();
  }
});

test.run();
