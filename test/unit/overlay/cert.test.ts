/** Z85 (ZMQ RFC 32) and the zcert certificate text of `flux keygen`. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { z85Decode, z85Encode } from '../../../lib/crypto/z85';
import { CertError, formatCert, parseCert } from '../../../lib/crypto/cert';
import { generateKeyPair } from '../../../lib/crypto/keys';

test('Z85 test vector from RFC 32', () => {
  const bytes = Buffer.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]);
  assert.is(z85Encode(bytes), 'HelloWorld');
  assert.equal(z85Decode('HelloWorld'), bytes);
});

test('a 32-byte key is 40 characters and round-trips', () => {
  const k = generateKeyPair();
  const t = z85Encode(k.publicKey);
  assert.is(t.length, 40);
  assert.equal(z85Decode(t), k.publicKey);
});

test('certificate text has the zcert layout and parses back', () => {
  const k = generateKeyPair();
  const meta = new Map([
    ['keygen.userid', '0'],
    ['name', 'vm'],
    ['keygen.hostname', 'vm'],
  ]);
  const text = formatCert(k, meta);
  const lines = text.split('\n');
  assert.equal(lines.slice(0, 6), ['#  ZeroMQ CURVE **Secret** Certificate', '#  DO NOT DISTRIBUTE', '', 'metadata', '    name = "vm"', '    keygen.hostname = "vm"']);
  assert.match(text, /\ncurve\n {4}public-key = "[^"]{40}"\n {4}secret-key = "[^"]{40}"\n$/);
  const c = parseCert(text);
  assert.equal(c.publicKey, k.publicKey);
  assert.is(c.meta.get('name'), 'vm');
});

test('a certificate whose keys do not match is refused', () => {
  const a = generateKeyPair();
  const b = generateKeyPair();
  const text = formatCert({ publicKey: a.publicKey, secretKey: b.secretKey }, new Map());
  assert.throws(() => parseCert(text), (e: Error) => e instanceof CertError && /valid pair/.test(e.message));
});

test('parse errors name the line, never its text (it may hold the secret key)', () => {
  const k = generateKeyPair();
  const text = formatCert(k, new Map([['name', 'vm']]));
  const secret = z85Encode(k.secretKey);
  const line = text.split('\n').findIndex((l) => l.includes('secret-key')) + 1;
  const cases: Array<[string, string]> = [
    [text.replace('    secret-key', 'secret-key'), `line ${line}: unknown section`],
    [text.replace(secret, `${secret.slice(0, 5)}~${secret.slice(6)}`), `line ${line}: secret-key is not a valid Z85 key`],
    [text.replace(secret, secret.slice(0, 35)), `line ${line}: secret-key is not a valid Z85 key`],
    [text.replace(secret, secret.slice(0, 36)), `line ${line}: secret-key is not a valid Z85 key`],
    [text.replace(secret, `${secret}"x`), `line ${line}: malformed entry`],
  ];
  for (const [bad, want] of cases) {
    assert.throws(
      () => parseCert(bad),
      (e: Error) => e instanceof CertError && e.message === want && !e.message.includes(secret.slice(6, 30)),
    );
  }
});

test.run();
