/**
 * flux shutdown as Flux 0.88's: the broker log lines posted while the
 * instance goes down, on stderr as `NAME.SEVERITY[RANK]: TEXT`, up to the
 * move to GOODBYE after rc3 (info by default, --quiet warning, -v all);
 * --dump=PATH has the kvs dump itself to PATH on its way down (content.dump),
 * an archive a new instance restores; --gc, --dump=auto, -y, -n are refused
 * (flux-ts has no offline garbage collection); --background and --nowait show
 * nothing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, startInstance, tmpdir, type Instance } from '../helpers/flux';

/** rc3 posts a warning: a line --quiet still shows */
const RC3_WARN = '-Sbroker.rc3_path=flux logger --severity=warning t0604-rc3-warning';

/** start an instance, run `flux shutdown ARGS` against it, wait for the instance to exit */
async function shutdown(args: readonly string[], startArgs: readonly string[] = [], before?: (i: Instance) => void, cwd?: string) {
  const inst = await startInstance(startArgs);
  try {
    before?.(inst);
    const r = inst.flux(['shutdown', ...args], { cwd, env: { FLUX_CLI_POOL: '0' } });
    const rc = await inst.stop();
    return { ...r, rc };
  } finally {
    inst.kill();
  }
}

const lines = (s: string) => s.split('\n').filter((l) => l !== '');

test('by default: the info and more severe lines of the shutdown, the move to goodbye last', async () => {
  const r = await shutdown([], [RC3_WARN]);
  assert.is(r.code, 0, r.stderr);
  const out = lines(r.stderr);
  assert.ok(out.includes('logger.warning[0]: t0604-rc3-warning'), r.stderr);
  assert.ok(out.some((l) => /^broker\.info\[0\]: cleanup-success: cleanup->shutdown \S+$/.test(l)), r.stderr);
  assert.ok(out.some((l) => /^broker\.info\[0\]: rc3\.0: flux logger .* Exited \(rc=0\) \S+$/.test(l)), r.stderr);
  assert.match(out[out.length - 1]!, /^broker\.info\[0\]: rc3-success: finalize->goodbye \S+$/);
  // no debug (rmmod), nothing after goodbye, every line in Flux's form (no timestamp)
  assert.not.match(r.stderr, /debug|goodbye->unload-builtins/);
  for (const l of out) assert.match(l, /^[\w-]+\.(emerg|alert|crit|err|warning|notice|info)\[0\]: /);
  // the initial program got SIGHUP: the broker exits 129
  assert.is(r.rc, 129);
});

