/**
 * [resource] (flux-config-resource(5)): resources the site describes instead
 * of discovering them — hosts with cores, GPUs and properties, an R file,
 * exclude, reserve, noverify, norestrict — shown by flux resource list/info/status, and
 * flux resource reload. A size-1 instance describes a cluster bigger than
 * itself: the hosts without a broker are down.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { flux, run, tmpdir, FLUX } from '../helpers/flux';

const tmp = tmpdir();
test.after(() => tmp.cleanup());

function file(name: string, text: string): string {
  const f = path.join(tmp.dir, name);
  fs.writeFileSync(f, text);
  return f;
}

const FAKE2 = { env: { FLUX_RESOURCE_FAKE_CORES: '2' }, timeoutMs: 60_000 };

test('config: hosts with cores and properties; flux resource list shows PROPERTIES', () => {
  const conf = file(
    'c1.toml',
    '[resource]\nconfig = [\n  { hosts = "node[0-1]", cores = "0-1" },\n  { hosts = "node0", properties = ["debug", "fast"] },\n  { hosts = "node1", properties = ["batch"] },\n]\n',
  );
  const r = flux(['start', '--test-size=2', '--test-hosts=node[0-1]', '-c', conf, 'sh', '-c', 'flux resource list; flux resource info; flux resource list -no "{properties} {nodelist}" -s free'], FAKE2);
  assert.is(r.code, 0, r.stderr);
  assert.is(
    r.stdout,
    [
      '     STATE PROPERTIES NNODES NCORES NGPUS NODELIST',
      '      free debug,fast      1      2     0 node0',
      '      free batch           1      2     0 node1',
      ' allocated                 0      0     0 ',
      '      down                 0      0     0 ',
      '2 Nodes, 4 Cores, 0 GPUs',
      'debug,fast node0',
      'batch node1',
      '',
    ].join('\n'),
  );
  assert.not.match(r.stderr, /draining/);
});

test('a size-1 instance describes 16 nodes: the 15 without a broker are down; exclude; noverify', () => {
  const conf = file('c2.toml', '[resource]\nnoverify = true\nexclude = "big15"\nconfig = [ { hosts = "big[0-15]", cores = "0-3", gpus = "0" } ]\n');
  const r = flux(['start', '-c', conf, 'sh', '-c', 'flux resource list; flux resource info; flux resource status -s exclude -no "{nodelist}" | grep .; flux run -n1 -c4 echo ran'], { timeoutMs: 60_000 });
  assert.is(r.code, 0, r.stderr);
  assert.is(
    r.stdout,
    [
      '     STATE NNODES NCORES NGPUS NODELIST',
      '      free      1      4     1 big0',
      ' allocated      0      0     0 ',
      '      down     15     60    15 big[1-15]',
      '16 Nodes, 64 Cores, 16 GPUs',
      'big15',
      'ran',
      '',
    ].join('\n'),
  );
});

test('without noverify a host that does not match is drained with the reason', () => {
  const r = flux(['start', '--conf=resource.config=[{"hosts":"nosuchhost","cores":"0"}]', 'flux', 'resource', 'drain', '-no', '{state} {reason} {nodelist}'], { timeoutMs: 60_000 });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^drained rank 0 got hostname '\S+', expected 'nosuchhost' nosuchhost\n$/);
  assert.match(r.stderr, /resource\.err\[0\]: draining: rank 0 got hostname '\S+', expected 'nosuchhost'/);
  const few = flux(['start', '--conf=resource.config=[{"hosts":"' + os.hostname() + '","cores":"0-7"}]', 'flux', 'resource', 'drain', '-no', '{reason}'], FAKE2);
  assert.match(few.stdout, /^rank 0 \(\S+\) missing resources: core\[2-7\]\n$/);
});

test('reserve: cores held back from the scheduler (cores[@ranks] words); flux resource status still counts them; bad values are one line', () => {
  const conf = file('reserve.toml', '[resource]\nreserve = "0-1@0 0"\n');
  const script = [
    'flux resource list',
    'flux resource status -no "{nnodes} {nodelist}"',
    'id=$(flux submit -n5 true) && flux job wait-event $id clean >/dev/null && flux job info $id R',
    'flux run -n6 true || echo "n6 refused"',
    'flux kvs get resource.R',
  ].join('; ');
  const r = flux(['start', '--test-size=2', '--test-hosts=rs[0-1]', '-c', conf, 'sh', '-c', script], { env: { FLUX_RESOURCE_FAKE_CORES: '4' }, timeoutMs: 60_000 });
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  // rank 0 keeps cores 0-1 for the system, rank 1 core 0: 5 of 8 cores are scheduled
  assert.equal(lines.slice(0, 4), ['     STATE NNODES NCORES NGPUS NODELIST', '      free      2      5     0 rs[0-1]', ' allocated      0      0     0 ', '      down      0      0     0 ']);
  assert.is(lines[4], '2 rs[0-1]');
  const R = JSON.parse(lines[5]!) as { execution: { R_lite: unknown } };
  assert.equal(R.execution.R_lite, [{ rank: '0', children: { core: '2-3' } }, { rank: '1', children: { core: '1-3' } }]);
  assert.is(lines[6], 'n6 refused');
  assert.match(r.stderr, /unsatisfiable request: need 6 slot\(s\) of 1 core\(s\), only 5 such slot\(s\) available/);
  // the instance's own R (resource.R) still has every core
  assert.equal((JSON.parse(lines[7]!) as { execution: { R_lite: unknown } }).execution.R_lite, [{ rank: '0-1', children: { core: '0-3' } }]);
  const bad = flux(['start', '-c', file('reserve-bad.toml', '[resource]\nreserve = "0 x@1"\n'), 'true'], { timeoutMs: 60_000 });
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /reserve-bad\.toml:2: resource\.reserve: "x@1": cores "x" is not an idset \(the form is cores\[@ranks\], e.g\. "0" or "0-1@0 0"\)/);
  const beyond = flux(['start', '-c', file('reserve-rank.toml', '[resource]\nreserve = "0@3"\n'), 'true'], { timeoutMs: 60_000 });
  assert.is.not(beyond.code, 0);
  assert.match(beyond.stderr, /resource\.reserve: 3: not a rank of the instance \(ranks 0\)/);
});

test('path: an R file; its properties and hosts; a bad one fails the start with one line', () => {
  const R = {
    version: 1,
    execution: { R_lite: [{ rank: '0-2', children: { core: '0-1' } }], nodelist: ['r[0-2]'], starttime: 0, expiration: 0, properties: { gpu: '2' } },
  };
  const rfile = file('R.json', JSON.stringify(R));
  const r = flux(['start', '--conf=resource.noverify=true', `--conf=resource.path="${rfile}"`, 'flux', 'resource', 'list', '-no', '{state} {properties} {nodelist}'], { timeoutMs: 60_000 });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'free  r0\nallocated  \ndown  r1\ndown gpu r2\n');
  const missing = flux(['start', `--conf=resource.path="${path.join(tmp.dir, 'nope.json')}"`, 'true']);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /resource\.path \S+nope\.json: ENOENT/);
  const both = flux(['start', `--conf=resource.path="${rfile}"`, '--conf=resource.config=[{"hosts":"x"}]', 'true']);
  assert.is(both.code, 1);
  assert.match(both.stderr, /resource\.config and resource\.path may not both be set/);
});

test('bad [resource] values are refused at start with file:line', () => {
  const cases: Array<[string, RegExp]> = [
    ['[resource]\nconfig = [ { hosts = "n0", cores = "zero" } ]\n', /:2: resource\.config\[0\]\.cores: "zero" is not a valid core idset/],
    ['[resource]\nconfig = [ { hosts = "n0", properties = ["a b"] } ]\n', /:2: resource\.config\[0\]\.properties: invalid property name "a b"/],
    ['[resource]\nnoverify = "yes"\n', /:2: resource\.noverify: must be true or false, got string "yes"/],
    ['[resource]\nbogus = 1\n', /:2: resource\.bogus: unknown key/],
  ];
  for (const [toml, want] of cases) {
    const r = flux(['start', '-c', file('bad.toml', toml), 'true']);
    assert.is(r.code, 1, toml);
    assert.match(r.stderr, want);
  }
});

test('norestrict counts every core of the host, not only those the broker may use', () => {
  const ncpu = os.cpus().length;
  const pinned = run('taskset', ['-c', '0', FLUX, 'start', 'flux', 'resource', 'list', '-no', '{ncores}', '-s', 'all']);
  if (pinned.code !== 0 && /taskset/.test(pinned.stderr)) {
    console.log('SKIP: taskset cannot pin here');
    return;
  }
  assert.is(pinned.stdout, '1\n', pinned.stderr);
  const all = run('taskset', ['-c', '0', FLUX, 'start', '--conf=resource.norestrict=true', 'flux', 'resource', 'list', '-no', '{ncores}', '-s', 'all']);
  assert.is(all.stdout, `${ncpu}\n`, all.stderr);
});

test('flux resource reload: an R file replaces the resources; ranks beyond the instance need --force', () => {
  const R = { version: 1, execution: { R_lite: [{ rank: '0-3', children: { core: '0' } }], nodelist: ['x[0-3]'], starttime: 0, expiration: 0 } };
  const rfile = file('R4.json', JSON.stringify(R));
  const r = flux(['start', '--conf=resource.noverify=true', 'sh', '-c', `flux resource reload ${rfile}; echo rc=$?; flux resource reload -f ${rfile} && flux resource info; flux resource reload ${tmp.dir}/nope.json; flux resource reload -x ${rfile}`], { timeoutMs: 60_000 });
  assert.is(r.stdout, 'rc=1\n4 Nodes, 4 Cores, 0 GPUs\n', r.stderr);
  assert.match(r.stderr, /flux-resource: ERROR: R has ranks 1-3 beyond the instance \(size 1\); use --force to describe them anyway\n/);
  assert.match(r.stderr, /flux-resource: ERROR: \S+nope\.json: No such file or directory\n/);
  assert.match(r.stderr, /flux-resource: ERROR: --xml: hwloc XML is not supported by flux-ts/);
});

test('journal-max bounds the events flux resource eventlog replays; a negative one is refused', () => {
  const conf = file('journal.toml', '[resource]\njournal-max = 2\n');
  const r = flux(['start', '-c', conf, 'sh', '-c', 'flux resource drain 0 one; flux resource undrain 0; flux resource drain 0 two; flux resource eventlog | cut -d" " -f2'], FAKE2);
  assert.equal([r.code, r.stdout], [0, 'undrain\ndrain\n'], r.stderr);
  const bad = flux(['start', '-c', file('journal-bad.toml', '[resource]\njournal-max = -1\n'), 'true'], FAKE2);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /resource\.journal-max/);
});

test('scheduling: the JSON file becomes R\'s scheduling key in the kvs; a missing one stops the start', () => {
  const jgf = file('jgf.json', '{"graph": {"nodes": [{"id": "0"}], "edges": []}}');
  const conf = file('sched.toml', `[resource]\nscheduling = "${jgf}"\n`);
  const r = flux(['start', '-c', conf, 'sh', '-c', 'flux kvs get resource.R; flux run true && echo ran'], FAKE2);
  assert.is(r.code, 0, r.stderr);
  const [R, ran] = r.stdout.trim().split('\n');
  assert.equal(JSON.parse(R!).scheduling, { graph: { nodes: [{ id: '0' }], edges: [] } });
  assert.is(ran, 'ran');
  const bad = flux(['start', '-c', file('sched-bad.toml', '[resource]\nscheduling = "/nonexistent.json"\n'), 'true'], FAKE2);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, 'resource.scheduling /nonexistent.json: ENOENT');
});

test.run();
