/**
 * An inactive job's kvs directory is kept packed once cold (kvs.pack from
 * job-manager; modules/kvs/pack.ts), and its output log is read again from
 * its file: `flux module stats kvs` counts the packed directories, and
 * everything a user reads of those jobs is what it was before they were
 * packed: flux job info / eventlog / attach, flux kvs get / dir -R / ls -R,
 * flux jobs -a, across a restart from a statedir and a flux dump / restore.
 * A write into a packed directory (flux kvs put, flux kvs eventlog append)
 * works, and
 * purge removes packed directories.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'node:path';
import { run, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntilSync } from '../helpers/wait';

const d = tmpdir('flux-t0807-');
const started: Instance[] = [];

test.after(() => {
  for (const i of started) i.kill();
  d.cleanup();
});

interface PackStats {
  packed: number;
  hinted: number;
  unpacks: number;
}

function packStats(inst: Instance): PackStats {
  const r = inst.flux(['module', 'stats', 'kvs']);
  assert.is(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { pack: PackStats }).pack;
}

/** until n job directories are packed and none waits */
function packed(inst: Instance, n: number): PackStats {
  return waitUntilSync(
    () => {
      const s = packStats(inst);
      return s.packed >= n && s.hinted === 0 ? s : undefined;
    },
    { what: `${n} packed directories (flux module stats kvs)`, timeoutMs: 30_000 },
  );
}

const JOBS_FORMAT = '{id.f58} {name} {status} {result} {ntasks} {ncores} {nnodes} {nodelist} {ranks} {t_submit} {exception.type} {waitstatus} {returncode}';

/**
 * What a user reads of these jobs. `times`: with the times job-manager took
 * as the job ran and ended (t_run, t_inactive, runtime): a restart reads them
 * from the eventlog's stamps instead, a few microseconds apart.
 */
function readings(inst: Instance, ids: string[], times = true): Record<string, string> {
  const out: Record<string, string> = {};
  const take = (label: string, args: string[]) => {
    const r = inst.flux(args);
    out[label] = `${r.code}\n${r.stdout}${r.stderr}`;
  };
  take('jobs', ['jobs', '-a', '-n', '-o', JOBS_FORMAT + (times ? ' {t_run} {t_inactive} {runtime}' : '')]);
  for (const id of ids) {
    const dir = inst.flux(['job', 'id', '--to=kvs', id]).stdout.trim();
    take(`${id} jobspec`, ['job', 'info', id, 'jobspec']);
    take(`${id} R`, ['job', 'info', id, 'R']);
    take(`${id} info eventlog`, ['job', 'info', id, 'eventlog']);
    take(`${id} eventlog`, ['job', 'eventlog', id]);
    take(`${id} exec`, ['job', 'eventlog', '-p', 'exec', id]);
    take(`${id} output`, ['job', 'eventlog', '-p', 'output', id]);
    take(`${id} attach`, ['job', 'attach', id]);
    if (times) take(`${id} status`, ['job', 'status', '-j', id]);
    take(`${id} dir`, ['kvs', 'dir', '-R', '-w', '0', dir]);
    take(`${id} ls`, ['kvs', 'ls', '-R', dir]);
    take(`${id} get`, ['kvs', 'get', `${dir}.jobspec`, `${dir}.R`, `${dir}.J`]);
  }
  return out;
}

/** each reading as it was */
function same(now: Record<string, string>, was: Record<string, string>, what: string): void {
  assert.equal(Object.keys(now), Object.keys(was).filter((k) => k in now));
  for (const k of Object.keys(now)) assert.is(now[k], was[k], `${what}: ${k}`);
}

function jobs(inst: Instance): string[] {
  const ok = inst.flux(['submit', '--wait', 'sh', '-c', 'echo out-$FLUX_JOB_ID; echo err >&2']);
  assert.is(ok.code, 0, ok.stderr);
  const failed = inst.flux(['submit', '--wait', '-n2', 'sh', '-c', 'exit 3']);
  const canceled = inst.flux(['submit', '--urgency=hold', 'true']).stdout.trim();
  assert.is(inst.flux(['cancel', canceled]).code, 0);
  return [ok.stdout.trim(), failed.stdout.trim(), canceled];
}

