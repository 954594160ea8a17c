/** The job shell's option logic: taskmap schemes and RFC 34 encoding, affinity sets, rlimit plans, signal, output.limit. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeRfc34, placementPmiMapping, placementTaskmap } from '../../../modules/job-exec/rfc34';
import { applyTaskmap, decodeTaskmap } from '../../../plugins/shell/taskmap/scheme';
import { divide, parseMap, taskGpuSets } from '../../../plugins/shell/affinity/sets';
import { planRlimits } from '../../../plugins/shell/rlimit/limits';
import { signalName, signalOption } from '../../../plugins/shell/signal/option';
import { OUTPUT_LIMIT_MAX, OutputLimit, chooseLimit, parseSize } from '../../../modules/job-exec/output-limit';
import { shellOptionError } from '../../../modules/job-ingest/shell-options';
import type { ShellPlacement } from '../../../modules/job-exec/taskmap';

const block = (counts: number[]): ShellPlacement[] => {
  let first = 0;
  return counts.map((count, i) => {
    const p = { rank: i, shellRank: i, first, count, cores: '0', gpus: '' };
    first += count;
    return p;
  });
};
const noFile = () => Promise.reject(new Error('no file'));

test('RFC 34 encoding: block, cyclic, uneven', () => {
  assert.equal(encodeRfc34([0, 0, 1, 1]), [[0, 2, 2, 1]]);
  assert.equal(encodeRfc34([0, 1, 0, 1]), [[0, 2, 1, 2]]);
  assert.equal(encodeRfc34([0, 0, 0, 1]), [[0, 1, 3, 1], [1, 1, 1, 1]]);
  assert.equal(decodeTaskmap('[[0,2,1,2]]'), [0, 1, 0, 1]);
  assert.equal(decodeTaskmap('{"version":1,"map":[[1,1,1,1],[0,1,1,1]]}'), [1, 0]);
  assert.equal(decodeTaskmap('0,2;1,3'), [0, 1, 0, 1]);
  assert.throws(() => decodeTaskmap('garbage'), /error parsing range 'garbage'/);
  assert.throws(() => decodeTaskmap('0;0'), /task 0 is mapped twice/);
});

test('cyclic, cyclic:N, manual and hostfile keep each node its task count', async () => {
  const p = block([2, 2]);
  await applyTaskmap(p, { scheme: 'cyclic', value: '' }, ['a', 'b'], noFile);
  assert.equal(p.map((x) => x.ranks), [[0, 2], [1, 3]]);
  assert.equal(placementTaskmap(p), { version: 1, map: [[0, 2, 1, 2]] });
  assert.is(placementPmiMapping(p), '(vector,(0,2,1),(0,2,1))');
  const q = block([3, 1]);
  await applyTaskmap(q, { scheme: 'cyclic', value: '2' }, ['a', 'b'], noFile);
  assert.equal(q.map((x) => x.ranks), [[0, 1, 3], [2]]);
  const m = block([1, 1]);
  await applyTaskmap(m, { scheme: 'manual', value: '[[1,1,1,1],[0,1,1,1]]' }, ['a', 'b'], noFile);
  assert.equal(m.map((x) => x.ranks), [[1], [0]]);
  const h = block([1, 1]);
  await applyTaskmap(h, { scheme: 'hostfile', value: 'f' }, ['a', 'b'], () => Promise.resolve('b\na\n'));
  assert.equal(h.map((x) => x.ranks), [[1], [0]]);
  const bad = block([1, 1]);
  await applyTaskmap(bad, { scheme: 'manual', value: '[[0,1,2,1]]' }, ['a', 'b'], noFile).then(
    () => assert.unreachable(),
    (e: Error) => assert.is(e.message, 'taskmap: the map gives node 0 2 tasks, it runs 1'),
  );
  await applyTaskmap(block([1]), { scheme: 'nosuch' }, ['a'], noFile).then(
    () => assert.unreachable(),
    (e: Error) => assert.is(e.message, 'failed to map tasks with scheme=nosuch'),
  );
  await applyTaskmap(block([2]), { scheme: 'hostfile', value: 'f' }, ['a'], () => Promise.resolve('a\nz\n')).then(
    () => assert.unreachable(),
    (e: Error) => assert.is(e.message, 'taskmap: host z is not in the job'),
  );
});

test('affinity: per-task division, maps, gpu sets', () => {
  assert.equal(divide([0, 1, 2, 3], 2), [[0, 1], [2, 3]]);
  assert.equal(divide([0, 1], 1), [[0, 1]]);
  assert.equal(divide([4, 5], 4), [[4], [4], [5], [5]]);
  assert.equal(parseMap('0-1;2'), [[0, 1], [2]]);
  assert.equal(parseMap('0x3;0xc'), [[0, 1], [2, 3]]);
  assert.throws(() => parseMap('x'), /invalid entry 'x'/);
  assert.equal(taskGpuSets(undefined, '0-1', 2), ['0,1', '0,1']);
  assert.equal(taskGpuSets('per-task', '0-1', 2), ['0', '1']);
  assert.equal(taskGpuSets('map:1;0', '0-1', 2), ['1', '0']);
  assert.equal(taskGpuSets('off', '0-1', 2), [undefined, undefined]);
  assert.equal(taskGpuSets(undefined, '', 1), ['-1']);
  assert.equal(taskGpuSets('off', '', 1), [undefined]);
});

test('rlimit plan: numbers, unlimited clamped to the hard limit with a warning, bad names', () => {
  const p = planRlimits({ nofile: 64, core: 0 });
  assert.equal(p.rules, [[7, 64], [4, 0]]);
  assert.equal(p.warnings, []);
  assert.throws(() => planRlimits({ nosuch: 1 }), /invalid rlimit "nosuch"/);
  assert.throws(() => planRlimits({ nofile: 'x' }), /invalid value in nofile="x"/);
  const big = planRlimits({ nofile: Number.MAX_SAFE_INTEGER });
  assert.equal(big.warnings, ['rlimit: nofile exceeds current max, raising value to hard limit']);
});

test('signal option and names', () => {
  assert.equal(signalOption({ signum: 10, timeleft: 2 }), { signum: 10, timeleft: 2 });
  assert.equal(signalOption(1), { signum: 10, timeleft: 60 });
  assert.is(signalOption(undefined), undefined);
  assert.throws(() => signalOption({ signum: 0 }), /invalid signum 0/);
  assert.is(signalName(10), 'SIGUSR1');
});

test('output.limit: sizes, truncation per stream, one warning and a summary', () => {
  assert.is(parseSize('10'), 10);
  assert.is(parseSize('1K'), 1024);
  assert.is(parseSize('1.5M'), 1.5 * 1024 * 1024);
  assert.is(parseSize('lots'), undefined);
  const warned: string[] = [];
  const l = new OutputLimit(5, '5', (m) => warned.push(m));
  assert.is(l.admit('stdout', 'abc'), 'abc');
  assert.is(l.admit('stdout', 'defg'), 'de');
  assert.is(l.admit('stdout', 'h'), '');
  assert.is(l.admit('stderr', 'x'), 'x');
  assert.equal(warned, ['output: stdout will be truncated, 5 limit exceeded']);
  assert.is(l.summary('stdout'), 'output: stdout: 3 of 8 bytes truncated');
  assert.is(l.summary('stdout'), undefined);
  assert.is(l.summary('stderr'), undefined);
});

test('output.limit: 1G by default, 10M for a guest, at most 1G (capped, with a warning)', () => {
  const owner = chooseLimit(undefined, false);
  assert.equal(owner, { limit: 1024 ** 3, display: '1G', note: "output: limit 1G per stream (default for the instance owner's jobs)", capped: false });
  const guest = chooseLimit(undefined, true);
  assert.equal(guest, { limit: 10 * 1024 ** 2, display: '10M', note: "output: limit 10M per stream (default for a guest's jobs)", capped: false });
  // an explicit limit is the job's, a guest's too, up to OUTPUT_LIMIT_MAX
  assert.equal(chooseLimit('10', true), { limit: 10, display: '10', note: 'output: limit 10 per stream', capped: false });
  assert.equal(chooseLimit('1G', true), { limit: OUTPUT_LIMIT_MAX, display: '1G', note: 'output: limit 1G per stream', capped: false });
  assert.equal(chooseLimit('4G', false), { limit: OUTPUT_LIMIT_MAX, display: '1G', note: 'output: output.limit=4G capped at 1G per stream', capped: true });
  assert.equal(chooseLimit(2 ** 40, false), { limit: OUTPUT_LIMIT_MAX, display: '1G', note: `output: output.limit=${2 ** 40} capped at 1G per stream`, capped: true });
  assert.is(chooseLimit('lots', false), 'output.limit: invalid size "lots"');
  assert.is(OUTPUT_LIMIT_MAX, 1073741824);
});

test('job-ingest: values of the shell options flux-ts implements', () => {
  assert.is(shellOptionError('rlimit', { nofile: 128, core: -1 }), undefined);
  assert.is(shellOptionError('rlimit', { nosuch: 1 }), 'shell option rlimit: invalid rlimit "nosuch"');
  assert.is(shellOptionError('taskmap', { scheme: 'cyclic', value: '2' }), undefined);
  assert.is(shellOptionError('taskmap', { scheme: 'x' }), "shell option taskmap: unknown scheme 'x'");
  assert.is(shellOptionError('cpu-affinity', 'map:0-1;0x3'), undefined);
  assert.is(shellOptionError('cpu-affinity', 1), 'shell option cpu-affinity: invalid value 1 (on, off, per-task or map:LIST)');
  assert.is(shellOptionError('output', { limit: '1G', stdout: { buffer: { type: 'none' } } }), undefined);
  assert.is(shellOptionError('output', { stdout: { buffer: { type: 'full' } } }), 'shell option output.stdout.buffer.type: invalid value "full" (none or line)');
  assert.is(shellOptionError('signal', { signum: 10, timeleft: 60 }), undefined);
  assert.is(shellOptionError('verbose', 2), undefined);
  for (const ok of ['none', 'NONE', '30s', '1.5', 'inf', 0, 30]) assert.is(shellOptionError('exit-timeout', ok), undefined, String(ok));
  assert.is(shellOptionError('exit-timeout', 'abc'), 'shell option exit-timeout: "abc" is not a valid Flux Standard Duration (or none)');
  assert.is(shellOptionError('exit-timeout', -1), 'shell option exit-timeout: -1 is not a valid Flux Standard Duration (or none)');
  assert.is(shellOptionError('output', { mode: 'append' }), undefined);
  assert.is(shellOptionError('output', { mode: 'bogus' }), 'shell option output.mode: invalid value "bogus" (truncate or append)');
});

test.run();
