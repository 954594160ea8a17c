/** flux keygen: certificate text and mode, no-PATH warning, open errors, usage. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, tmpdir } from '../helpers/flux';
import { parseCert } from '../../kernel/overlay/cert';

test('writes a valid certificate, mode 0600, with Flux metadata', () => {
  const t = tmpdir();
  try {
    const p = path.join(t.dir, 'x.cert');
    const r = flux(['keygen', p]);
    assert.is(r.code, 0);
    assert.is(r.stdout + r.stderr, '');
    assert.is(fs.statSync(p).mode & 0o777, 0o600);
    const text = fs.readFileSync(p, 'utf8');
    assert.match(text, /^# {2}ZeroMQ CURVE \*\*Secret\*\* Certificate\n# {2}DO NOT DISTRIBUTE\n\nmetadata\n {4}name = "/);
    for (const k of ['keygen.flux-core-version = "0.88.0"', 'keygen.hostname = ', 'keygen.time = "', `keygen.userid = "${process.getuid?.()}"`, 'keygen.zmq-version = ']) {
      assert.ok(text.includes(k), `missing ${k}`);
    }
    const cert = parseCert(text);
    assert.is(cert.publicKey.length, 32);
    // a second run replaces the key
    flux(['keygen', p]);
    assert.is.not(fs.readFileSync(p, 'utf8'), text);
  } finally {
    t.cleanup();
  }
});

test('--name and --meta go into the metadata', () => {
  const t = tmpdir();
  try {
    const p = path.join(t.dir, 'y.cert');
    assert.is(flux(['keygen', '--name=mycluster', '--meta=site=x,owner=me', p]).code, 0);
    const meta = parseCert(fs.readFileSync(p, 'utf8')).meta;
    assert.is(meta.get('name'), 'mycluster');
    assert.is(meta.get('site'), 'x');
    assert.is(meta.get('owner'), 'me');
  } finally {
    t.cleanup();
  }
});

test('no PATH: warning, nothing written, exit 0', () => {
  const r = flux(['keygen']);
  assert.is(r.code, 0);
  assert.is(r.stderr, 'flux-keygen: WARNING: add PATH argument to save generated certificate\n');
  assert.is(r.stdout, '');
});

test('open errors name the path', () => {
  const r = flux(['keygen', '/nonexistent/dir/x.cert']);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-keygen: open /nonexistent/dir/x.cert: No such file or directory\n');
  const t = tmpdir();
  try {
    const d = flux(['keygen', t.dir]);
    assert.is(d.code, 1);
    assert.is(d.stderr, `flux-keygen: open ${t.dir}: Is a directory\n`);
  } finally {
    t.cleanup();
  }
});

test('extra arguments: usage, exit 1', () => {
  const r = flux(['keygen', 'a', 'b']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^Usage: flux-keygen/);
});

test.run();
