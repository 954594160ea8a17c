/**
 * flux startlog: rank 0's kvs records each run of an instance in
 * admin.eventlog; runs with a statedir are listed across restarts, a SIGKILLed
 * run shows as crashed and --check reports it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { flux, startInstance, tmpdir } from '../helpers/flux';

const state = tmpdir('flux-ts-startlog-');
const SD = `-Sstatedir=${state.dir}`;
const T = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d';
const DUR = '\\(\\d+(\\.\\d+)?(ms|s|m|h|d)\\)';
const FINISHED = new RegExp(`^${T} - ${T} ${DUR}$`);
const CRASHED = new RegExp(`^${T} - crashed$`);
const RUNNING = new RegExp(`^${T} - running ${DUR}$`);

test.after(() => state.cleanup());

/** run `script` as the initial program of an instance on the statedir; its stdout */
function inInstance(script: string, extra: string[] = []): string {
  const r = flux(['start', SD, ...extra, 'sh', '-c', script], { env: { FLUX_URI: '' }, timeoutMs: 60_000 });
  assert.is(r.code, 0, r.stderr);
  return r.stdout;
}

test('a fresh instance has one run, running; --check passes', () => {
  const out = inInstance('flux startlog; flux startlog --check --quiet; echo check=$?');
  const lines = out.trimEnd().split('\n');
  assert.is(lines.length, 2, out);
  assert.match(lines[0]!, RUNNING);
  assert.is(lines[1], 'check=0');
});

test('clean restarts, then a SIGKILLed run: listed as crashed, --check fails until a clean run', async () => {
  inInstance('true');
  const inst = await startInstance([SD]);
  assert.is(inst.flux(['startlog', '--quiet', '--check']).code, 0);
  inst.kill();
  await new Promise((r) => inst.proc.once('exit', r));
  const out = inInstance('flux startlog; flux startlog --check; echo check=$?; flux startlog --check --quiet; echo quiet=$?; flux startlog -v');
  const lines = out.trimEnd().split('\n');
  assert.is(lines.length, 14, out);
  assert.match(lines[0]!, FINISHED);
  assert.match(lines[1]!, FINISHED);
  assert.match(lines[2]!, CRASHED);
  assert.match(lines[3]!, RUNNING);
  assert.equal(lines.slice(4, 8), lines.slice(0, 4).map((l) => l.replace(/running .*/, lines[7]!.replace(/^.* - /, ''))));
  assert.is(lines[8], 'check=1', 'the listing is printed with --check');
  assert.is(lines[9], 'quiet=1');
  assert.match(lines[10]!, /^ {19}0\.88\.0  /, '-v: the version of the software that started the run');
  assert.match(lines[10]!.slice(27), FINISHED);
  assert.match(lines[11]!.slice(27), FINISHED);
  assert.match(lines[12]!.slice(27), CRASHED);
  assert.match(lines[13]!.slice(27), RUNNING);
  // that run shut down cleanly: the next one is not a crash recovery
  const next = inInstance('flux startlog --check --quiet; echo check=$?');
  assert.is(next, 'check=0\n');
});

test('the hidden rc options post to a test key; only rank 0 may post; unknown versions are skipped', async () => {
  const inst = await startInstance(['--test-size=2']);
  try {
    const sl = (...args: string[]) => inst.flux(['startlog', '--test-startlog-key=testlog', ...args]);
    assert.is(sl('--post-start-event').code, 0);
    assert.is(sl('--post-finish-event').code, 0);
    let r = sl();
    assert.equal([r.code, r.stderr], [0, '']);
    assert.match(r.stdout.trimEnd(), FINISHED);
    assert.is(sl('--post-start-event').code, 0);
    assert.is(sl('--check').code, 0);
    assert.is(sl('--post-start-event').code, 0);
    r = sl('--check', '--quiet');
    assert.equal([r.code, r.stdout], [1, '']);
    // a finish of a later format is not this reader's: still a crash
    assert.is(inst.flux(['kvs', 'eventlog', 'append', 'testlog', 'finish', '{"version":99}']).code, 0);
    assert.is(sl('--check', '--quiet').code, 1);
    assert.is(sl('--check', '--quiet', '--test-startlog-version=99').code, 0);
    r = inst.flux(['exec', '-r', '1', 'flux', 'startlog', '--post-start-event']);
    assert.is(r.code, 1);
    assert.match(r.stderr, /^flux-startlog: Startlog events may only be posted from rank 0\n/);
    r = sl('--test-startlog-key=nosuchlog');
    assert.equal([r.code, r.stdout, r.stderr], [1, '', 'flux-startlog: Error fetching eventlog: No such file or directory\n']);
  } finally {
    await inst.stop().catch(() => inst.kill());
  }
});

test.run();
