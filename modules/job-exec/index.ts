/**
 * job-exec: the exec service (RFC 32 in our words, see docs/guide/internal-contracts.md).
 * Rank 0 answers job-manager's `job-exec.start` and drives the job; every rank
 * hosts the job shells of its tasks in-process (no process per job besides the
 * tasks themselves). Every job's shell plugins come from this broker's
 * IShellPlugins registry (ADR 0018): the built-ins of plugins/shell/ are its
 * fallbacks, and a module's plugin of a built-in's name replaces it.
 */
import {
  defineModule,
  event,
  IConfig,
  IHandle,
  inject,
  injectable,
  IRegistries,
  methods,
  type BrokerModule,
  type ConfigApply,
  type Handle,
  type HandlerTable,
  type Message,
  type ModuleRegistries,
} from '../../kernel/api';
import { jobExecProtocol, type JobExecProtocol } from '../../lib/protocol/job-exec';
import { ExecService } from './exec-service';
import { execConfigSchema, impPath, execSettings, sitePlugins, type ExecSettings } from './config';
import { ShellServer } from './shell-server';
import { taskGuard } from './guard';
import { IShellPlugins } from './plugin-api';
import { provideBuiltinShellPlugins, registeredStack } from './plugins';
import { ownerEvent } from '../../lib/owner-event';

/** job-exec modules loaded in this process (flux start --test-in-process: one per broker) */
let instances = 0;

/** methods a guest may call, for its own jobs */
const guest = { ownerOnly: false } as const;
/** handler entries checked against modules/job-exec/protocol.avsc */
const method = methods<JobExecProtocol>();

@injectable()
export class JobExec implements BrokerModule {
  readonly handlers: HandlerTable;
  /** `[exec] shell-plugins` and `[exec] imp`: they apply to the jobs that start after a change */
  private site: string[];
  private imp: string | undefined;
  /** the `[exec]` settings (termination, barrier, start delay, testexec): for the jobs that start after a change */
  private settings: ExecSettings;
  private readonly shells: ShellServer;
  /** rank 0 only */
  private readonly exec: ExecService | undefined;

  constructor(@inject(IHandle) h: Handle, @inject(IConfig) config: Readonly<Record<string, unknown>>, @inject(IRegistries) registries: ModuleRegistries) {
    instances++;
    this.site = sitePlugins(config);
    this.imp = impPath(config);
    this.settings = execSettings(config);
    // every job's plugins come from the registry: the built-ins are its fallbacks (plugins.ts)
    const plugins = registries.of(IShellPlugins);
    // read at the first job, not at load: every broker loads job-exec while the instance starts (~56 ms of requires)
    let builtins = false;
    const registered = () => {
      if (!builtins) provideBuiltinShellPlugins(plugins);
      builtins = true;
      return registeredStack(plugins);
    };
    this.shells = new ShellServer(h, () => this.imp, registered);
    const exec = (this.exec = h.rank === 0 ? new ExecService(h, () => this.site, () => this.imp, registered, () => this.settings) : undefined);
    const leaderOnly = exec
      ? [
          method('start', (req, m) => exec.start(req, m)),
          // a guest's own jobs: signal, stdin, output (job-owners.ts)
          method('kill', (req, m) => this.ownJob(m, req.id, 'signal', () => exec.kill(req)), guest),
          method('expiration', (req) => exec.expiration(req)),
          method('stdin', (req, m) => this.ownJob(m, req.id, 'send input to', () => exec.stdin(req)), guest),
          method('output-read', (req, m) => this.ownJob(m, req.id, 'read the output of', () => exec.outputRead(req, m)), guest),
          method('output-size', (req, m) => this.ownJob(m, req.id, 'read the output of', () => exec.outputSize(req)), guest),
          method('list', () => exec.list()),
          method('stats-get', () => exec.stats()),
          method('pmi-exchange', (req, m) => exec.pmiExchange(req, m)),
          method('hostpids', (req) => exec.hostpids(req)),
          method('disconnect', (_req, m) => exec.disconnect(m)),
          // the job manager's (the owner's): a guest's is ignored
          event('job-exception', ownerEvent(h, (_m, ev) => exec.onJobException(ev))),
          event('job-purge-inactive', ownerEvent(h, (_m, ev) => exec.onPurge(ev))),
        ]
      : [];
    this.handlers = [
      method('shell-start', (req, m) => this.shells.start(req, m)),
      method('shell-kill', (req) => this.shells.kill(req)),
      method('shell-stdin', (req) => this.shells.stdin(req)),
      method('shell-pids', (req) => this.shells.pids(req)),
      method('shell-ack', (req) => this.shells.ack(req)),
      ...leaderOnly,
    ];
  }

  /** run `fn` once the sender may act on job `id` (the owner at once) */
  private ownJob<R>(m: Message, id: number, what: string, fn: () => R): R | Promise<Awaited<R>> {
    const wait = this.exec?.owners.check(m, id, what);
    return wait ? wait.then(async (): Promise<Awaited<R>> => await fn()) : fn();
  }

  configReload(next: Readonly<Record<string, unknown>>): ConfigApply {
    const list = sitePlugins(next);
    const nextImp = impPath(next);
    const nextSettings = execSettings(next);
    return () => {
      this.site = list;
      this.imp = nextImp;
      this.settings = nextSettings;
    };
  }

  async stop(): Promise<void> {
    this.exec?.shutdown();
    this.shells.killAll();
    // the process-wide backstop, once no job-exec is left (brokers may share this process)
    if (--instances === 0) taskGuard.killAll();
    await this.exec?.removeLogs();
  }
}

export default defineModule({
  noArgs: true,
  name: 'job-exec',
  description: 'run jobs: job shells hosted in-process on every rank',
  ranks: 'all',
  config: execConfigSchema,
  protocol: jobExecProtocol,
  module: JobExec,
});
