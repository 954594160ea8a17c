/**
 * GPU discovery through the real code path: with an `nvidia-smi` on PATH that
 * lists GPUs (a stand-in here: this machine has none), `flux resource` counts
 * them, R carries them, and jobs can ask for them with -g.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startInstance, tmpdir } from '../helpers/flux';
import { skipped } from '../helpers/skip';

const GPUS = 'two GPUs per broker are discovered and allocatable';
test(GPUS, async () => {
  if (fs.existsSync('/proc/driver/nvidia/gpus')) {
    skipped(GPUS, 'this machine has a real NVIDIA driver; the stand-in would be ignored');
    return;
  }
  const tmp = tmpdir();
  fs.writeFileSync(
    path.join(tmp.dir, 'nvidia-smi'),
    '#!/bin/sh\n[ "$1" = "-L" ] || exit 1\necho "GPU 0: NVIDIA H200 (UUID: GPU-aaaa)"\necho "GPU 1: NVIDIA H200 (UUID: GPU-bbbb)"\n',
    { mode: 0o755 },
  );
  const inst = await startInstance(['--test-size=2'], { env: { PATH: `${tmp.dir}:${process.env['PATH']}` } });
  try {
    const ncores = os.availableParallelism();
    assert.is(inst.flux(['resource', 'info']).stdout, `2 Nodes, ${2 * ncores} Cores, 4 GPUs\n`);
    assert.is(inst.flux(['resource', 'list', '-no', '{ngpus}']).stdout.split('\n')[0], '4');
    const r = inst.flux(['run', '-N2', '-n2', '-g1', '--label-io', 'sh', '-c', 'echo "ok $CUDA_VISIBLE_DEVICES"']);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout.split('\n').sort().join('\n'), '\n0: ok 0\n1: ok 0');
    const two = inst.flux(['run', '-N1', '-n1', '-g2', 'sh', '-c', 'echo "$CUDA_VISIBLE_DEVICES"']);
    assert.is(two.stdout, '0,1\n', two.stderr);
    const bad = inst.flux(['run', '-n1', '-g3', 'true']);
    assert.is.not(bad.code, 0);
    assert.match(bad.stderr, /gpu/i);
  } finally {
    await inst.stop();
    tmp.cleanup();
  }
});

test.run();
