import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fnmatch } from '../../../lib/formats/fnmatch';
import { checkFileref, components, prettyLine, unsafePath } from '../../../lib/filemap/fileref';

test('fnmatch as fnmatch(3) without flags: * and ? cross /, sets, quoting', () => {
  const yes: Array<[string, string]> = [
    ['*', 'a/b/c'],
    ['tree/*.sh', 'tree/sub/x.sh'],
    ['a?c', 'a/c'],
    ['[ab]x', 'bx'],
    ['[!a]x', 'cx'],
    ['[a-c]', 'b'],
    ['\\*', '*'],
    ['a.b', 'a.b'],
    ['[', '['],
    ['(x)+', '(x)+'],
  ];
  const no: Array<[string, string]> = [
    ['a.b', 'axb'],
    ['[!a]x', 'ax'],
    ['tree', 'tree/a'],
    ['\\*', 'x'],
  ];
  for (const [p, s] of yes) assert.ok(fnmatch(p, s), `${p} ~ ${s}`);
  for (const [p, s] of no) assert.not.ok(fnmatch(p, s), `${p} !~ ${s}`);
});

test('list lines: short, long, cut at the width with +', () => {
  const f = { path: 'tree/a.txt', mode: 0o100640, size: 6 };
  assert.is(prettyLine(f, false, 120), 'tree/a.txt');
  assert.is(prettyLine(f, true, 120), 'f 0640        6 tree/a.txt');
  assert.is(prettyLine({ path: 'd', mode: 0o40755 }, true, 120), 'd 0755        0 d');
  assert.is(prettyLine({ path: 'l', mode: 0o120777, data: 'x' }, true, 120), 'l 0777        0 l');
  assert.is(prettyLine({ path: 'p', mode: 0o10644 }, true, 120), '? 0644        0 p');
  assert.is(prettyLine({ mode: 1 }, false, 120), 'invalid fileref');
  const long = 'x'.repeat(200);
  assert.is(prettyLine({ path: long, mode: 0o100644 }, false, 80), `${'x'.repeat(78)}+`);
});

test('members: checked shapes and refused paths', () => {
  assert.is(checkFileref({ path: 'a', mode: 0o100644, encoding: 'utf-8', data: 'x' }).constructor, Object);
  assert.is(checkFileref({ path: 'a' }), 'a: error decoding fileref object: no mode');
  assert.is(checkFileref({ path: 'l', mode: 0o120777 }), 'l: missing symlink data');
  assert.is(checkFileref({ path: 'p', mode: 0o10644 }), 'p: unknown file type (mode=010644)');
  assert.is(checkFileref({ path: 'f', mode: 0o100644, encoding: 'zip', data: 'x' }), 'f: unknown RFC 37 encoding zip');
  assert.is(checkFileref({ path: 'f', mode: 0o100644, encoding: 'blobvec', data: [[0, 1]] }), 'f: error decoding blobvec entry');
  assert.is(checkFileref([]), 'error decoding fileref object: not an object');
  assert.is(unsafePath('../x'), "Path contains '..'");
  assert.is(unsafePath('a/../../x'), "Path contains '..'");
  assert.is(unsafePath('/etc/passwd'), 'Path is absolute');
  assert.is(unsafePath('a/..b/c'), undefined);
  assert.equal(components('./a//b/.'), ['a', 'b']);
});

test.run();
