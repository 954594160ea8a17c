/**
 * The broker: the composition root. It boots (singleton or through the tree,
 * handing the overlay a TreeHost view of itself), sets attributes, opens the
 * local connector, serves its own services (the built-in module `broker`,
 * kernel/broker-services.ts), loads modules (rc1), runs the initial program on rank 0 (rc2), unloads (rc3) and
 * exits with the initial program's status. It knows nothing of jobs.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from '../lib/uuid';
import { Errno } from '../lib/errno';
import { FluxError } from '../lib/errors';
import { LogLevel } from './api/handle';
import type { ConnectInstance } from '../lib/instance-connection';
import { AttrStore } from './attr/attrs';
import { defineDefaultAttrs } from './attr/defaults';
import type { BrokerArgs } from './boot/args';
import { SingletonTree, type BootInfo, type Tree } from './boot/boot-info';
import { loadConfigLocated, type Config } from '../lib/config/config';
import { checkConfig, type ConfigSchema } from '../lib/config-schema';
import { kernelConfigSchema } from './config/kernel-schema';
import { placeOf } from '../lib/config/locate';
import { LogFile } from './log/log-file';
import { installSyslog } from './log/log-syslog';
import { checkStatedir } from './state/statedir';
import { stickyParent } from '../lib/sticky-dir';
import { LocalConnector, clientControl } from './connector/local-socket';
import { checkOwnerOnlyDir } from './connector/socket-dir';
import { accessPolicy, checkEnforceable, type AccessPolicy } from './connector/access';
import { canReadPeerCred } from '../lib/native';
import { LogRing } from './log/log-ring';
import { parseSize } from '../lib/formats/size';
import { Role, event as makeEvent, type Message } from './message/message';
import { OWNER_UID } from '../lib/owner-uid';
import { ModuleHost } from './module/module-host';
import { importManifest, resolveModule } from './module/resolve';
import { readTables } from '../lib/modprobe';
import { MODPROBE_RC1, MODPROBE_RC3, modprobeRc1 } from '../lib/modprobe/rc1';
import type { BrokerContext, LocalHandle } from './router/local-handle';
import { Router } from './router/router';
import { IBrokerCore, brokerModule, treeService } from './broker-services';
import { RunningProgram, planInitialProgram, programEnv, type ProgramResult } from './state/initial-program';
import { Reaper } from '../lib/reaper';
import { recoveryBanner } from './state/recovery-banner';
import { childLineage, onFirstChild } from '../lib/lineage';
import { StateMachine, type BrokerState } from './state/state-machine';
import { idleReduceMs, idleReducer } from '../lib/idle-reduce';
import { BROKER_STARTED } from '../lib/process-events';

import type { TreeFactory, TreeHost } from './tree-host';
import { compressHostlist } from '../lib/formats/hostlist-attr';
import type { SharedProcess } from './state/shared-process';
import { watchFrontEnd } from '../lib/front-end-watch';

export type { TreeFactory } from './tree-host';
export { compressHostlist };
export { SharedProcess } from './state/shared-process';

export interface BrokerOptions {
  /** tries PMI / config boot; undefined or a factory returning undefined = singleton */
  treeFactory?: TreeFactory;
  /**
   * rank 0 entered RUN (the front end tells an enclosing instance where we are, and follows
   * its job's expiration); the initial program waits for what it returns, which must not reject
   */
  onRun?: (b: Broker) => Promise<void> | void;
  /** how modules reach another instance by URI (the front end's client: the kernel has none) */
  connectInstance?: ConnectInstance;
  /** one of many brokers in this process (flux start --test-in-process): its signals and reaper */
  shared?: Pick<SharedProcess, 'signals' | 'reaper'>;
}

const DEADLY: NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGALRM'];

export class Broker {
  readonly attrs = new AttrStore();
  readonly logRing = new LogRing();
  readonly uuid = randomUUID();
  readonly sm: StateMachine;
  config: Config = {};
  rank = 0;
  size = 1;
  router!: Router;
  ctx!: BrokerContext;
  self!: LocalHandle;
  modules!: ModuleHost;
  tree: Tree = new SingletonTree();
  boot!: BootInfo;
  private connector: LocalConnector | undefined;
  /** [access]: who the local connector lets in, and as what */
  private access: AccessPolicy = accessPolicy({});
  private eventSeq = 0;
  private exitCode = 0;
  private rc2: RunningProgram | undefined;
  private reaper: Reaper | undefined;
  private createdRundir: string | undefined;
  private createdStatedir: string | undefined;
  private abortRun: (() => void) | undefined;
  private startTime = Date.now() / 1000;
  private logFile: LogFile | undefined;
  private stopSyslog: (() => void) | undefined;