test('--quiet: only warning and more severe; -v and --verbose=1: debug too; --verbose=0: the default', async () => {
  const q = await shutdown(['--quiet'], [RC3_WARN]);
  assert.is(q.code, 0, q.stderr);
  assert.ok(lines(q.stderr).includes('logger.warning[0]: t0604-rc3-warning'), q.stderr);
  assert.not.match(q.stderr, /\.info\[/);
  const v = await shutdown(['-v']);
  assert.is(v.code, 0, v.stderr);
  assert.ok(lines(v.stderr).includes('broker.debug[0]: rmmod kvs'), v.stderr);
  const v1 = await shutdown(['--verbose=1']);
  assert.ok(lines(v1.stderr).includes('broker.debug[0]: rmmod kvs'), v1.stderr);
  const v0 = await shutdown(['--verbose=0']);
  assert.is(v0.code, 0, v0.stderr);
  assert.match(v0.stderr, /broker\.info\[0\]: rc3-success: finalize->goodbye/);
  assert.not.match(v0.stderr, /debug/);
});

test('--dump=PATH: the kvs as an archive, written on the way down, that -Scontent.restore brings back', async () => {
  const tmp = tmpdir();
  try {
    const file = path.join(tmp.dir, 'kvs.tgz');
    const r = await shutdown([`--dump=${file}`], [], (i) => {
      const put = i.flux(['kvs', 'put', 't0604.key=dumped']);
      assert.is(put.code, 0, put.stderr);
    });
    assert.is(r.code, 0, r.stderr);
    const out = lines(r.stderr);
    assert.is(out[0], 'flux-shutdown: shutdown will dump KVS (this may take some time)');
    assert.ok(out.includes(`kvs.info[0]: dumping content to ${file}`), r.stderr);
    assert.ok(out.some((l) => l.startsWith('kvs.info[0]: dumped ') && l.includes(` keys to ${file} (`)), r.stderr);
    const back = flux(['start', `-Scontent.restore=${file}`, 'flux', 'kvs', 'get', 't0604.key']);
    assert.equal([back.code, back.stdout], [0, 'dumped\n'], back.stderr);
    // a relative PATH is the command's working directory's
    const rel = await shutdown(['--dump=rel.tar', '--quiet'], [], undefined, tmp.dir);
    assert.is(rel.code, 0, rel.stderr);
    // --quiet: the initial program's end (err) but not the dump's info lines
    const [first, ...rest] = lines(rel.stderr);
    assert.is(first, 'flux-shutdown: shutdown will dump KVS (this may take some time)');
    for (const l of rest) assert.match(l, /^[\w-]+\.(emerg|alert|crit|err|warning)\[0\]: /);
    assert.not.match(rel.stderr, /kvs\.info/);
    assert.ok(fs.statSync(path.join(tmp.dir, 'rel.tar')).size > 0);
  } finally {
    tmp.cleanup();
  }
});

test('-Scontent.dump=PATH: an instance whose initial program ends dumps its kvs as it goes', () => {
  const tmp = tmpdir();
  try {
    const file = path.join(tmp.dir, 'end.tar');
    const r = flux(['start', `-Scontent.dump=${file}`, 'flux', 'kvs', 'put', 't0604.end=1']);
    assert.is(r.code, 0, r.stderr);
    const back = flux(['start', `-Scontent.restore=${file}`, 'flux', 'kvs', 'get', 't0604.end']);
    assert.equal([back.code, back.stdout], [0, '1\n'], back.stderr);
  } finally {
    tmp.cleanup();
  }
});

test('--gc, --dump=auto, -y, -n, an unknown archive format: refused in one line, exit 1, the instance still up', async () => {
  const inst = await startInstance();
  try {
    const gc = 'flux-ts does not garbage collect its kvs offline (its LMDB store keeps no unreferenced content)';
    const cases: Array<[string[], string]> = [
      [['--gc'], `flux-shutdown: --gc: ${gc}\n`],
      [['--dump=auto'], `flux-shutdown: --dump=auto: ${gc}\n`],
      [['-y'], `flux-shutdown: -y/--yes: no garbage collection question to answer: ${gc}\n`],
      [['--no'], `flux-shutdown: -n/--no: no garbage collection question to answer: ${gc}\n`],
      [['--dump=kvs.txt'], "flux-shutdown: --dump: No such format 'kvs.txt' (.tar, .tgz, .tar.gz or .zip)\n"],
      [['--verbose=x'], "flux-shutdown: option verbose: invalid integer 'x'\n"],
    ];
    for (const [args, err] of cases) {
      const r = inst.flux(['shutdown', ...args]);
      assert.equal([r.code, r.stdout, r.stderr], [1, '', err], args.join(' '));
    }
    const two = inst.flux(['shutdown', 'a', 'b']);
    assert.is(two.code, 1);
    assert.match(two.stderr, /^Usage: flux-shutdown \[OPTIONS\] \[TARGET\]\n/);
    const up = inst.flux(['getattr', 'content.dump']);
    assert.is(up.code, 1, 'the instance is up and nothing was set to dump');
    assert.match(up.stderr, /content\.dump/);
  } finally {
    await inst.stop().catch(() => inst.kill());
  }
});

test('--skip-gc: there is no garbage collection to skip: the shutdown goes on as without it', async () => {
  const r = await shutdown(['--skip-gc', '--quiet']);
  assert.equal([r.code, r.stdout, r.rc], [0, '', 129], r.stderr);
  assert.not.match(r.stderr, /gc|garbage/i);
});

test('--background and --nowait: start the shutdown, show nothing, return', async () => {
  for (const opt of ['--background', '--nowait']) {
    const r = await shutdown([opt]);
    assert.equal([r.code, r.stdout, r.stderr, r.rc], [0, '', '', 129], opt);
  }
});

test.run();
