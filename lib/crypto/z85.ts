/**
 * Z85 (ZeroMQ RFC 32): 4 bytes big-endian -> 5 characters of base 85. Curve keys
 * (32 bytes) travel and are stored as 40-character Z85 text, as in Flux.
 */

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const DECODE = new Map<string, number>([...ALPHABET].map((c, i) => [c, i]));

export class Z85Error extends Error {}

export function z85Encode(data: Uint8Array): string {
  if (data.length % 4 !== 0) throw new Z85Error('z85: length must be a multiple of 4');
  let out = '';
  for (let i = 0; i < data.length; i += 4) {
    let v = ((data[i]! << 24) >>> 0) + (data[i + 1]! << 16) + (data[i + 2]! << 8) + data[i + 3]!;
    const chunk: string[] = [];
    for (let j = 0; j < 5; j++) {
      chunk.unshift(ALPHABET[v % 85]!);
      v = Math.floor(v / 85);
    }
    out += chunk.join('');
  }
  return out;
}

export function z85Decode(text: string): Buffer {
  if (text.length % 5 !== 0) throw new Z85Error('z85: length must be a multiple of 5');
  const out = Buffer.alloc((text.length / 5) * 4);
  for (let i = 0, o = 0; i < text.length; i += 5, o += 4) {
    let v = 0;
    for (let j = 0; j < 5; j++) {
      const d = DECODE.get(text[i + j]!);
      if (d === undefined) throw new Z85Error(`z85: invalid character '${text[i + j]}'`);
      v = v * 85 + d;
    }
    if (v > 0xffffffff) throw new Z85Error('z85: value out of range');
    out.writeUInt32BE(v, o);
  }
  return out;
}