  constructor(
    readonly args: BrokerArgs,
    private readonly opts: BrokerOptions = {},
  ) {
    this.sm = new StateMachine((t) => this.log(LogLevel.info, 'broker', t));
  }

  log(severity: number, appname: string, text: string): void {
    this.logRing.append(severity, appname, text);
  }

  /** Print a fatal error the way Flux does and return the exit code. */
  private crit(text: string): number {
    this.log(LogLevel.crit, 'broker', text);
    return 1;
  }

  /** Run the broker to completion; resolves with the process exit code. */
  async run(): Promise<number> {
    defineDefaultAttrs(this.attrs);
    const hostname = os.hostname();
    this.attrs.setInternal('hostname', hostname);
    this.logRing.hostname = hostname;
    // -S first, so logging attributes apply to everything after.
    for (const [k, v] of this.args.setattrs) {
      try {
        if (k === 'tbon.fanout') {
          this.attrs.setFromCommandLine('tbon.topo', `kary:${v}`);
          continue;
        }
        this.attrs.setFromCommandLine(k, v);
      } catch (e) {
        const fe = e as FluxError;
        if (fe.message.startsWith('Error parsing')) {
          // Flux reports attribute values once its rank is known: take PMI's word for it
          this.logRing.hostname = process.env['PMI_RANK'] ?? '0';
          return this.crit(fe.message);
        }
        process.stderr.write(`flux-broker: ${fe.message}\n`);
        return 1;
      }
    }
    if (this.args.verbose > 0) {
      this.attrs.setInternal('log-stderr-level', this.args.verbose > 1 ? '7' : '6');
      this.attrs.setInternal('log-stderr-mode', 'local');
    }
    this.applyLogAttrs();
    try {
      // -c wins over -Sconfig.path; either way the attribute shows the path in use
      const configPath = this.args.configPath ?? this.attrs.get('config.path');
      const { config, where } = loadConfigLocated(configPath, this.args.confOverrides);
      this.config = config;
      if (configPath !== undefined) this.attrs.setInternal('config.path', configPath);
      // only the kernel's tables (a test instance has none): no module's code is loaded to check them
      // (every leaf loaded job-manager's and sched's); no module declares a kernel table
      const problem = checkConfig(Object.keys(config).every((k) => Object.hasOwn(kernelConfigSchema, k)) ? kernelConfigSchema : await this.configSchema(), config);
      if (problem) {
        const at = placeOf(where, problem.path);
        return this.crit(`Config file error: ${at !== undefined ? `${at}: ` : ''}${problem.path}: ${problem.text}`);
      }
    } catch (e) {
      return this.crit((e as Error).message);
    }

    // Bootstrap: the overlay's factory (PMI, config) or a singleton.
    let booted: { boot: BootInfo; tree: Tree } | undefined;
    try {
      booted = await this.opts.treeFactory?.(treeHost(this));
    } catch (e) {
      return this.crit(`bootstrap failed: ${(e as Error).message}`);
    }
    this.boot = booted?.boot ?? {
      rank: 0,
      size: 1,
      method: 'single',
      hostlist: [this.attrs.get('hostname') ?? hostname],
      instanceLevel: 0,
    };
    if (booted) this.tree = booted.tree;
    this.rank = this.boot.rank;
    this.size = this.boot.size;
    this.logRing.hostname = String(this.rank);
    this.attrs.setInternal('rank', String(this.rank));
    this.attrs.setInternal('size', String(this.size));
    this.attrs.setInternal('broker.boot-method', this.boot.method);
    this.attrs.setInternal('hostlist', compressHostlist(this.boot.hostlist));
    this.attrs.setInternal('instance-level', String(this.boot.instanceLevel));
    this.attrs.setInternal('broker.uuid', this.uuid);
    this.attrs.setInternal('broker.mapping', this.boot.mapping ?? `[[0,1,${this.size},1]]`);
    const quorum = this.attrs.get('broker.quorum');
    if (quorum === undefined) this.attrs.setInternal('broker.quorum', String(this.size));
    else if (Number(quorum) > this.size) return this.crit(`broker.quorum ${quorum} is larger than the instance (size ${this.size}): it could never be reached`);
    if (this.attrs.get('broker.critical-ranks') === undefined) this.attrs.setInternal('broker.critical-ranks', '0');
    if (this.boot.jobid !== undefined) this.setJobAttrs(this.boot.jobid);

    try {
      this.access = accessPolicy(this.config);
      checkEnforceable(this.access, canReadPeerCred());
      this.makeDirs();
    } catch (e) {
      await this.cleanupDirs();
      return this.crit((e as Error).message);
    }
    const logFilename = this.attrs.get('log-filename');
    if (this.rank === 0 && logFilename !== undefined) {
      try {
        this.logFile = LogFile.open(logFilename, this.logRing);
      } catch (e) {
        await this.cleanupDirs();
        return this.crit(`log-filename ${logFilename}: ${(e as Error).message}`);
      }
    }

    this.stopSyslog = installSyslog(this.logRing, this.attrs, () => this.rank);

    this.router = new Router(this.rank, this.uuid);
    this.router.overlay = this.tree.port;
    this.router.onDrop = (m, why) => this.log(LogLevel.debug, 'broker', `dropped ${m.topic}: ${why}`);
    this.ctx = {
      router: this.router,
      rank: this.rank,
      size: this.size,
      getattr: (n) => this.attrs.get(n),
      log: (s, a, t) => this.log(s, a, t),
      publish: (t, p, flags) => this.publish(t, p, { userid: OWNER_UID, rolemask: Role.Owner, flags: flags ?? 0 }),
    };
    this.modules = new ModuleHost(this.ctx, () => this.config, this.opts.connectInstance);
    // the broker's own services: the built-in module `broker` (kernel/broker-services.ts), first, on the broker's endpoint
    this.self = (await this.modules.loadBuiltin(brokerModule, this.uuid, [[IBrokerCore, this]])).handle;

    this.connector = new LocalConnector(
      this.router,
      {
        log: (sev, text) => this.log(sev, 'connector-local', text),
        clientControl: (ep, m) => clientControl(this.router, ep, m),
      },
      {
        clientOutbuf: parseSize(this.attrs.get('connector.client-outbuf') ?? ''),
        inflight: parseSize(this.attrs.get('connector.inflight-max') ?? ''),
      },
      this.access,
    );
    const localPath = this.attrs.get('local-uri')!.slice('local://'.length);
    try {
      await this.connector.listen(localPath);
    } catch (e) {
      // refused (lib/socket-claim.ts): what is in the socket's directory is another instance's, even with rundir-cleanup=1
      if (e instanceof FluxError && path.resolve(localPath, '..') === path.resolve(this.attrs.get('rundir')!)) this.createdRundir = undefined;
      await this.cleanupDirs();
      return this.crit(e instanceof FluxError ? e.message : `cannot listen on ${localPath}: ${(e as Error).message}`);
    }
    this.installSignals();
    // nothing this broker starts outlives it, even when it is killed with SIGKILL: the reaper
    // starts with the first process it starts (a fork of the broker and an exec a leaf may never need)
    this.reaper = this.opts.shared?.reaper ?? new Reaper(this.uuid, (sev, text) => this.log(sev === 'err' ? LogLevel.err : LogLevel.debug, 'broker', text));
    if (!this.opts.shared) onFirstChild(this.uuid, () => this.reaper?.start());
    // a broker killed with SIGKILL cannot remove the rundir it made: its reaper does
    if (!this.opts.shared && this.createdRundir !== undefined) this.reaper.guardRundir(this.createdRundir);
    this.startTime = Date.now() / 1000;
    this.attrs.setInternal('broker.starttime', this.startTime.toFixed(2));
    await this.lifeCycle();
    return this.exitCode;
  }

