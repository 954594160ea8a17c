/**
 * The jobspec's file archive (attributes.system.files: name -> {data, mode?,
 * encoding?}; `flux batch` puts its script there) written into the job tmpdir.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';

export async function writeFiles(dir: string, files: unknown): Promise<void> {
  if (typeof files !== 'object' || files === null) return;
  for (const [name, f] of Object.entries(files as Record<string, { data?: unknown; mode?: unknown; encoding?: unknown }>)) {
    if (name.includes('/') || name === '..' || typeof f?.data !== 'string') throw new Error(`bad entry ${JSON.stringify(name)}`);
    const data = f.encoding === 'base64' ? Buffer.from(f.data, 'base64') : f.data;
    const mode = typeof f.mode === 'number' ? f.mode & 0o7777 : 0o600;
    await fsp.writeFile(path.join(dir, name), data, { mode });
  }
}
