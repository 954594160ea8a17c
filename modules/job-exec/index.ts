/**
 * job-exec: the exec service (RFC 32 in our words, see docs/guide/internal-contracts.md).
 * Rank 0 answers job-manager's `job-exec.start` and drives the job; every rank
 * hosts the job shells of its tasks in-process (no process per job besides the
 * tasks themselves).
 */
import { defineModule, event, methods, request } from '../../kernel/api';
import { jobExecProtocol, type JobExecProtocol } from '../../lib/protocol/job-exec';
import { ExecService } from './exec-service';
import { execConfigSchema, impPath, sitePlugins } from './config';
import { ShellServer } from './shell-server';
import { taskGuard } from './guard';

/** handler entries checked against modules/job-exec/protocol.avsc */
const method = methods<JobExecProtocol>();

export default defineModule({
  name: 'job-exec',
  description: 'run jobs: job shells hosted in-process on every rank',
  ranks: 'all',
  config: execConfigSchema,
  protocol: jobExecProtocol,
  create({ handle, config }) {
    let site = sitePlugins(config);
    let imp = impPath(config);
    const shells = new ShellServer(handle, () => imp);
    const exec = handle.rank === 0 ? new ExecService(handle, () => site, () => imp) : undefined;
    const leaderOnly = exec
      ? [
          method('start', (req, m) => exec.start(req, m)),
          method('kill', (req) => exec.kill(req)),
          method('expiration', (req) => exec.expiration(req)),
          method('stdin', (req) => exec.stdin(req)),
          method('output-read', (req, m) => exec.outputRead(req, m)),
          method('output-size', (req) => exec.outputSize(req)),
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
        taskGuard.killAll();
        await exec?.removeLogs();
      },
    };
  },
});
