/**
 * Checks of broker attribute values (flux-broker-attributes(7)): each returns
 * a function that throws FluxError(EINVAL) with one line naming the attribute
 * when a value is not of its form. They know value formats only, nothing of
 * the broker: kernel/attr/defaults.ts attaches them to its attributes.
 */
import { Errno } from './errno';
import { FluxError } from './errors';
import { tryParse as parseFsd } from './formats/fsd';
import { parseSize } from './formats/size';
import { canSyslog } from './native';
import { ARCHIVE_SUFFIXES, archiveFormat } from './kvs-archive/format';

type Check = (v: string) => void;

const bad = (name: string, why = ''): never => {
  throw new FluxError(Errno.EINVAL, `Error parsing ${name} attribute${why}`);
};

/** log-syslog-enable: 0 or 1, and 1 only where the native addon can reach syslog */
export function syslogEnable(v: string): void {
  if (v !== '0' && v !== '1') bad('log-syslog-enable', ' (0 or 1)');
  if (v === '1' && !canSyslog()) throw new FluxError(Errno.EINVAL, 'log-syslog-enable: this build has no native addon (dist/native/flux-ts.node): no syslog');
}

/** an integer in [lo, hi] */
export function intIn(name: string, lo: number, hi: number): Check {
  return (v) => {
    if (!/^-?\d+$/.test(v) || Number(v) < lo || Number(v) > hi) bad(name);
  };
}

/** one of the words given */
export function oneOf(name: string, words: readonly string[]): Check {
  return (v) => {
    if (!words.includes(v)) bad(name);
  };
}

/** a byte size (digits, optional K/M/G) of at least `min` bytes */
export function sizeAtLeast(name: string, min: number): Check {
  return (v) => {
    const n = parseSize(v);
    if (n === undefined || n < min) bad(name);
  };
}

/** FSD or "none" */
export function fsdOrNone(name: string): Check {
  return (v) => {
    if (v !== 'none' && !/^\d+(\.\d+)?(ms|s|m|h|d)?$/.test(v)) bad(name);
  };
}

/** broker.idle-reduce: `none`, or an FSD of at most a day (0 is off too) */
export function idleReduceCheck(v: string): void {
  fsdOrNone('broker.idle-reduce')(v);
  if (v !== 'none' && !((parseFsd(v) ?? Infinity) <= 86400)) bad('broker.idle-reduce', ' (none, or at most 1d)');
}

/** a directory: empty, it would name nothing */
export function nonEmpty(name: string): Check {
  return (v) => {
    if (v === '') throw new FluxError(Errno.EINVAL, `${name}: empty value`);
  };
}

/** an FSD (the tbon liveness timeouts; their limits are checked once the config is read) */
export function fsdOnly(name: string): Check {
  return (v) => {
    if (parseFsd(v) === undefined) bad(name);
  };
}

/**
 * content.backing-module: flux-ts has one backing store, the kvs module's
 * (`content.lmdb` in the statedir), or none. Flux's modules (content-sqlite,
 * content-files, content-s3) are not there to load.
 */
export function backingModule(v: string): void {
  if (v !== 'kvs' && v !== 'none') {
    throw new FluxError(Errno.EINVAL, `content.backing-module: no backing store module '${v}' in flux-ts (kvs, or none)`);
  }
}

/**
 * content.dump: a file the kvs dumps itself to at shutdown (`.tar`, `.tgz`,
 * `.tar.gz` or `.zip`), or empty for none. Flux's `auto` (a dated dump for offline
 * garbage collection) is refused: the kvs keeps nothing unreferenced to collect.
 */
export function contentDump(v: string): void {
  if (v === 'auto') throw new FluxError(Errno.EINVAL, 'content.dump: auto (a dump for offline garbage collection) is not supported by flux-ts: its kvs keeps no unreferenced content to collect');
  if (v !== '' && archiveFormat(v) === undefined) throw new FluxError(Errno.EINVAL, `content.dump: No such format '${v}' (${ARCHIVE_SUFFIXES})`);
}
