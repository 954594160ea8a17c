/**
 * flux keygen: certificate text and mode, no-PATH warning, open errors, usage;
 * an existing PATH is kept unless --force, a replaced file is owner-only
 * whatever its old mode, a symbolic link is never followed; and a broker that
 * cannot parse a certificate names the line but never prints the key.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, tmpdir } from '../helpers/flux';
import { parseCert } from '../../lib/crypto/cert';

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

test('an existing PATH is refused without --force and left as it was', () => {
  const t = tmpdir();
  try {
    const p = path.join(t.dir, 'x.cert');
    assert.is(flux(['keygen', p]).code, 0);
    const before = fs.readFileSync(p, 'utf8');
    const r = flux(['keygen', p]);
    assert.is(r.code, 1);
    assert.is(r.stdout, '');
    assert.is(r.stderr, `flux-keygen: ${p} exists: use --force to replace it\n`);
    assert.is(fs.readFileSync(p, 'utf8'), before);
  } finally {
    t.cleanup();
  }
});

test('--force replaces the key; the new file is 0600 even where the old one was 0644', () => {
  const t = tmpdir();
  try {
    const p = path.join(t.dir, 'x.cert');
    assert.is(flux(['keygen', p]).code, 0);
    const before = fs.readFileSync(p, 'utf8');
    fs.chmodSync(p, 0o644);
    for (const opt of ['--force', '-f']) {
      const r = flux(['keygen', opt, p]);
      assert.is(r.code, 0, r.stderr);
      assert.is(r.stdout + r.stderr, '');
      assert.is(fs.statSync(p).mode & 0o777, 0o600);
      assert.is.not(fs.readFileSync(p, 'utf8'), before);
    }
    // no temporary file is left behind
    assert.equal(fs.readdirSync(t.dir), ['x.cert']);
  } finally {
    t.cleanup();
  }
});

test('a symbolic link is never followed, with or without --force', () => {
  const t = tmpdir();
  try {
    const target = path.join(t.dir, 'target');
    fs.writeFileSync(target, 'precious\n', { mode: 0o644 });
    const link = path.join(t.dir, 'link.cert');
    fs.symlinkSync(target, link);
    const dangling = path.join(t.dir, 'dangling.cert');
    fs.symlinkSync(path.join(t.dir, 'nowhere'), dangling);
    for (const args of [[link], ['--force', link], [dangling], ['--force', dangling]]) {
      const p = args[args.length - 1]!;
      const r = flux(['keygen', ...args]);
      assert.is(r.code, 1, args.join(' '));
      assert.is(r.stderr, `flux-keygen: ${p} is a symbolic link: not following it\n`);
    }
    assert.is(fs.readFileSync(target, 'utf8'), 'precious\n');
    assert.is(fs.statSync(target).mode & 0o777, 0o644);
    assert.ok(!fs.existsSync(path.join(t.dir, 'nowhere')));
    assert.ok(fs.lstatSync(link).isSymbolicLink());
  } finally {
    t.cleanup();
  }
});

test('a certificate that does not parse: the broker names the line, never the key', () => {
  const t = tmpdir();
  try {
    const good = path.join(t.dir, 'good.cert');
    assert.is(flux(['keygen', good]).code, 0);
    const text = fs.readFileSync(good, 'utf8');
    const secret = /secret-key = "([^"]+)"/.exec(text)![1]!;
    const bad = (name: string, body: string): string => {
      const p = path.join(t.dir, name);
      fs.writeFileSync(p, body, { mode: 0o600 });
      return p;
    };
    const lineNo = text.split('\n').findIndex((l) => l.includes('secret-key')) + 1;
    const cases: Array<[string, RegExp]> = [
      // the secret-key line lost its indentation
      [bad('unindented.cert', text.replace('    secret-key', 'secret-key')), new RegExp(`line ${lineNo}: unknown section$`, 'm')],
      // a character outside Z85 in the key
      [bad('badchar.cert', text.replace(secret, `${secret.slice(0, 10)}~${secret.slice(11)}`)), new RegExp(`line ${lineNo}: secret-key is not a valid Z85 key$`, 'm')],
      // a key of the wrong length
      [bad('short.cert', text.replace(secret, secret.slice(0, 35))), new RegExp(`line ${lineNo}: secret-key is not a valid Z85 key$`, 'm')],
    ];
    for (const [cert, want] of cases) {
      const toml = path.join(t.dir, 'boot.toml');
      fs.writeFileSync(toml, `[bootstrap]\ncurve_cert = "${cert}"\nhosts = [ { host = "kg0", bind = "tcp://127.0.0.1:1", connect = "tcp://127.0.0.1:1" }, { host = "kg1" } ]\n`);
      const r = flux(['start', `-o,--config-path=${toml},-Shostname=kg0`, 'true'], { timeoutMs: 30_000 });
      assert.is.not(r.code, 0);
      assert.match(r.stderr, want);
      assert.match(r.stderr, `bootstrap.curve_cert ${cert}: line ${lineNo}`);
      for (const piece of [secret, secret.slice(0, 10), secret.slice(11, 35)]) assert.not.ok(r.stderr.includes(piece), `stderr shows the secret key: ${r.stderr}`);
    }
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