  private setJobAttrs(jobid: string): void {
    this.attrs.setInternal('jobid', jobid);
    const uri = process.env['FLUX_URI'];
    if (uri) this.attrs.setInternal('parent-uri', uri);
    const ns = process.env['FLUX_KVS_NAMESPACE'];
    if (ns) this.attrs.setInternal('parent-kvs-namespace', ns);
    const jp = process.env['FLUX_JOB_ID_PATH'];
    this.attrs.setInternal('jobid-path', jp ?? `/${jobid}`);
  }

  applyLogAttrs(): void {
    const num = (n: string, d: number) => {
      const v = Number(this.attrs.get(n));
      return Number.isFinite(v) ? v : d;
    };
    const size = (n: string, d: number) => parseSize(this.attrs.get(n) ?? '') ?? d;
    // at most half a client's reply buffer, so that `flux dmesg` can always take a full ring
    Object.assign(this.logRing.ring, { maxCount: num('log-ring-size', 1024), maxBytes: Math.min(size('log-ring-bytes', 8 << 20), size('connector.client-outbuf', 32 << 20) / 2) }).trim();
    this.logRing.level = num('log-level', 7);
    this.logRing.stderrLevel = num('log-stderr-level', 3);
    this.logRing.criticalLevel = num('log-critical-level', 2);
    this.logRing.stderrMode = this.attrs.get('log-stderr-mode') === 'local' ? 'local' : 'leader';
  }

