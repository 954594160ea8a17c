/**
 * flux overlay disconnect (flux-overlay(1)) through the real `flux start
 * --test-size`: the parent drops the subtree at once ("administrative
 * disconnect"), the dropped brokers say so at crit and exit 1, the job running
 * there gets its exception, the rest keeps working; and the one-line errors
 * (no TARGET, rank 0, a bad rank or host, a --parent that is not the parent,
 * a rank already lost).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { processAlive, startInstance, type Instance } from '../helpers/flux';
import { until } from '../helpers/wait';

function pidOf(i: Instance, rundir: string, rank: number): number {
  const r = i.flux(['getattr', 'broker.pid'], { env: { FLUX_URI: `local://${rundir}/local-${rank}` } });
  assert.is(r.code, 0, r.stderr);
  return Number(r.stdout);
}

test('disconnecting a router drops its subtree: status, logs, the job there, the brokers exit', async () => {
  // kary:2 of 4: 0 -> 1, 2 and 1 -> 3
  // leader: the instance lives on after brokers exit, and exits with rank 0's status
  const i = await startInstance(['--test-size=4', '--test-exit-mode=leader', '-Stbon.topo=kary:2', '--test-hosts=n[0-3]']);
  try {
    const rundir = i.flux(['getattr', 'rundir']).stdout.trim();
    const pids = [1, 3].map((r) => pidOf(i, rundir, r));
    const job = i.flux(['submit', '-N1', '--requires=rank:3', 'sleep', '300']);
    assert.is(job.code, 0, job.stderr);
    const id = job.stdout.trim();
    assert.is(i.flux(['job', 'wait-event', '-t', '30', id, 'start']).code, 0);

    const d = i.flux(['overlay', 'disconnect', 'n1']);
    assert.equal([d.code, d.stdout, d.stderr], [0, '', 'flux-overlay: asking n0 (rank 0) to disconnect child n1 (rank 1)\n']);
    // the parent counted it lost before answering
    assert.is(i.flux(['overlay', 'status']).stdout, '0 n0: degraded\n├─ 1 n1: lost administrative disconnect\n│  └─ 3 n3: lost\n└─ 2 n2: full\n');
    // flux overlay errors: one line per error, the hosts in front
    const errs = i.flux(['overlay', 'errors']);
    assert.equal([errs.code, errs.stdout, errs.stderr], [0, 'n1: administrative disconnect\nn3: lost parent\n', '']);
    const dmesg = i.flux(['dmesg']).stdout;
    assert.match(dmesg, 'overlay.err[0]: n1 (rank 1) disconnected by request and severed contact with 1 other nodes');
    assert.match(dmesg, 'broker.err[0]: dead to Flux: n[1,3] (rank 1,3)');

    // the job on rank 3 fails with the exception of a lost node
    assert.is(i.flux(['job', 'wait-event', '-t', '30', id, 'clean']).code, 0);
    // (the note names the host of the job's R, not the broker's test host)
    assert.match(i.flux(['job', 'eventlog', id]).stdout, /exception type="exec" severity=0 note="lost contact with job shell on broker \S+ \(rank 3\)"/);

    // the dropped brokers say why and exit 1 by themselves
    await until(() => !processAlive(pids[0]!) && !processAlive(pids[1]!), 'ranks 1 and 3 to exit');
    await until(() => /flux-start: 1 \(pid \d+\) exited with rc=1/.test(i.stderr()) && /flux-start: 3 \(pid \d+\) exited with rc=1/.test(i.stderr()), 'flux start to report');
    assert.match(i.stderr(), /overlay\.crit\[1\]: n0 \(rank 0\) sent disconnect control message/);

    // a second time: already lost; below it: its parent is gone
    const again = i.flux(['overlay', 'disconnect', '1']);
    assert.equal([again.code, again.stderr], [1, 'flux-overlay: asking n0 (rank 0) to disconnect child n1 (rank 1)\nflux-overlay: overlay.disconnect-subtree: rank 1 is already lost\n']);
    const below = i.flux(['overlay', 'disconnect', '3']);
    assert.equal([below.code, below.stderr], [1, 'flux-overlay: asking n1 (rank 1) to disconnect child n3 (rank 3)\nflux-overlay: overlay.disconnect-subtree: No route to host\n']);

    // the rest still runs jobs
    const run = i.flux(['run', '-N1', '--requires=rank:2', 'flux', 'getattr', 'rank']);
    assert.equal([run.code, run.stdout], [0, '2\n'], run.stderr);
    assert.is(await i.stop(), 0);
  } finally {
    i.kill();
  }
});

test('disconnecting a leaf by rank, --parent, and the one-line errors', async () => {
  const i = await startInstance(['--test-size=3', '--test-exit-mode=leader']);
  try {
    const host = i.flux(['getattr', 'hostname']).stdout.trim();
    const fails: Array<[string[], string]> = [
      [[], 'flux-overlay: TARGET is required\n'],
      [['1', '2'], 'flux-overlay: TARGET is required\n'],
      [['0'], 'flux-overlay: 0 has no parent\n'],
      // every rank is on this host: the name is rank 0's
      [[host], 'flux-overlay: 0 has no parent\n'],
      [['7'], 'flux-overlay: 7 is not a valid rank in this instance\n'],
      [['nosuchhost'], 'flux-overlay: TARGET must be a valid rank or hostname\n'],
      [['--parent=x', '2'], "flux-overlay disconnect: disconnect: Option 'parent' requires an integer argument\n"],
      [
        ['--parent=1', '2'],
        `flux-overlay: asking ${host} (rank 1) to disconnect child ${host} (rank 2)\nflux-overlay: overlay.disconnect-subtree: requested rank is not this broker's direct child\n`,
      ],
    ];
    for (const [args, err] of fails) {
      const r = i.flux(['overlay', 'disconnect', ...args]);
      assert.equal([r.code, r.stdout, r.stderr], [1, '', err], args.join(' '));
    }
    // nothing was dropped by those
    assert.is(i.flux(['overlay', 'status', '--summary']).stdout, 'full\n');
    const none = i.flux(['overlay', 'errors']);
    assert.equal([none.code, none.stdout, none.stderr], [0, '', ''], 'no errors: nothing printed');
    assert.equal(i.flux(['overlay', 'errors', '-t', 'x']).stderr, "flux-overlay: invalid --timeout 'x': expected a duration such as 0.5s\n");

    const d = i.flux(['overlay', 'disconnect', '-r', '0', '2']);
    assert.equal([d.code, d.stderr], [0, `flux-overlay: asking ${host} (rank 0) to disconnect child ${host} (rank 2)\n`]);
    assert.is(i.flux(['overlay', 'status', '--no-pretty']).stdout, `0 ${host}: degraded\n1 ${host}: full\n2 ${host}: lost administrative disconnect\n`);
    assert.match(i.flux(['dmesg']).stdout, `overlay.err[0]: ${host} (rank 2) disconnected by request\n`);
    await until(() => /flux-start: 2 \(pid \d+\) exited with rc=1/.test(i.stderr()), 'rank 2 to exit');
    assert.is(i.flux(['ping', '-c', '1', '1']).code, 0);
    assert.is(await i.stop(), 0);
  } finally {
    i.kill();
  }
});

test.run();
