/**
 * job-exec: the exec service (RFC 32 in our words, see docs/guide/internal-contracts.md).
 * Rank 0 answers job-manager's `job-exec.start` and drives the job; every rank
 * hosts the job shells of its tasks in-process (no process per job besides the
 * tasks themselves).
 */
import { defineModule, event, methods, request, type Message } from '../../kernel/api';

/** methods a guest may call, for its own jobs */
const guest = { ownerOnly: false } as const;
import { jobExecProtocol, type JobExecProtocol } from '../../lib/protocol/job-exec';
import { ExecService } from './exec-service';
import { execConfigSchema, impPath, sitePlugins } from './config';
import { ShellServer } from './shell-server';
import { taskGuard } from './guard';

/** job-exec modules loaded in this process (flux start --test-in-process: one per broker) */
let instances = 0;

/** handler entries checked against modules/job-exec/protocol.avsc */
const method = methods<JobExecProtocol>();

export default defineModule({
  name: 'job-exec',
  description: 'run jobs: job shells hosted in-process on every rank',
  ranks: 'all',
  config: execConfigSchema,
  protocol: jobExecProtocol,
  create({ handle, config }) {
    instances++;
    let site = sitePlugins(config);
    let imp = impPath(config);
    const shells = new ShellServer(handle, () => imp);
    const exec = handle.rank === 0 ? new ExecService(handle, () => site, () => imp) : undefined;
    /** run `fn` once the sender may act on job `id` (the owner at once) */
    const ownJob = <R>(m: Message, id: number, what: string, fn: () => R): R | Promise<Awaited<R>> => {
      const wait = exec?.owners.check(m, id, what);
      return wait ? wait.then(async (): Promise<Awaited<R>> => await fn()) : fn();
    };
    const leaderOnly = exec
      ? [
          method('start', (req, m) => exec.start(req, m)),
          // a guest's own jobs: signal, stdin, output (job-owners.ts)
          method('kill', (req, m) => ownJob(m, req.id, 'signal', () => exec.kill(req)), guest),
          method('expiration', (req) => exec.expiration(req)),
          method('stdin', (req, m) => ownJob(m, req.id, 'send input to', () => exec.stdin(req)), guest),
          method('output-read', (req, m) => ownJob(m, req.id, 'read the output of', () => exec.outputRead(req, m)), guest),
          method('output-size', (req, m) => ownJob(m, req.id, 'read the output of', () => exec.outputSize(req)), guest),
          method('list', () => exec.list()),
          method('pmi-exchange', (req, m) => exec.pmiExchange(req, m)),
          method('hostpids', (req) => exec.hostpids(req)),
          method('disconnect', (_req, m) => exec.disconnect(m)),
          event('job-exception', (m) => exec.onJobException(m)),
          event('job-purge-inactive', (m) => exec.onPurge(m)),
        ]
      : [];
    return {
      handlers: [
        request('shell-start', (m) => shells.start(m)),
        request('shell-kill', (m) => shells.kill(m)),
        request('shell-stdin', (m) => shells.stdin(m)),
        request('shell-pids', (m) => shells.pids(m)),
        request('shell-ack', (m) => shells.ack(m)),
        ...leaderOnly,
      ],
      // [exec] shell-plugins and imp apply to the jobs that start after the change
      configReload(next) {
        const list = sitePlugins(next);
        const nextImp = impPath(next);
        return () => {
          site = list;
          imp = nextImp;
        };
      },
      async stop() {
        exec?.shutdown();
        shells.killAll();
        // the process-wide backstop, once no job-exec is left (brokers may share this process)
        if (--instances === 0) taskGuard.killAll();
        await exec?.removeLogs();
      },
    };
  },
});
