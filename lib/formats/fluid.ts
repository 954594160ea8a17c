/**
 * RFC 19 FLUIDs (Flux job ids): the generator (40-bit ms timestamp, 14-bit
 * generator id, 10-bit sequence) and every encoding Flux prints or accepts:
 * f58 (ƒ or f prefix), dec, hex, dothex, kvs, words. Ids are bigint because
 * they exceed 2^53 after ~6 days of instance uptime.
 */
import { mnDecodeWords, mnEncodeWords } from './mnemonic';
import { monoMs } from '../clock';

export class FluidError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FluidError';
  }
}

export type JobIdLike = bigint | number | string;

const TS_MAX = 1n << 40n;
const GEN_MAX = 1 << 14;
const SEQ_MAX = 1024;

export const F58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const F58_UNI = '\u0192';

/** Build an id from its fields. */
export function fluidOf(ts: number | bigint, gen: number, seq: number): bigint {
  return (BigInt(ts) << 24n) | (BigInt(gen) << 10n) | BigInt(seq);
}

/** Split an id into its fields. */
export function fluidFields(id: JobIdLike): { ts: number; gen: number; seq: number } {
  const v = toBig(id);
  return { ts: Number(v >> 24n), gen: Number((v >> 10n) & 0x3fffn), seq: Number(v & 0x3ffn) };
}

/**
 * The generator: timestamp = start + ms elapsed since construction (monotonic
 * clock); sequence resets each ms; at most 1023 ids per ms, as flux-core.
 */
export class FluidGenerator {
  private readonly t0: number;
  private lastTs = -1;
  private seq = 0;
  constructor(
    readonly generator: number,
    readonly startTs = 0,
    private readonly clock: () => number = () => monoMs(),
  ) {
    if (!Number.isInteger(generator) || generator < 0 || generator >= GEN_MAX) {
      throw new FluidError(`fluid generator id ${generator} is out of range (0-${GEN_MAX - 1})`);
    }
    this.t0 = clock();
  }

  private now(): number {
    return this.startTs + Math.floor(this.clock() - this.t0);
  }

  next(): bigint {
    let ts = Math.max(this.now(), this.lastTs);
    if (ts === this.lastTs) {
      while (this.seq + 1 >= SEQ_MAX) {
        ts = this.now();
        if (ts > this.lastTs) {
          this.seq = -1;
          break;
        }
      }
      this.seq++;
    } else {
      this.seq = 0;
    }
    this.lastTs = ts;
    if (BigInt(ts) >= TS_MAX) throw new FluidError('fluid timestamp space exhausted');
    return fluidOf(ts, this.generator, this.seq);
  }
}

function toBig(id: JobIdLike): bigint {
  if (typeof id === 'bigint') return id;
  if (typeof id === 'number') {
    if (!Number.isSafeInteger(id) || id < 0) throw new FluidError(`invalid job id ${id}`);
    return BigInt(id);
  }
  return parseJobId(id);
}

/** Whether the f58 prefix should be U+0192 (UTF-8 locale and no FLUX_F58_FORCE_ASCII). */
export function f58UseUnicode(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['FLUX_F58_FORCE_ASCII']) return false;
  const loc = env['LC_ALL'] || env['LC_CTYPE'] || env['LANG'] || '';
  if (loc === '') return true; // like Python's C.UTF-8 coercion; most tools here are "Python" tools
  return /utf-?8/i.test(loc);
}

export function encodeF58Plain(id: JobIdLike): string {
  let v = toBig(id);
  let s = '';
  do {
    s = F58_ALPHABET[Number(v % 58n)] + s;
    v /= 58n;
  } while (v > 0n);
  return 'f' + s;
}

export function encodeF58(id: JobIdLike, env: NodeJS.ProcessEnv = process.env): string {
  const p = encodeF58Plain(id);
  return f58UseUnicode(env) ? F58_UNI + p.slice(1) : p;
}

export function encodeDec(id: JobIdLike): string {
  return toBig(id).toString(10);
}

export function encodeHex(id: JobIdLike): string {
  return '0x' + toBig(id).toString(16);
}

export function encodeDothex(id: JobIdLike): string {
  const h = toBig(id).toString(16).padStart(16, '0');
  return `${h.slice(0, 4)}.${h.slice(4, 8)}.${h.slice(8, 12)}.${h.slice(12)}`;
}

export function encodeKvs(id: JobIdLike): string {
  return 'job.' + encodeDothex(id);
}

export function encodeWords(id: JobIdLike): string {
  const v = toBig(id);
  const bytes: number[] = [];
  for (let i = 0n; i < 8n; i++) bytes.push(Number((v >> (8n * i)) & 0xffn));
  return mnEncodeWords(bytes);
}

export type JobIdEncoding = 'dec' | 'f58' | 'f58plain' | 'hex' | 'dothex' | 'kvs' | 'words';

/** Encode an id in a named encoding (f58 honours the locale rule). */
export function encodeJobId(id: JobIdLike, enc: JobIdEncoding = 'f58', env: NodeJS.ProcessEnv = process.env): string {
  switch (enc) {
    case 'dec':
      return encodeDec(id);
    case 'f58':
      return encodeF58(id, env);
    case 'f58plain':
      return encodeF58Plain(id);
    case 'hex':
      return encodeHex(id);
    case 'dothex':
      return encodeDothex(id);
    case 'kvs':
      return encodeKvs(id);
    case 'words':
      return encodeWords(id);
  }
}

function invalid(s: string, why: string): FluidError {
  return new FluidError(`invalid job id '${s}': ${why}`);
}

/**
 * Parse a job id in any encoding (flux_job_id_parse rules, formats.md §1.3).
 * Throws FluidError naming the input and what is wrong with it.
 */
export function parseJobId(input: string): bigint {
  let s = input.replace(/^\s+/, '');
  if (s.startsWith('job.')) s = s.slice(4);
  let v: bigint;
  if (s.includes('.')) {
    if (!/^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$/.test(s)) {
      throw invalid(input, 'dothex form must be XXXX.XXXX.XXXX.XXXX');
    }
    v = BigInt('0x' + s.replace(/\./g, ''));
  } else if (/^-[0-9]/.test(s)) {
    throw invalid(input, 'job ids are not negative');
  } else if (s.includes('-')) {
    const bytes = mnDecodeWords(s);
    if (!bytes || bytes.length !== 8) throw invalid(input, 'not a valid mnemonic (words) job id');
    v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  } else if (s.startsWith(F58_UNI) || s.startsWith('f')) {
    const digits = s.slice(1);
    if (digits.length === 0 || digits.length > 12) throw invalid(input, 'f58 form needs 1 to 12 digits');
    v = 0n;
    for (const c of digits) {
      const d = F58_ALPHABET.indexOf(c);
      if (d < 0) throw invalid(input, `'${c}' is not an f58 digit`);
      v = v * 58n + BigInt(d);
    }
  } else if (s.startsWith('0x')) {
    const t = s.slice(2).trimEnd();
    if (!/^[0-9a-fA-F]+$/.test(t)) throw invalid(input, 'bad hexadecimal number');
    v = BigInt('0x' + t);
  } else {
    const t = s.trimEnd();
    if (!/^[0-9]+$/.test(t)) throw invalid(input, 'not a number or a known job id encoding');
    v = BigInt(t);
  }
  if (v >> 24n >= TS_MAX || v >= 1n << 64n) throw invalid(input, 'value out of range');
  return v;
}

/** parseJobId that returns undefined instead of throwing. */
export function tryParseJobId(s: string): bigint | undefined {
  try {
    return parseJobId(s);
  } catch {
    return undefined;
  }
}
