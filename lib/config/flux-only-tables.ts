/**
 * Tables of Flux's configuration (flux-config(5)) that flux-ts has no module
 * for. A config written for Flux that has one is still refused, as any table
 * nothing reads is (lib/config-schema.ts), but the line says what the table is
 * and what flux-ts offers instead, not just "unknown table".
 */
export const FLUX_ONLY_TABLES: Readonly<Record<string, string>> = {
  'content-sqlite': 'flux-ts keeps the kvs in LMDB under statedir, with nothing to tune',
  cron: "flux-ts's cron module reads no table: its sync event is a module argument (flux-cron(1))",
  archive: 'the job-archive module is not part of flux-ts (inactive jobs stay in the kvs: [job-manager] inactive-age-limit)',
  systemd: 'flux-ts does not run jobs or the broker under systemd units',
  'sched-fluxion-qmanager': 'Fluxion is not part of flux-ts: [sched] policy selects fcfs or backfill (flux-config-sched(5))',
  'sched-fluxion-resource': 'Fluxion is not part of flux-ts: [sched] and [resource] configure its scheduler (flux-config-sched(5))',
  'sched-fluxion-feasibility': 'Fluxion is not part of flux-ts: feasibility is checked by its own scheduler module',
};

/**
 * Keys of Flux's tables that flux-ts implements without them: refused as any
 * key nothing reads is, with what the key is in Flux and what flux-ts does
 * instead.
 */
export const FLUX_ONLY_KEYS: Readonly<Record<string, string>> = {
  'exec.job-shell': 'the job shell runs inside the broker, there is no shell program to name (site plugins: exec.shell-plugins)',
  'exec.service': 'jobs run through job-exec alone, not systemd (sdexec)',
  'exec.service-override': 'jobs run through job-exec alone, not systemd (sdexec)',
  'exec.sdexec-properties': 'jobs are not run under systemd units',
  'exec.sdexec-stop-timer-sec': 'jobs are not run under systemd units',
  'exec.sdexec-stop-timer-signal': 'jobs are not run under systemd units',
  'job-manager.journal-size-limit':
    "the job manager keeps no events journal (the backlog Flux's job-list reads) to limit: job data is read from the job eventlogs in the kvs",
  'tbon.zmqdebug': 'the overlay is not ZeroMQ (flux dmesg shows its connection events at debug)',
  'tbon.zmq_io_threads': 'the overlay is not ZeroMQ: it runs on the broker\'s own event loop',
  'tbon.child_rcvhwm': 'the overlay is not ZeroMQ: its links are flow-controlled by TCP',
};
