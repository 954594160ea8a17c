/**
 * sodium-native, loaded on first use: loading it costs a broker tens of
 * milliseconds at start, and a singleton (or a size-1 instance) never needs it.
 */
import type SodiumNative from 'sodium-native';

export type Sodium = typeof SodiumNative;

let lib: Sodium | undefined;

export function sodium(): Sodium {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  lib ??= require('sodium-native') as Sodium;
  return lib;
}
