/**
 * pmi: the simple PMI-1 server of a shell's tasks (shell option `pmi`, a
 * comma list: on unless the list names none of `simple`, `pmi1`, `pmi2`, the
 * latter two Flux's aliases of simple; job-ingest refuses other names). shell.init starts the
 * server: PMI_process_mapping and `flux.instance-level` preput (so a Flux
 * instance the job starts knows its depth), `flux.taskmap`; a job on several
 * shells trades puts at each barrier through rank 0. task.exec gives each task
 * PMI_FD=3 (a socket the host makes), or, for a task on a terminal (the pty
 * plugin's launcher: a pty cannot carry the socket), PMI_PORT on loopback
 * (hydra's initack); task.fork hands the socket to the server; shell.exit
 * closes it. MPI_Abort is a fatal exception naming the rank.
 */
import { PmiServer, encodeF58Plain, pmiAbortNote } from '../../../kernel/api';
import { defineShellPlugin } from '../../../modules/job-exec/plugin-api';
import { processMapping } from './mapping';

/** the names of the simple PMI-1 server in shell option pmi (pmi.md §6.2) */
const SIMPLE_NAMES = ['simple', 'pmi1', 'pmi2'];

export default defineShellPlugin({
  name: 'pmi',
  shell(ctx) {
    const opt = ctx.options['pmi'];
    const list = typeof opt === 'string' ? opt.split(',') : ['simple'];
    if (!list.some((x) => SIMPLE_NAMES.includes(x))) return undefined;
    let server: PmiServer | undefined;
    let port: Promise<number> | undefined;
    return {
      'shell.init'() {
        const f = ctx.pmi;
        const preput = new Map<string, string>([['PMI_process_mapping', f.mapping ?? processMapping(f.counts)]]);
        if (f.childLevel !== undefined) preput.set('flux.instance-level', String(f.childLevel));
        // as Flux's shell: an instance the job starts binds its TCP overlay as this one does
        if (f.interfaceHint !== undefined) preput.set('flux.tbon-interface-hint', f.interfaceHint);
        if (f.taskmap) preput.set('flux.taskmap', JSON.stringify(f.taskmap));
        let seq = 0;
        const exchange = f.exchange;
        server = new PmiServer({
          size: ctx.size,
          local: ctx.placement.count,
          kvsname: encodeF58Plain(ctx.id),
          preput,
          onAbort: (rank, code, msg) => ctx.raise(pmiAbortNote(rank, code, msg)),
          exchange: f.counts.length > 1 && exchange ? async (puts) => new Map(Object.entries(await exchange(seq++, Object.fromEntries(puts)))) : undefined,
        });
      },
      'task.exec'(t) {
        if (!server) return undefined;
        Object.assign(t.env, { PMI_RANK: String(t.rank), PMI_SIZE: String(ctx.size), PMI_SPAWNED: '0' });
        if (!t.launch) {
          t.wantFd3 = true;
          t.env['PMI_FD'] = '3';
          return undefined;
        }
        // a terminal carries no socket: PMI over TCP on loopback (no port: the task runs without PMI_PORT)
        return (port ??= server.listenTcp('127.0.0.1')).then(
          (p) => void Object.assign(t.env, { PMI_PORT: `127.0.0.1:${p}`, PMI_ID: String(t.rank) }),
          () => undefined,
        );
      },
      'task.fork'(t) {
        if (server && t.fd3) server.addClient(t.rank, t.fd3);
      },
      'shell.exit'() {
        server?.close();
      },
    };
  },
});