  /** Side effects of a runtime attribute change. */
  applyAttr(name: string): void {
    if (name.startsWith('log-')) this.applyLogAttrs();
  }

  private makeDirs(): void {
    let rundir = this.attrs.get('rundir');
    // unset, or a sticky /tmp-like directory: a unique one is made (in it), and removed at exit
    const stickyRun = stickyParent(rundir);
    if (rundir === undefined || stickyRun !== undefined) {
      const tmp = stickyRun ?? (process.env['TMPDIR'] || '/tmp');
      rundir = fs.mkdtempSync(path.join(tmp, 'flux-'));
      this.createdRundir = rundir;
      this.attrs.setInternal('rundir', rundir);
    } else if (!fs.existsSync(rundir)) {
      fs.mkdirSync(rundir, { mode: 0o700 });
      this.createdRundir = rundir;
    } else {
      checkOwnerOnlyDir('rundir', rundir);
    }
    // with guests the socket must be reachable: others may search (never write) the rundir
    fs.chmodSync(rundir, this.access.allowGuestUser ? 0o755 : 0o700);
    if (this.attrs.get('rundir-cleanup') === '0') this.createdRundir = undefined;
    if (this.attrs.get('rundir-cleanup') === '1') this.createdRundir = rundir;
    // as Flux: the attribute says whether the rundir goes at exit
    this.attrs.setInternal('rundir-cleanup', this.createdRundir === undefined ? '0' : '1');
    if (this.attrs.get('local-uri') === undefined) {
      const sock = path.join(rundir, `local-${this.rank}`);
      if (sock.length > 107) throw new FluxError(Errno.EINVAL, `local-uri path ${sock} exceeds the 107-byte socket path limit`);
      this.attrs.setInternal('local-uri', `local://${sock}`);
    } else {
      checkOwnerOnlyDir('local-uri directory', path.dirname(this.attrs.get('local-uri')!.replace(/^local:\/\//, '')));
    }
    if (this.rank === 0) {
      let statedir = this.attrs.get('statedir');
      const stickyState = stickyParent(statedir);
      if (statedir !== undefined && stickyState === undefined) {
        // one the user names is kept at exit, even when the broker had to create it, unless statedir-cleanup=1 says otherwise
        checkStatedir(statedir);
        if (this.attrs.get('statedir-cleanup') === '1') this.createdStatedir = statedir;
      } else {
        const tmp = stickyState ?? (process.env['TMPDIR'] || '/var/tmp');
        statedir = fs.mkdtempSync(path.join(tmp, 'flux-'));
        this.createdStatedir = statedir;
        this.attrs.setInternal('statedir', statedir);
        // the kvs does not sync a store that is removed at exit
        if (this.attrs.get('statedir-cleanup') !== '0') this.attrs.setInternal('statedir-cleanup', '1');
      }
      if (this.attrs.get('statedir-cleanup') === '0') this.createdStatedir = undefined;
    }
  }

  /** remove the dirs this broker made, off the loop: the rundir holds what jobs left there */
  private async cleanupDirs(): Promise<void> {
    const dirs = [this.createdRundir, this.createdStatedir];
    this.createdRundir = this.createdStatedir = undefined;
    for (const d of dirs) if (d) await fs.promises.rm(d, { recursive: true, force: true }).catch((e: Error) => this.log(LogLevel.err, 'broker', e.message));
  }

  /** Publish an event: rank 0 sequences and distributes, others forward up (with the publisher's credentials: without `from`, the broker's own, the owner's). */
  async publish(topic: string, payload: unknown, from: Pick<Message, 'userid' | 'rolemask' | 'flags'> = { userid: OWNER_UID, rolemask: Role.Owner, flags: 0 }): Promise<void> {
    if (this.rank === 0) {
      this.router.dispatchEvent({ ...makeEvent(topic, payload, ++this.eventSeq), ...from });
      return;
    }
    await this.self.rpc('event.pub', { topic, payload, flags: from.flags, userid: from.userid, rolemask: from.rolemask }, { nodeid: 0 });
  }

  private installSignals(): void {
    const from = this.opts.shared?.signals ?? process;
    for (const sig of DEADLY) from.on(sig, () => this.onDeadlySignal(sig));
    if (this.opts.shared) return;
    process.on('SIGPIPE', () => {});
    // a broker of `flux start --test-size` whose front end is gone, even by SIGKILL: as on SIGTERM
    // (rank 0 then removes the rundir the front end made, with its own dirs)
    const frontEndGone = (rundir: string | undefined) => {
      this.createdRundir ??= rundir;
      this.onDeadlySignal('SIGTERM');
    };
    watchFrontEnd(process.env, frontEndGone, this.rank === 0);
  }

  /**
   * `flux shutdown`: end RUN as the end of the initial program would; a running
   * initial program gets SIGHUP first (as on a signal to the broker).
   */
  requestShutdown(): void {
    if (this.rc2) this.rc2.kill('SIGHUP');
    else this.abortRun?.();
  }

  /** as Flux's: a repeat never ends the broker at once (a nested one gets several as its job is canceled) */
  private onDeadlySignal(sig: NodeJS.Signals): void {
    if (this.rc2?.child.exitCode === null && this.rc2 && this.rcInteractive && sig === 'SIGINT') return;
    this.log(LogLevel.debug, 'broker', `received ${sig}`);
    if (this.rc2) this.rc2.kill('SIGHUP');
    else this.abortRun?.();
  }
  private rcInteractive = false;

  /** broker.recovery-mode (flux start --recovery): rc1 failures are not fatal, resources stay offline */
  get recoveryMode(): boolean {
    return this.attrs.get('broker.recovery-mode') === '1';
  }

  private enter(event: string, s: BrokerState): void {
    this.sm.post(event, s);
    this.tree.stateChanged(s);
  }

  private async lifeCycle(): Promise<void> {
    this.enter('builtins-success', 'join');
    try {
      await this.tree.parentReady();
      this.enter(this.rank === 0 ? 'parent-none' : 'parent-ready', 'config-sync');
      this.enter(this.rank === 0 ? 'sync-none' : 'sync-success', 'init');
    } catch (e) {
      return this.failBeforeRun('parent-fail', 1, e);
    }
    const rc1 = await this.rc1();
    if (rc1 !== 0 && !this.recoveryMode) return this.failBeforeRun('rc1-fail', rc1);
    // recovery (flux start --recovery): the owner repairs what failed by hand
    this.enter(rc1 === 0 ? 'rc1-success' : 'rc1-ignorefail', 'quorum');
    try {
      await this.tree.quorum();
    } catch (e) {
      return this.failBeforeRun('quorum-fail', 1, e);
    }
    this.enter('quorum-full', 'run');
    // up: the bundle's code cache is written now if it is due (cli/bundle-loader.ts), with start-up's functions only
    (process as NodeJS.EventEmitter).emit(BROKER_STARTED);
    // not before: a broker waiting for its peers (a leaf of a big instance, for seconds) would collect and drop the code it is about to run
    const quiet = idleReduceMs(this.attrs.get('broker.idle-reduce'));
    if (quiet !== undefined) idleReducer.watch(this.router, quiet);
    if (this.rank === 0) await this.opts.onRun?.(this);
    if (this.rank === 0 && this.attrs.get('broker.rc2_none') === undefined) {
      const r = await this.runInitialProgram();
      this.exitCode = r;
      this.enter(r === 0 ? 'rc2-success' : 'rc2-fail', 'cleanup');
    } else {
      await new Promise<void>((resolve) => {
        this.abortRun = resolve;
        this.tree.runDone().then(resolve, (e: Error) => {
          // parent-fail: a follower whose parent went away exits non-zero
          this.log(LogLevel.err, 'broker', e.message);
          this.exitCode = 1;
          resolve();
        });
      });
      this.enter('shutdown', 'cleanup');
    }
    // rank 0: the pushed cleanup commands, then what must end before the brokers go (the running jobs), module by module
    let cleanupRc = 0;
    for (const [i, command] of this.cleanupCommands.splice(0).entries()) cleanupRc = Math.max(cleanupRc, await this.runRc(`cleanup.${i}`, command));
    if (cleanupRc !== 0 && this.exitCode === 0) this.exitCode = cleanupRc;
    if (this.rank === 0) await this.modules.cleanup();
    this.enter(this.rank !== 0 ? 'cleanup-none' : cleanupRc === 0 ? 'cleanup-success' : 'cleanup-fail', 'shutdown');
    await this.finish();
  }

  /** A step before RUN failed: straight to SHUTDOWN with this exit code. */
  private async failBeforeRun(event: string, code: number, e?: unknown): Promise<void> {
    if (e !== undefined) this.log(LogLevel.err, 'broker', (e as Error).message);
    this.exitCode = code;
    this.enter(event, 'shutdown');
    await this.finish();
  }

  private async finish(): Promise<void> {
    await this.tree.childrenGone();
    this.enter(this.attrs.get('tbon.descendants') === '0' ? 'children-none' : 'children-complete', 'finalize');
    // rc3: Flux's default (`flux modprobe rc3`) is the removal of every module below; another is run first
    const rc3 = this.attrs.get('broker.rc3_path') ?? '';
    if (rc3 !== '' && rc3 !== MODPROBE_RC3) {
      const r = await this.runRc(`rc3.${this.rank}`, rc3);
      if (r !== 0 && this.exitCode === 0) this.exitCode = r;
    }
    const t3 = performance.now();
    await this.modules.removeAll();
    if (rc3 === MODPROBE_RC3) this.logRc(`rc3.${this.rank}`, MODPROBE_RC3, 'Exited', 0, (performance.now() - t3) / 1000);
    this.enter('rc3-success', 'goodbye');
    await this.tree.goodbye();
    this.enter('goodbye', 'unload-builtins');
    await this.connector?.close();
    idleReducer.unwatch(this.router);
    await this.tree.close();
    this.rc2?.reapGroup();
    if (!this.opts.shared) await this.reaper?.finish();
    await this.cleanupDirs();
    await this.logFile?.close();
    this.stopSyslog?.();
    this.enter('builtins-done', 'exit');
  }

  /**
   * rc1: Flux's default (`flux modprobe rc1`) loads the module table here in
   * the broker (lib/modprobe/rc1.ts); another broker.rc1_path is run (empty:
   * nothing at all).
   */
  private async rc1(): Promise<number> {
    const rc1 = this.attrs.get('broker.rc1_path') ?? '';
    if (rc1 !== MODPROBE_RC1) return rc1 === '' ? 0 : this.runRc(`rc1.${this.rank}`, rc1);
    const t0 = performance.now();
    const rc = await modprobeRc1({
      rank: this.rank,
      config: this.config,
      attr: (n) => this.attrs.get(n),
      env: process.env,
      load: async (module, args, name) => void (await this.modules.load(module, args, name)),
      error: (line) => this.log(LogLevel.err, 'broker', line),
      keepGoing: this.recoveryMode,
    });
    this.logRc(`rc1.${this.rank}`, MODPROBE_RC1, 'Exited', rc, (performance.now() - t0) / 1000);
    return rc;
  }

  /** flux admin cleanup-push (runat.push): rank 0 runs these in CLEANUP, the last pushed first. */
  private readonly cleanupCommands: string[] = [];
  pushCleanup(name: string, commands: readonly string[]): void {
    if (name !== 'cleanup' || this.rank !== 0 || !['init', 'quorum', 'run'].includes(this.sm.state)) {
      throw new FluxError(Errno.EINVAL, name !== 'cleanup' ? `runat.push: ${name}: only the cleanup list takes commands` : 'runat.push: rank 0 takes cleanup commands until its CLEANUP starts');
    }
    this.cleanupCommands.unshift(...commands);
  }

  /**
   * rc1, rc3 (a broker.rc*_path) or a cleanup command: run by the shell when it
   * has words, with FLUX_URI naming this broker; its exit status is the result.
   */
  private async runRc(label: string, command: string): Promise<number> {
    const plan = planInitialProgram([command], process.env);
    const env = programEnv(process.env, this.attrs.get('local-uri')!, this.attrs.get('jobid'), childLineage(this.uuid));
    const prog = new RunningProgram(plan, env, { detached: true, noStdin: true });
    if (prog.child.pid !== undefined) this.reaper?.guardSession(prog.child.pid);
    const r = await prog.done;
    prog.reapGroup();
    this.logRc(label, command, r.how, r.rc, r.seconds);
    return r.rc;
  }

  private logRc(label: string, command: string, how: string, rc: number, seconds: number): void {
    this.log(rc === 0 ? LogLevel.info : LogLevel.err, 'broker', `${label}: ${command} ${how} (rc=${rc}) ${seconds.toFixed(1)}s`);
  }

  /**
   * The shape of the whole config: the kernel's tables and those of every
   * module in the module table (disabled ones too: they may be loaded by hand),
   * checked at start and at config reload.
   */
  async configSchema(): Promise<ConfigSchema> {
    const schema: Record<string, ConfigSchema[string]> = { ...kernelConfigSchema };
    // a table that cannot be read is rc1's to report
    const entries = await readTables(process.env).then((t) => t.db.all(), () => []);
    for (const m of entries) {
      let manifest;
      try {
        manifest = await importManifest(resolveModule(m.module, process.env['FLUX_MODULE_PATH']).path, m.name);
      } catch {
        continue; // rc1 reports a module that cannot load
      }
      Object.assign(schema, manifest.config ?? {});
    }
    return schema;
  }

  private async runInitialProgram(): Promise<number> {
    const plan = planInitialProgram(this.args.program, process.env);
    // isatty(0), not process.stdin.isTTY: that would build a stream on fd 0 we
    // never read. node:tty is required here, on rank 0 only: followers never load it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const stdinIsTty = (require('node:tty') as typeof import('node:tty')).isatty(0);
    if (plan.interactive && !stdinIsTty) {
      this.log(LogLevel.crit, 'broker', "stdin is not a tty - can't run interactive shell");
      return 1;
    }
    this.rcInteractive = plan.interactive;
    if (plan.interactive && this.recoveryMode) process.stdout.write(recoveryBanner((n) => this.attrs.get(n)));
    const env = programEnv(process.env, this.attrs.get('local-uri')!, this.attrs.get('jobid'), childLineage(this.uuid));
    this.rc2 = new RunningProgram(plan, env, { detached: !stdinIsTty });
    // its own session: what stays in it dies with the broker (a tty's job-control group is the user's)
    if (!stdinIsTty && this.rc2.child.pid !== undefined) this.reaper?.guardSession(this.rc2.child.pid);
    const r: ProgramResult = await this.rc2.done;
    const text = `rc2.0: ${plan.words.join(' ')} ${r.how} (rc=${r.rc}) ${r.seconds.toFixed(1)}s`;
    this.log(r.rc === 0 ? LogLevel.info : LogLevel.err, 'broker', text);
    return r.rc;
  }
}

/** All the overlay sees of a broker (kernel/tree-host.ts): a view that reads through, never the Broker itself. */
function treeHost(b: Broker): TreeHost {
  const host: TreeHost = {
    uuid: b.uuid,
    attrs: b.attrs,
    args: b.args,
    logRing: b.logRing,
    get rank() { return b.rank; },
    get config() { return b.config; },
    get router() { return b.router; },
    get self() { return b.self; },
    // the overlay's services (overlay.status, groups.get) become handlers of the broker module
    extraServices: { set: (topic, fn) => b.modules.serveBuiltin(treeService(topic, (msg) => fn(host, msg))) },
    log: (severity, appname, text) => b.log(severity, appname, text),
    publish: (topic, payload) => b.publish(topic, payload),
  };
  return host;
}

