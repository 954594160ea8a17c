/**
 * content.dump (set by `flux shutdown --dump=PATH`, or `-Scontent.dump=PATH`):
 * as the instance shuts down, once every job is gone and every later module is
 * unloaded, the kvs writes its content to PATH as flux-dump(1) does, before it
 * closes its store; `flux restore` or `-Scontent.restore=PATH` bring it back.
 * What happens is logged (flux shutdown shows it); a failure never stops the
 * shutdown.
 */
import { archiveFormat, writeKvsArchive } from '../../lib/kvs-archive/write';
import { monoMs } from '../../lib/clock';
import type { Handle } from '../../kernel/api';
import type { Store } from './store';

export async function finalDump(h: Handle, store: Store): Promise<void> {
  const file = h.getattr('content.dump');
  if (file === undefined || file === '') return;
  const t0 = monoMs();
  h.log('info', `dumping content to ${file}`);
  try {
    const { links, dirs } = store.extras('');
    const n = await writeKvsArchive(file, { keys: store.keys(''), links, dirs, value: (k) => store.get(k) }, archiveFormat(file) ?? 'tar');
    h.log('info', `dumped ${n} keys to ${file} (${((monoMs() - t0) / 1000).toFixed(1)}s)`);
  } catch (e) {
    h.log('err', `content.dump: ${file}: ${(e as Error).message}`);
  }
}
