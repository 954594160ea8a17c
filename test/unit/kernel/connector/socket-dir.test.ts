/**
 * checkOwnerOnlyDir (kernel/connector/socket-dir.ts): the directory that holds
 * the local socket must be the instance owner's alone; anything else is one
 * line naming it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Errno } from '../../../../lib/errno';
import { FluxError } from '../../../../lib/errors';
import { checkOwnerOnlyDir } from '../../../../kernel/connector/socket-dir';

const uid = process.getuid?.() ?? 0;

function inTmp(fn: (dir: string) => void): void {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'socket-dir-'));
  try {
    fn(base);
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

function error(fn: () => void): FluxError {
  try {
    fn();
  } catch (e) {
    assert.instance(e, FluxError);
    return e as FluxError;
  }
  throw new Error('expected a FluxError');
}

test("the owner's 0700 and 0755 directories pass", () => {
  inTmp((d) => {
    for (const mode of [0o700, 0o755, 0o711]) {
      fs.chmodSync(d, mode);
      checkOwnerOnlyDir('rundir', d);
    }
  });
});

test('group- or world-writable directories are refused, naming the mode', () => {
  inTmp((d) => {
    for (const [mode, text] of [
      [0o777, 'writable by others (mode 0777)'],
      [0o1777, 'writable by others (mode 1777)'],
      [0o775, 'writable by its group (mode 0775)'],
      [0o757, 'writable by others (mode 0757)'],
      [0o770, 'writable by its group (mode 0770)'],
    ] as const) {
      fs.chmodSync(d, mode);
      const e = error(() => checkOwnerOnlyDir('rundir', d));
      assert.is(e.errno, Errno.EPERM);
      assert.is(e.message, `rundir ${d} is ${text}`);
    }
  });
});

test('another owner, a file, a missing path', () => {
  inTmp((d) => {
    const e = error(() => checkOwnerOnlyDir('rundir', d, uid + 1));
    assert.is(e.errno, Errno.EPERM);
    assert.is(e.message, `rundir ${d} is owned by uid ${uid}, not by the instance owner (uid ${uid + 1})`);
    const f = path.join(d, 'file');
    fs.writeFileSync(f, '');
    assert.is(error(() => checkOwnerOnlyDir('rundir', f)).errno, Errno.ENOTDIR);
    assert.match(error(() => checkOwnerOnlyDir('local-uri directory', path.join(d, 'nope'))).message, /^local-uri directory .*nope: ENOENT/);
  });
});

test.run();
