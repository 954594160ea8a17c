/**
 * A flux-dump(1) archive's format, from its file name as Flux's (libarchive's
 * choice by suffix). No imports: the broker's attribute checks
 * (lib/attr-checks.ts, content.dump) load it at every start.
 */
export type ArchiveFormat = 'tar' | 'tgz' | 'zip';

/** the formats a name may end in, for messages */
export const ARCHIVE_SUFFIXES = '.tar, .tgz, .tar.gz or .zip';

/** the archive's format from its name: `.tar`, `.tgz`, `.tar.gz` or `.zip`; undefined for another */
export function archiveFormat(file: string): ArchiveFormat | undefined {
  if (/\.(tgz|tar\.gz)$/.test(file)) return 'tgz';
  if (file.endsWith('.zip')) return 'zip';
  return file.endsWith('.tar') ? 'tar' : undefined;
}

