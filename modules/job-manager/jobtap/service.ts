/**
 * The job-manager's jobtap methods (flux jobtap):
 *   jobtap {load?, conf?, remove?, all?}  remove first (a name, glob or `all`), then load;
 *                                         answers {plugins: [names, load order]} (builtins only with all)
 *   jobtap-query {name}                   {name, path, ...what the plugin adds}
 */
import { einval, request, type HandlerTable, type Message } from '../../../kernel/api';
import type { JobtapHost } from './host';

type Obj = Record<string, unknown>;

export function jobtapHandlers(host: JobtapHost): HandlerTable {
  const pl = (msg: Message): Obj => (msg.payload ?? {}) as Obj;
  const str = (p: Obj, k: string): string | undefined => {
    const v = p[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v.length === 0 || v.length > 4096) throw einval(`jobtap: ${k} must be a non-empty string`);
    return v;
  };
  return [
    request('jobtap', async (msg) => {
      const p = pl(msg);
      const remove = str(p, 'remove');
      const load = str(p, 'load');
      const conf = p['conf'] ?? {};
      if (typeof conf !== 'object' || conf === null || Array.isArray(conf)) throw einval('jobtap: conf must be an object');
      if (remove !== undefined) host.remove(remove);
      if (load !== undefined) await host.load(load, conf as Obj);
      const all = host.list();
      return { plugins: p['all'] === true ? all : all.filter((n) => !n.startsWith('.')) };
    }),
    request('jobtap-query', (msg) => {
      const name = str(pl(msg), 'name');
      if (name === undefined) throw einval('jobtap-query: name is required');
      return host.query(name);
    }),
  ];
}