test('packed jobs read the same; a write unpacks one, it packs again; purge removes them', async () => {
  const a = await startInstance(['--test-size=2']);
  started.push(a);
  const ids = jobs(a);
  const before = readings(a, ids);
  packed(a, 3);
  same(readings(a, ids), before, 'packed');
  assert.match(before[`${ids[0]} attach`]!, new RegExp(`out-${ids[0]}`));

  // a write into a packed directory
  const dir = a.flux(['job', 'id', '--to=kvs', ids[0]!]).stdout.trim();
  assert.is(a.flux(['kvs', 'put', `${dir}.note=kept`]).code, 0);
  // (the job's own eventlog is closed once it is inactive)
  const log = `${a.flux(['job', 'id', '--to=kvs', ids[1]!]).stdout.trim()}.notes`;
  const r = a.flux(['kvs', 'eventlog', 'append', log, 'note', '{"why":"test"}']);
  assert.is(r.code, 0, r.stderr);
  assert.is(a.flux(['kvs', 'get', `${dir}.note`]).stdout, 'kept\n');
  assert.match(a.flux(['kvs', 'eventlog', 'get', log]).stdout, /note why="test"\n$/);
  const s = packed(a, 3);
  assert.ok(s.unpacks >= 2, 'the writes unpacked them');
  assert.is(a.flux(['kvs', 'get', `${dir}.note`]).stdout, 'kept\n');
  assert.match(a.flux(['kvs', 'eventlog', 'get', log]).stdout, /note why="test"\n$/);
  const untouched = readings(a, ids.slice(2));
  for (const k of Object.keys(untouched)) if (k.startsWith(ids[2]!)) assert.is(untouched[k], before[k], `${k} of the untouched job`);

  // purge: the packed directories go, their reads fail as for any purged job
  const keys = (JSON.parse(a.flux(['module', 'stats', 'kvs']).stdout) as { keys: number }).keys;
  const p = a.flux(['job', 'purge', '--force', '--num-limit=0']);
  assert.is(p.code, 0, p.stderr);
  assert.is(a.flux(['jobs', '-a', '-n']).stdout, '');
  assert.is(packStats(a).packed, 0);
  assert.ok((JSON.parse(a.flux(['module', 'stats', 'kvs']).stdout) as { keys: number }).keys < keys);
  const gone = a.flux(['job', 'info', ids[0]!, 'jobspec']);
  assert.is(gone.code, 1);
  assert.is(a.flux(['kvs', 'dir', dir]).code, 1);
  assert.is(a.flux(['job', 'attach', ids[0]!]).code, 1);
  assert.is(await a.stop(), 0);
});

test('a statedir: packed jobs survive a restart, and read the same after it; dump and restore of packed jobs', async () => {
  const state = path.join(d.dir, 'state');
  const a = await startInstance(['--test-size=1', `-Sstatedir=${state}`]);
  started.push(a);
  const ids = jobs(a);
  const before = readings(a, ids);
  const early = path.join(d.dir, 'early.tar');
  assert.is(a.flux(['dump', '-q', early]).code, 0);
  packed(a, 3);
  same(readings(a, ids), before, 'packed');
  const untimed = readings(a, ids, false);
  const late = path.join(d.dir, 'late.tar');
  assert.is(a.flux(['dump', '-q', late]).code, 0);
  assert.is(await a.stop(), 0);

  // the dump of packed directories holds what the dump before had
  const contents = (tar: string) => {
    const x = path.join(d.dir, path.basename(tar, '.tar'));
    run('mkdir', ['-p', x]);
    assert.is(run('tar', ['xf', tar, '-C', x]).code, 0);
    const files = run('find', [x, '-type', 'f', '-path', '*job*']).stdout.split('\n').filter(Boolean).sort();
    return files.map((f) => `${path.relative(x, f)}\n${run('cat', [f]).stdout}`);
  };
  const earlyFiles = contents(early);
  assert.ok(earlyFiles.length >= 15, `${earlyFiles.length} job files`);
  assert.equal(contents(late), earlyFiles);

  // a restart: the directories are loaded, and packed again
  const b = await startInstance(['--test-size=1', `-Sstatedir=${state}`]);
  started.push(b);
  packed(b, 3);
  same(readings(b, ids, false), untimed, 'restarted');
  assert.is(await b.stop(), 0);

  // a restore of the dump taken from packed directories
  const c = await startInstance(['--test-size=1', `-Sstatedir=${path.join(d.dir, 'restored')}`, `-Scontent.restore=${late}`]);
  started.push(c);
  packed(c, 3);
  for (const id of ids) {
    for (const what of ['jobspec', 'R', 'info eventlog', 'eventlog', 'exec', 'get']) {
      assert.is(readings(c, [id])[`${id} ${what}`], before[`${id} ${what}`], `${id} ${what} restored`);
    }
  }
  assert.is(await c.stop(), 0);
});

test.run();
