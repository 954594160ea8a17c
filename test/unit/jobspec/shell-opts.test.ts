/** The submission options that become shell options and files: --rlimit rules, --signal, --taskmap, --add-file. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyRlimitRules } from '../../../cli/jobspec/rlimit';
import { parseAddFile, parseSignal, parseTaskmap } from '../../../cli/jobspec/shell-opts';

const occ = (long: string, value: string) => ({ value, typed: `--${long}=${value}` });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-shell-opts-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('--rlimit rules: set, remove, globs, propagate by name', () => {
  const base = { nofile: 1024, core: 0, stack: 8192 };
  assert.equal(applyRlimitRules(['nofile=128'], base), { nofile: 128, core: 0, stack: 8192 });
  assert.equal(applyRlimitRules(['-*,nofile=128'], base), { nofile: 128 });
  assert.equal(applyRlimitRules(['-core', 'stack=unlimited'], base), { nofile: 1024, stack: -1 });
  assert.equal(applyRlimitRules(['-s*'], base), { nofile: 1024, core: 0 });
  assert.throws(() => applyRlimitRules(['nosuch=1'], base), /Invalid rlimit "nosuch"/);
  assert.throws(() => applyRlimitRules(['nofile=abc'], base), /Invalid value in nofile=abc/);
  assert.throws(() => applyRlimitRules(['-zz*'], base), /Invalid rlimit "zz\*"/);
});

test('--signal: defaults, names with or without SIG, numbers, errors', () => {
  assert.equal(parseSignal(occ('signal', '')), { signum: 10, timeleft: 60 });
  assert.equal(parseSignal(occ('signal', 'SIGUSR2@2s')), { signum: 12, timeleft: 2 });
  assert.equal(parseSignal(occ('signal', 'term@1m')), { signum: 15, timeleft: 60 });
  assert.equal(parseSignal(occ('signal', '@5')), { signum: 10, timeleft: 5 });
  assert.equal(parseSignal(occ('signal', '2')), { signum: 2, timeleft: 60 });
  assert.throws(() => parseSignal(occ('signal', 'SIGNOPE@2s')), /--signal=SIGNOPE@2s: signal 'SIGNOPE' is invalid/);
  assert.throws(() => parseSignal(occ('signal', 'USR1@abc')), /invalid Flux standard duration/);
});

test('--taskmap: schemes and values', () => {
  assert.equal(parseTaskmap(occ('taskmap', 'cyclic')), { scheme: 'cyclic', value: '' });
  assert.equal(parseTaskmap(occ('taskmap', 'cyclic:2')), { scheme: 'cyclic', value: '2' });
  assert.equal(parseTaskmap(occ('taskmap', 'manual:[[0,1,1,1]]')), { scheme: 'manual', value: '[[0,1,1,1]]' });
  assert.throws(() => parseTaskmap(occ('taskmap', 'nosuch')), /unknown taskmap scheme 'nosuch'/);
  assert.throws(() => parseTaskmap(occ('taskmap', 'cyclic:abc')), /invalid cyclic stride: abc/);
  assert.throws(() => parseTaskmap(occ('taskmap', 'block:x')), /block takes no value/);
});

test('--add-file: a file, NAME=, NAME:PERMS=, inline content, binary as base64, errors', () => {
  fs.writeFileSync(path.join(dir, 'a.txt'), 'hi\n');
  fs.chmodSync(path.join(dir, 'a.txt'), 0o640);
  assert.equal(parseAddFile(occ('add-file', 'a.txt'), dir), ['a.txt', { mode: 0o100640, size: 3, data: 'hi\n', encoding: 'utf-8' }]);
  assert.equal(parseAddFile(occ('add-file', 'b=a.txt'), dir)[0], 'b');
  assert.is(parseAddFile(occ('add-file', 'b:0755=a.txt'), dir)[1].mode, 0o100755);
  assert.equal(parseAddFile(occ('add-file', 'x=hello\n'), dir), ['x', { mode: 0o100600, size: 6, data: 'hello\n', encoding: 'utf-8' }]);
  fs.writeFileSync(path.join(dir, 'bin'), Buffer.from([0xff, 0x00, 0xfe]));
  assert.equal(parseAddFile(occ('add-file', 'bin'), dir)[1].encoding, 'base64');
  assert.throws(() => parseAddFile(occ('add-file', 'nosuch'), dir), /--add-file=nosuch: No such file or directory: 'nosuch'/);
  assert.throws(() => parseAddFile(occ('add-file', 'hello\n'), dir), /content given without a NAME=/);
  assert.throws(() => parseAddFile(occ('add-file', 'x:999=a.txt'), dir), /invalid permissions '999'/);
});

test.run();
