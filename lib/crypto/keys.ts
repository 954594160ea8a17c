/**
 * Curve25519 keypairs for overlay links (sodium-native). A broker booted by PMI
 * makes a fresh pair at start and never writes it anywhere; only the public
 * half leaves the process (Z85, in the business card). Keys are never logged.
 */
import { sodium } from './sodium';
import { z85Decode, z85Encode } from './z85';

export interface KeyPair {
  publicKey: Buffer;
  secretKey: Buffer;
}

export const KEY_BYTES = 32;

export function generateKeyPair(): KeyPair {
  const publicKey = Buffer.alloc(sodium().crypto_kx_PUBLICKEYBYTES);
  const secretKey = sodium().sodium_malloc(sodium().crypto_kx_SECRETKEYBYTES);
  sodium().crypto_kx_keypair(publicKey, secretKey);
  return { publicKey, secretKey };
}

/** true if `secretKey` is the curve25519 secret of `publicKey` */
export function isKeyPair(publicKey: Buffer, secretKey: Buffer): boolean {
  if (publicKey.length !== KEY_BYTES || secretKey.length !== KEY_BYTES) return false;
  const derived = Buffer.alloc(KEY_BYTES);
  sodium().crypto_scalarmult_base(derived, secretKey);
  return sodium().sodium_memcmp(derived, publicKey);
}

export const publicKeyText = (k: Buffer): string => z85Encode(k);
export const publicKeyFromText = (t: string): Buffer => {
  const b = z85Decode(t);
  if (b.length !== KEY_BYTES) throw new Error(`public key must be ${KEY_BYTES} bytes`);
  return b;
};
