/**
 * The installed package this `flux` belongs to: its root (a checkout or
 * PREFIX/lib/node_modules/flux-ts) and flux-ts's own version.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** the package root: this file is dist/cli/package-info.js */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

/** flux-ts's version from its package.json ('unknown' if it cannot be read) */
export function packageVersion(): string {
  try {
    const v = (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' ? v : 'unknown';
  } catch {
    return 'unknown';
  }
}
