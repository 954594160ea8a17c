/** flux start --test-size: the bound on what the machine can hold (cli/start/size-limit.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sizeRefusal, thisMachine, type Machine } from '../../../cli/start/size-limit';

const MiB = 2 ** 20;
const box: Machine = { available: 4800 * MiB, nproc: 4096, nofile: 1024, heapLimit: 2048 * MiB };

test('separate processes: 48 MiB each against the memory available', () => {
  assert.is(sizeRefusal(100, false, box), undefined);
  assert.is(
    sizeRefusal(101, false, box),
    '--test-size=101: more brokers than this machine can hold (at most 100: 48 MiB each, memory available 4800 MiB); --test-in-process runs many brokers in one process',
  );
});

test('separate processes: 12 tasks each against RLIMIT_NPROC', () => {
  const m = { ...box, nproc: 600 };
  assert.is(sizeRefusal(50, false, m), undefined);
  assert.match(sizeRefusal(51, false, m)!, /\(at most 50: 12 tasks each, RLIMIT_NPROC 600\)/);
});

test('in one process: 256 KiB each against the heap limit or memory, a socket each against RLIMIT_NOFILE', () => {
  assert.is(sizeRefusal(960, true, box), undefined);
  assert.is(sizeRefusal(961, true, box), '--test-size=961: more brokers than one process can hold (at most 960: one socket each, RLIMIT_NOFILE 1024)');
  const many = { ...box, nofile: 1 << 20 };
  assert.match(sizeRefusal(8193, true, many)!, /\(at most 8192: 256 KiB each, heap limit 2048 MiB\)$/);
  assert.match(sizeRefusal(4801, true, { ...many, available: 1024 * MiB })!, /\(at most 4096: 256 KiB each, memory available 1024 MiB\)$/);
});

test('unknown limits do not bound', () => {
  const m = { ...box, nproc: Infinity, nofile: Infinity };
  assert.is(sizeRefusal(100, false, m), undefined);
  assert.is(sizeRefusal(8192, true, m), undefined);
});

test('this machine: figures that can be used', () => {
  const m = thisMachine();
  assert.ok(m.available > 0 && m.heapLimit > 0 && m.nproc > 0 && m.nofile > 0);
});

test.run();
