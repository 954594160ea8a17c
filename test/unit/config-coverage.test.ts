/**
 * Nothing silent (issue 11): every broker attribute and every config key is
 * documented, and each one either has its effect shown by a named test or is
 * refused. The test enumerates the attribute table (kernel/attr/defaults.ts)
 * and the config schema (the kernel's and every module manifest's); a new
 * attribute or key fails here until it is documented and given a test (add it
 * to COVERED with the test file that shows it), or is refused.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AttrFlag, AttrStore } from '../../kernel/attr/attrs';
import { defineDefaultAttrs } from '../../kernel/attr/defaults';
import { isModuleManifest } from '../../kernel/api/module';
import { schemaPaths, type ConfigSchema } from '../../lib/config-schema';
import { kernelConfigSchema } from '../../kernel/config/kernel-schema';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** attribute or config path -> the test file (under test/) that shows its effect */
const COVERED: Record<string, string> = {
  // attributes
  hostname: 'integration/t0100-start-test-size.test.ts',
  rundir: 'integration/t0001-start-singleton.test.ts',
  'rundir-cleanup': 'integration/t0100-start-test-size.test.ts',
  statedir: 'integration/t1000-config-strict.test.ts',
  'content.restore': 'integration/t0804-dump-restore.test.ts',
  'content.dump': 'integration/t0604-shutdown-log.test.ts',
  'content.backing-module': 'integration/t1006-attr-flux-names.test.ts',
  'broker.recovery-mode': 'integration/t0805-restore-recovery.test.ts',
  'statedir-cleanup': 'integration/t1001-attr-effects.test.ts',
  'local-uri': 'integration/t0623-rundir-owner.test.ts',
  'broker.quorum': 'integration/t0114-multi-host.test.ts',
  'broker.quorum-warn': 'integration/t0632-overlay-connect-retry.test.ts',
  'broker.idle-reduce': 'integration/t1130-broker-idle-reduce.test.ts',
  'broker.rc1_path': 'integration/t1000-config-strict.test.ts',
  'broker.rc3_path': 'integration/t1000-config-strict.test.ts',
  'broker.rc2_none': 'integration/t0002-attr.test.ts',
  'config.path': 'integration/t1000-config-strict.test.ts',
  'log-ring-size': 'integration/t1001-attr-effects.test.ts',
  'log-ring-bytes': 'integration/t0017-log-ring-bounds.test.ts',
  'log-level': 'integration/t1001-attr-effects.test.ts',
  'log-forward-level': 'integration/t1001-attr-effects.test.ts',
  'log-critical-level': 'integration/t1001-attr-effects.test.ts',
  'log-stderr-level': 'integration/t0002-attr.test.ts',
  'log-stderr-mode': 'integration/t1001-attr-effects.test.ts',
  'log-filename': 'integration/t1000-config-strict.test.ts',
  'log-syslog-enable': 'integration/t1042-broker-knobs.test.ts',
  'log-syslog-level': 'integration/t1042-broker-knobs.test.ts',
  'tbon.topo': 'integration/t0110-overlay.test.ts',
  'tbon.fanout': 'integration/t1001-attr-effects.test.ts',
  'tbon.prefertcp': 'integration/t0630-overlay-strangers.test.ts',
  'tbon.interface-hint': 'integration/t1042-broker-knobs.test.ts',
  'tbon.torpid_min': 'integration/t0641-tbon-liveness-config.test.ts',
  'tbon.torpid_max': 'integration/t0640-torpid-leaf.test.ts',
  'tbon.tcp_user_timeout': 'integration/t0642-stalled-link-lost.test.ts',
  'tbon.connect_timeout': 'integration/t1042-broker-knobs.test.ts',
  'connector.client-outbuf': 'integration/t0622-client-slow-consumer.test.ts',
  'connector.inflight-max': 'integration/t0621-client-frame-flood.test.ts',
  // config keys (the test file names the key's last word)
  'bootstrap.hosts[].host': 'integration/t0630-overlay-strangers.test.ts',
  'bootstrap.hosts[].bind': 'integration/t0630-overlay-strangers.test.ts',
  'bootstrap.hosts[].connect': 'integration/t0630-overlay-strangers.test.ts',
  'bootstrap.hosts[].parent': 'integration/t0633-custom-topology.test.ts',
  'bootstrap.enable_ipv6': 'integration/t0633-custom-topology.test.ts',
  'bootstrap.curve_cert': 'integration/t0630-overlay-strangers.test.ts',
  'bootstrap.default_port': 'unit/overlay/config-boot.test.ts',
  'bootstrap.default_bind': 'integration/t0114-multi-host.test.ts',
  'bootstrap.default_connect': 'integration/t0114-multi-host.test.ts',
  'hosts[].host': 'integration/t0114-multi-host.test.ts',
  'hosts[].bind': 'integration/t0114-multi-host.test.ts',
  'hosts[].connect': 'integration/t0114-multi-host.test.ts',
  'hosts[].parent': 'integration/t0633-custom-topology.test.ts',
  enable_ipv6: 'integration/t0633-custom-topology.test.ts',
  curve_cert: 'integration/t0114-multi-host.test.ts',
  default_port: 'unit/overlay/config-boot.test.ts',
  default_bind: 'integration/t0114-multi-host.test.ts',
  default_connect: 'integration/t0114-multi-host.test.ts',
  'modules.disable': 'integration/t1000-config-strict.test.ts',
  'modules.*.ranks': 'integration/t1000-config-strict.test.ts',
  'modules.*.args': 'integration/t1000-config-strict.test.ts',
  'modules.alternatives.*': 'integration/t0653-modprobe.test.ts',
  'modules.*.module': 'integration/t0653-modprobe.test.ts',
  'modules.*.provides': 'integration/t0653-modprobe.test.ts',
  'modules.*.requires': 'integration/t0653-modprobe.test.ts',
  'modules.*.needs': 'integration/t0653-modprobe.test.ts',
  'modules.*.before': 'integration/t0653-modprobe.test.ts',
  'modules.*.after': 'integration/t0653-modprobe.test.ts',
  'modules.*.needs-config': 'integration/t0653-modprobe.test.ts',
  'modules.*.needs-attrs': 'integration/t0653-modprobe.test.ts',
  'modules.*.needs-env': 'integration/t0653-modprobe.test.ts',
  'modules.*.priority': 'integration/t0653-modprobe.test.ts',
  'modules.*.disabled': 'integration/t0653-modprobe.test.ts',
  'modules.*.exec': 'integration/t0653-modprobe.test.ts',
  'access.allow-guest-user': 'integration/t1200-guests.test.ts',
  'access.allow-root-owner': 'integration/t1200-guests.test.ts',
  'access.private-mode': 'integration/t1200-guests.test.ts',
  'sched.policy': 'integration/t0202-backfill.test.ts',
  'sched.select': 'unit/sched/policies.test.ts',
  'sched.*': 'integration/t1000-config-strict.test.ts',
  'cli-pool.size': 'integration/t0014-cli-pool.test.ts',
  'job-manager.inactive-age-limit': 'integration/t0304-purge.test.ts',
  'job-manager.inactive-num-limit': 'integration/t0304-purge.test.ts',
  'job-manager.plugins': 'integration/t1022-jobtap-config.test.ts',
  'job-manager.perilog.log-ignore': 'integration/t1025-perilog.test.ts',
  'job-manager.prolog.command': 'integration/t1025-perilog.test.ts',
  'job-manager.prolog.timeout': 'integration/t1025-perilog.test.ts',
  'job-manager.prolog.kill-timeout': 'integration/t1025-perilog.test.ts',
  'job-manager.prolog.per-rank': 'integration/t1025-perilog.test.ts',
  'job-manager.prolog.cancel-on-exception': 'integration/t1025-perilog.test.ts',
  'job-manager.epilog.command': 'integration/t1025-perilog.test.ts',
  'job-manager.epilog.timeout': 'integration/t1025-perilog.test.ts',
  'job-manager.epilog.kill-timeout': 'integration/t1025-perilog.test.ts',
  'job-manager.epilog.per-rank': 'integration/t1025-perilog.test.ts',
  'job-manager.epilog.cancel-on-exception': 'integration/t1025-perilog.test.ts',
  'job-manager.housekeeping.command': 'integration/t1027-housekeeping.test.ts',
  'job-manager.housekeeping.release-after': 'integration/t1027-housekeeping.test.ts',
  'job-manager.housekeeping.use-systemd-unit': 'integration/t1027-housekeeping.test.ts',
  'resource.config[].hosts': 'integration/t1002-resource-config.test.ts',
  'resource.config[].cores': 'integration/t1002-resource-config.test.ts',
  'resource.config[].gpus': 'integration/t1002-resource-config.test.ts',
  'resource.config[].properties': 'integration/t1002-resource-config.test.ts',
  'resource.path': 'integration/t1002-resource-config.test.ts',
  'resource.exclude': 'integration/t1002-resource-config.test.ts',
  'resource.reserve': 'integration/t1002-resource-config.test.ts',
  'resource.noverify': 'integration/t1002-resource-config.test.ts',
  'resource.journal-max': 'integration/t1002-resource-config.test.ts',
  'heartbeat.period': 'integration/t1050-cron.test.ts',
  'heartbeat.timeout': 'integration/t1050-cron.test.ts',
  'heartbeat.warn_thresh': 'integration/t1050-cron.test.ts',
  'resource.scheduling': 'integration/t1002-resource-config.test.ts',
  'resource.norestrict': 'integration/t1002-resource-config.test.ts',
  'resource.rediscover': 'integration/t1142-nested-updates.test.ts',
  'resource.verify': 'integration/t1143-config-flux-values.test.ts',
  'queues.*.requires': 'integration/t1004-queues.test.ts',
  'queues.*.policy.limits.duration': 'integration/t1004-queues.test.ts',
  'queues.*.policy.limits.job-size.min.nnodes': 'integration/t1004-queues.test.ts',
  'queues.*.policy.limits.job-size.min.ncores': 'integration/t1004-queues.test.ts',
  'queues.*.policy.limits.job-size.min.ngpus': 'integration/t1004-queues.test.ts',
  'queues.*.policy.limits.job-size.max.nnodes': 'integration/t1004-queues.test.ts',
  'queues.*.policy.limits.job-size.max.ncores': 'integration/t1004-queues.test.ts',
  'queues.*.policy.limits.job-size.max.ngpus': 'integration/t1004-queues.test.ts',
  'queues.*.policy.jobspec.defaults.system.duration': 'integration/t1004-queues.test.ts',
  'policy.limits.duration': 'integration/t1004-queues.test.ts',
  'policy.limits.job-size.min.nnodes': 'integration/t1004-queues.test.ts',
  'policy.limits.job-size.min.ncores': 'integration/t1004-queues.test.ts',
  'policy.limits.job-size.min.ngpus': 'integration/t1004-queues.test.ts',
  'policy.limits.job-size.max.nnodes': 'integration/t1004-queues.test.ts',
  'policy.limits.job-size.max.ncores': 'integration/t1004-queues.test.ts',
  'policy.limits.job-size.max.ngpus': 'integration/t1004-queues.test.ts',
  'policy.jobspec.defaults.system.duration': 'integration/t1004-queues.test.ts',
  'policy.jobspec.defaults.system.queue': 'integration/t1004-queues.test.ts',
  'exec.shell-plugins': 'integration/t1023-shell-plugins.test.ts',
  'exec.imp': 'integration/t1201-imp.test.ts',
  'exec.kill-timeout': 'integration/t1143-config-flux-values.test.ts',
  'exec.term-signal': 'integration/t1143-config-flux-values.test.ts',
  'exec.kill-signal': 'integration/t1143-config-flux-values.test.ts',
  'exec.max-kill-count': 'integration/t1143-config-flux-values.test.ts',
  'exec.barrier-timeout': 'integration/t1143-config-flux-values.test.ts',
  'exec.testexec.allow-guests': 'integration/t1200-guests.test.ts',
  'exec.max-start-delay-percent': 'integration/t1143-config-flux-values.test.ts',
  'exec.max-kill-timeout': 'integration/t1143-config-flux-values.test.ts',
  'kvs.checkpoint-period': 'integration/t0802-sigkill-durability.test.ts',
  'kvs.gc-threshold': 'integration/t0802-sigkill-durability.test.ts',
  'ingest.batch-count': 'integration/t1047-ingest-config.test.ts',
  'ingest.buffer-size': 'integration/t1047-ingest-config.test.ts',
  'ingest.frobnicator.disable': 'integration/t1047-ingest-config.test.ts',
  'ingest.frobnicator.plugins': 'integration/t1047-ingest-config.test.ts',
  'ingest.frobnicator.args': 'integration/t1047-ingest-config.test.ts',
  'ingest.validator.disable': 'integration/t1047-ingest-config.test.ts',
  'ingest.validator.plugins': 'integration/t1047-ingest-config.test.ts',
  'ingest.validator.args': 'integration/t1047-ingest-config.test.ts',
  'ingest.validator.require-instance.minnodes': 'integration/t1047-ingest-config.test.ts',
  'ingest.validator.require-instance.mincores': 'integration/t1047-ingest-config.test.ts',
};

