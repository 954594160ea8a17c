/**
 * A size-1 instance schedules a cluster far bigger than itself: [resource]
 * config describes 4,096 nodes x 64 cores, the resource module's
 * monitor-force-up (as Flux's) marks the ranks without a broker up, and
 * Flux's test execution (attributes.system.exec.test: run_duration,
 * wait_status, mock_exception) "runs" jobs there without spawning anything.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, tmpdir } from '../helpers/flux';

const tmp = tmpdir();
test.after(() => tmp.cleanup());

function conf(): string {
  const f = path.join(tmp.dir, 'big.toml');
  fs.writeFileSync(f, '[resource]\nnoverify = true\nconfig = [ { hosts = "sim[0-4095]", cores = "0-63" } ]\n');
  return f;
}

const OPTS = { timeoutMs: 120_000 };

test('monitor-force-up: 4,096 described nodes are up; a 1000-node job runs on them under test execution', () => {
  const script = [
    "flux resource list -no '{state} {nnodes} {ncores}'",
    'flux module reload resource monitor-force-up',
    "flux resource list -no '{state} {nnodes} {ncores}'",
    "flux resource status -no '{state} {nnodes}'",
    // the journal's restart event says every rank is online, as Flux's does with monitor-force-up
    "flux resource eventlog -f json | head -1 | grep -o '\"online\":\"[^\"]*\"'",
    'flux run --setattr=system.exec.test.run_duration=0.1s -N1000 true; echo rc=$?',
    "flux jobs -a -no '{nnodes} {result}'",
  ].join('; ');
  const r = flux(['start', '-c', conf(), 'sh', '-c', script], OPTS);
  assert.is(r.code, 0, r.stderr);
  assert.is(
    r.stdout,
    [
      'free 1 64',
      'allocated 0 0',
      'down 4095 262080',
      'free 4096 262144',
      'allocated 0 0',
      'down 0 0',
      'avail 4096',
      '"online":"0-4095"',
      'rc=0',
      '1000 COMPLETED',
      '',
    ].join('\n'),
  );
});

test('test execution: run_duration, wait_status, cancel, mock exceptions, malformed keys', () => {
  const script = [
    'flux module reload resource monitor-force-up',
    // run_duration: the job runs that long
    'flux run --setattr=system.exec.test.run_duration=0.6s -N64 true',
    "flux jobs -a -no '{runtime}' | awk '{print ($1 >= 0.6) ? \"long enough\" : \"too short \" $1}'",
    // wait_status 512: exit code 2
    'flux run --setattr=system.exec.test.wait_status=512 -N2 true; echo rc=$?',
    // cancel ends a long run
    'id=$(flux submit --setattr=system.exec.test.run_duration=1h -N4000 true)',
    'flux job wait-event $id start >/dev/null',
    'flux cancel $id; flux job wait-event $id clean >/dev/null; flux jobs -no "{result}" $id',
    'flux run --setattr=system.exec.test.mock_exception=run -n1 true; echo rc=$?',
    'flux run --setattr=system.exec.test.mock_exception=init -n1 true; echo rc=$?',
    'flux run --setattr=system.exec.test.run_duration=soon -n1 true; echo rc=$?',
    'flux run --setattr=system.exec.test.override=1 -n1 true; echo rc=$?',
  ].join('; ');
  const r = flux(['start', '-c', conf(), 'sh', '-c', script], OPTS);
  assert.is(r.code, 0, r.stderr);
  // a mock exception at run time ends the job as SIGTERM ends a real one (143); before the start, 1
  assert.is(r.stdout, ['long enough', 'rc=2', 'CANCELED', 'rc=143', 'rc=1', 'rc=1', 'rc=1', ''].join('\n'));
  assert.match(r.stderr, /job.exception \S+ type=exec severity=0 mock run exception generated/);
  assert.match(r.stderr, /job.exception \S+ type=exec severity=0 mock initialization exception generated/);
  assert.match(r.stderr, /attributes\.system\.exec\.test\.run_duration: invalid duration "soon"/);
  assert.match(r.stderr, /attributes\.system\.exec\.test\.override: not supported/);
});

test('monitor-force-up is refused with one line where it makes no sense', () => {
  const script = [
    'flux module reload resource monitor-force-up=yes; echo rc=$?',
    'flux module reload resource bogus; echo rc=$?',
  ].join('; ');
  const r = flux(['start', '-c', conf(), 'sh', '-c', script], OPTS);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'rc=1\nrc=1\n');
  assert.match(r.stderr, /resource: monitor-force-up takes no value/);
  assert.match(r.stderr, /resource: unknown module argument "bogus" \(it takes: monitor-force-up\)/);
  // size 1, discovered: every rank has its broker
  const d = flux(['start', 'sh', '-c', 'flux module reload resource monitor-force-up; echo rc=$?'], OPTS);
  assert.is(d.stdout, 'rc=1\n');
  assert.match(d.stderr, /monitor-force-up: every rank already has its broker \(size 1, resources discovered\): nothing to force up/);
});

test.run();
