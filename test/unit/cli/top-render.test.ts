/**
 * flux top's screen layout against the capture of Flux 0.88's flux-top in
 * the reference (flux-core-outputs-2.md §6.5): the summary lines character
 * for character, a child's title and depth, job rows, scrolling, truncation.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { screenLines, summaryLines, jobLine, JOB_HEADING } from '../../../cli/top/render';
import type { Snapshot } from '../../../cli/top/snapshot';
import { parseJobId } from '../../../lib/formats/fluid';

process.env['LANG'] = 'C.UTF-8';
delete process.env['LC_ALL'];
delete process.env['FLUX_F58_FORCE_ASCII'];

const base: Snapshot = {
  size: 2,
  depth: 0,
  uptime: 6.1,
  version: '0.88.0',
  timeleft: Infinity,
  nodes: { used: 2, total: 2 },
  cores: { used: 3, total: 4 },
  gpus: { used: 0, total: 0 },
  pending: 0,
  running: 2,
  complete: 1,
  failed: 0,
  jobs: [
    { id: Number(parseJobId('ƒbpE8pf')), user: 'root', state: 'R', ntasks: 1, nnodes: 1, runtime: 4.6, name: 'solo' },
    { id: Number(parseJobId('ƒFhTt3H')), user: 'root', state: 'R', ntasks: 1, nnodes: 1, runtime: 5.4, name: 'outer' },
  ],
};

test("the summary is Flux's, character for character", () => {
  assert.equal(summaryLines(base, []), [
    'ƒ                                                                             ∞',
    '    nodes [||||||||||||||||||||||||2/2]                         0 pending',
    '    cores [||||||||||||||||||      3/4]                         2 running',
    '     gpus [                        0/0]        1 complete,      0 failed',
    '',
    ' size: 2                       uptime: 6.1s                              0.88.0',
  ]);
});

test('job rows under the heading', () => {
  const lines = screenLines(base, [], 120, 30, 0);
  assert.is(lines[6], JOB_HEADING);
  assert.is(lines[7], '     ƒbpE8pf     root  R      1      1    4.6s solo');
  assert.is(lines[8], '     ƒFhTt3H     root  R      1      1    5.4s outer');
  assert.is(lines.length, 9);
});

test("a child: its path centred, depth, time left", () => {
  const child = { ...base, size: 1, depth: 1, uptime: 10, timeleft: 59 * 60, nodes: { used: 1, total: 1 }, cores: { used: 1, total: 2 } };
  const [title, nodes, cores, , , info] = summaryLines(child, ['ƒFhTt3H']);
  assert.is(title, 'ƒ' + ' '.repeat(34) + '/ƒFhTt3H' + ' '.repeat(33) + '59m');
  assert.is([...title!].length, 79);
  assert.is(nodes, '    nodes [||||||||||||||||||||||||1/1]                         0 pending');
  assert.is(cores, '    cores [||||||||||||            1/2]                         2 running');
  assert.is(info, ' size: 1   depth: 1            uptime: 10s                               0.88.0');
});

test('rows scroll to keep the selection on screen, and are cut at the width', () => {
  const many = { ...base, jobs: Array.from({ length: 20 }, (_, i) => ({ ...base.jobs[0]!, name: `job${i}` })) };
  const lines = screenLines(many, [], 80, 10, 5);
  assert.is(lines.length, 10);
  assert.match(lines[7]!, / job5$/);
  assert.match(lines[9]!, / job7$/);
  const long = jobLine({ ...base.jobs[0]!, name: 'x'.repeat(100) }, 60);
  assert.is([...long].length, 60);
});

test.run();
