/**
 * CURVE certificates in CZMQ zcert's ZPL text (broker.md §5.2): what
 * `flux keygen` writes and what a config-booted broker would load. Format and
 * parse only; the file is written by the caller (mode 0600). The text holds a
 * secret key, so a parse error names the line by number and never quotes it.
 */
import { KEY_BYTES, isKeyPair, type KeyPair } from './keys';
import { z85Decode, z85Encode } from './z85';

export class CertError extends Error {}

/** Certificate text: `name` first, then the other metadata keys sorted. */
export function formatCert(keys: KeyPair, meta: ReadonlyMap<string, string>): string {
  const lines = ['#  ZeroMQ CURVE **Secret** Certificate', '#  DO NOT DISTRIBUTE', '', 'metadata'];
  const names = [...meta.keys()].filter((k) => k !== 'name').sort();
  if (meta.has('name')) names.unshift('name');
  for (const k of names) lines.push(`    ${k} = "${meta.get(k)}"`);
  lines.push('curve');
  lines.push(`    public-key = "${z85Encode(keys.publicKey)}"`);
  lines.push(`    secret-key = "${z85Encode(keys.secretKey)}"`);
  return lines.join('\n') + '\n';
}

export interface Cert extends KeyPair {
  meta: Map<string, string>;
}

/** The key in `value`, or undefined when it is not 40 characters of Z85 (the error text could show a piece of it). */
function decodeKey(value: string): Buffer | undefined {
  try {
    const k = z85Decode(value);
    return k.length === KEY_BYTES ? k : undefined;
  } catch {
    return undefined;
  }
}

/** Parse certificate text; CertError names the offending line by number (never its text). */
export function parseCert(text: string): Cert {
  const meta = new Map<string, string>();
  let pub: Buffer | undefined;
  let sec: Buffer | undefined;
  let section: 'metadata' | 'curve' | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const where = `line ${i + 1}`;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    if (!/^[ \t]/.test(line)) {
      if (line !== 'metadata' && line !== 'curve') throw new CertError(`${where}: unknown section`);
      section = line;
      continue;
    }
    const m = /^[ \t]+([A-Za-z0-9.-]+)\s*=\s*"([^"]*)"\s*$/.exec(line);
    if (!m || !section) throw new CertError(`${where}: malformed entry`);
    const [, key, value] = m as unknown as [string, string, string];
    if (section === 'metadata') {
      if (meta.has(key)) throw new CertError(`${where}: duplicate metadata key '${key}'`);
      meta.set(key, value);
    } else if (key === 'public-key' || key === 'secret-key') {
      const k = decodeKey(value);
      if (!k) throw new CertError(`${where}: ${key} is not a valid Z85 key`);
      if (key === 'public-key') pub = k;
      else sec = k;
    } else {
      throw new CertError(`${where}: unknown curve key '${key}'`);
    }
  }
  if (!pub || !sec) throw new CertError('public-key and secret-key are both required');
  if (!isKeyPair(pub, sec)) throw new CertError('public-key and secret-key do not form a valid pair');
  return { publicKey: pub, secretKey: sec, meta };
}