/** config table -> its man page (docs/man5) */
const PAGE: Record<string, string> = {
  ingest: 'flux-config-ingest.md',
  kvs: 'flux-config-kvs.md',
  bootstrap: 'flux-config-bootstrap.md',
  hosts: 'flux-config-bootstrap.md',
  curve_cert: 'flux-config-bootstrap.md',
  default_port: 'flux-config-bootstrap.md',
  default_bind: 'flux-config-bootstrap.md',
  default_connect: 'flux-config-bootstrap.md',
  enable_ipv6: 'flux-config-bootstrap.md',
  tbon: 'flux-config-tbon.md',
  modules: 'flux-config-modules.md',
  access: 'flux-config-access.md',
  sched: 'flux-config-sched.md',
  'cli-pool': 'flux-config-cli-pool.md',
  'job-manager': 'flux-config-job-manager.md',
  resource: 'flux-config-resource.md',
  queues: 'flux-config-queues.md',
  policy: 'flux-config-policy.md',
  exec: 'flux-config-exec.md',
  heartbeat: 'flux-config-heartbeat.md',
};

const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), 'utf8');
const lastWord = (p: string) => p.split(/[.[\]]+/).filter((w) => w.length > 0 && w !== '*').pop() ?? p;

/** The schema the broker checks: the kernel's plus every module manifest's. */
function fullSchema(): ConfigSchema {
  const schema: Record<string, ConfigSchema[string]> = { ...kernelConfigSchema };
  for (const ent of fs.readdirSync(path.join(ROOT, 'modules'), { withFileTypes: true })) {
    if (!ent.isDirectory()) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = (require(path.join(ROOT, 'dist', 'modules', ent.name, 'index.js')) as { default?: unknown }).default;
    if (isModuleManifest(m)) Object.assign(schema, m.config ?? {});
  }
  return schema;
}

