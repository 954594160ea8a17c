/**
 * The job-manager's jobtap methods (flux jobtap):
 *   jobtap {load?, conf?, remove?, all?}  remove first (a name, glob or `all`), then load;
 *                                         answers {plugins: [names, load order]} (builtins only with all)
 *   jobtap-query {name}                   {name, path, ...what the plugin adds}
 */
import { einval, methods, type HandlerTable, type Message } from '../../../kernel/api';
import { isOwner } from '../guest';
import type { JobtapCred } from '../plugin-api';
import type { JobManagerProtocol } from '../../../lib/protocol/job-manager';
import type { JobtapHost } from './host';

/** handler entries checked against modules/job-manager/protocol.avsc */
const method = methods<JobManagerProtocol>();

const cred = (msg: Message): JobtapCred => ({ userid: msg.userid, owner: isOwner(msg) });

export function jobtapHandlers(host: JobtapHost): HandlerTable {
  const str = (k: string, v: string | null | undefined): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (v.length === 0 || v.length > 4096) throw einval(`jobtap: ${k} must be a non-empty string`);
    return v;
  };
  return [
    method('jobtap', async (p) => {
      const remove = str('remove', p.remove);
      const load = str('load', p.load);
      const conf = p.conf ?? {};
      if (typeof conf !== 'object' || conf === null || Array.isArray(conf)) throw einval('jobtap: conf must be an object');
      if (remove !== undefined) host.remove(remove);
      if (load !== undefined) await host.load(load, Object.fromEntries(Object.entries(conf)));
      const all = host.list();
      return { plugins: p.all === true ? all : all.filter((n) => !n.startsWith('.')) };
    }),
    method('jobtap-query', (p) => {
      const name = str('name', p.name);
      if (name === undefined) throw einval('jobtap-query: name is required');
      return host.query(name);
    }),
    // the builtins' methods (JobtapContext.serve): ENOSYS while the plugin is removed
    method('history.get', (p, msg) => host.service('history', 'get')({ slice: p.slice }, cred(msg)) as { jobs: number[] }, { ownerOnly: false }),
    method('post-event.post', (p, msg) => {
      host.service('post-event', 'post')({ id: p.id, name: p.name, ...(p.context ? { context: p.context } : {}) }, cred(msg));
      return {};
    }),
  ];
}