function coveredBy(name: string, word: string): string | undefined {
  const file = COVERED[name];
  if (file === undefined) return `${name}: no test named in COVERED`;
  const full = path.join(ROOT, 'test', file);
  if (!fs.existsSync(full)) return `${name}: ${file} does not exist`;
  if (!read(path.join('test', file)).includes(word)) return `${name}: ${file} does not mention ${word}`;
  return undefined;
}

test('every attribute is refused when set, or has a test that shows its effect', () => {
  const a = new AttrStore();
  defineDefaultAttrs(a);
  const problems: string[] = [];
  const names: string[] = [];
  const rec = Object.create(a) as AttrStore;
  rec.define = (n: string, ...rest) => {
    names.push(n);
    AttrStore.prototype.define.call(a, n, ...rest);
  };
  defineDefaultAttrs(rec);
  for (const n of names) {
    const flags = a.flags(n);
    if (flags & AttrFlag.ReadOnly) continue;
    if (flags & AttrFlag.Unsupported) {
      let refused = false;
      try {
        a.setFromCommandLine(n, 'a-value-no-attribute-has');
      } catch {
        refused = true;
      }
      if (!refused) problems.push(`${n}: flagged Unsupported but a value was accepted`);
      continue;
    }
    const p = coveredBy(n, n);
    if (p) problems.push(p);
  }
  assert.ok(names.length > 40);
  assert.equal(problems, [], problems.join('\n'));
});

test('every config key is documented in its man5 page and has a test', () => {
  const paths = schemaPaths(fullSchema());
  assert.ok(paths.length > 15, `only ${paths.length} config keys`);
  const problems: string[] = [];
  for (const p of paths) {
    const table = p.split(/[.[]/)[0]!;
    const page = PAGE[table];
    if (page === undefined) {
      problems.push(`${p}: no man5 page for [${table}] in PAGE`);
      continue;
    }
    const word = lastWord(p);
    const file = path.join('docs', 'man5', page);
    if (!fs.existsSync(path.join(ROOT, file))) problems.push(`${p}: ${file} does not exist`);
    else if (!read(file).includes(`\`${word}\``)) problems.push(`${p}: ${file} does not document \`${word}\``);
    const q = coveredBy(p, word);
    if (q) problems.push(q);
  }
  assert.equal(problems, [], problems.join('\n'));
});

test.run();
