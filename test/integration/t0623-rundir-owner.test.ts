/**
 * Nobody else's process serves your commands (broker side): whoever owns or may
 * write to the rundir, or to the directory of a local-uri given with -S, could
 * put their own socket where clients look for the broker's. `flux start`
 * refuses such a directory with one line naming it and exits 1: a directory
 * owned by another user (chowned to nobody; needs root), one writable by
 * others (0777) or by its group (0770). The owner's own 0700 or 0755
 * directory still works. A sticky one (1777, like /tmp) is not used itself:
 * the broker makes a unique directory inside it, as Flux does (t1171).
 *
 * Nor does one instance cut off another: a socket path that a running instance
 * serves is "in use", like a TCP port. Pointed at it (its rundir with -S or
 * --test-rundir, or its local-uri), `flux start` refuses with one line and
 * exits 1, leaving the instance's files alone (even with the cleanup options),
 * and the instance goes on answering and running jobs. Only a stale socket
 * (nobody listening) is removed; anything else at the path is refused.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { flux, startInstance, tmpdir } from '../helpers/flux';

const STAMP = '\\w{3} \\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} UTC \\d{4}';
const isRoot = process.getuid?.() === 0;
/** nobody's uid on this system (65534 on Linux distributions) */
const NOBODY = 65534;

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A fresh directory with `mode` inside a private temporary directory. */
function withDir(mode: number, fn: (dir: string) => void): void {
  const t = tmpdir();
  try {
    const dir = path.join(t.dir, 'run');
    fs.mkdirSync(dir);
    fs.chmodSync(dir, mode);
    fn(dir);
  } finally {
    t.cleanup();
  }
}

/** the environment of a `flux start` run from a shell inside another instance, less its URIs */
const OUTSIDE = { FLUX_URI: undefined, FLUX_START_URI: undefined };

function refused(args: string[], text: string): void {
  const r = flux(['start', ...args, 'true'], { env: OUTSIDE });
  assert.is(r.code, 1, `exit code for ${args.join(' ')}`);
  assert.match(r.stderr, new RegExp(`^${STAMP} broker\\.crit\\[0\\]: ${esc(text)}\\n$`));
}

for (const mode of [0o777, 0o770]) {
  const m = mode.toString(8).padStart(4, '0');
  test(`a rundir with mode ${m} is refused`, () => {
    withDir(mode, (dir) => {
      const who = mode & 0o002 ? 'others' : 'its group';
      refused([`-Srundir=${dir}`], `rundir ${dir} is writable by ${who} (mode ${m})`);
      assert.is((fs.statSync(dir).mode & 0o7777).toString(8), mode.toString(8), 'its mode is left alone');
    });
  });
}

test('a local-uri in a directory others may write is refused', () => {
  withDir(0o777, (dir) => {
    refused([`-Slocal-uri=local://${dir}/sock`], `local-uri directory ${dir} is writable by others (mode 0777)`);
    assert.not.ok(fs.existsSync(path.join(dir, 'sock')), 'no socket was made');
  });
});

(isRoot ? test : test.skip)('a rundir owned by another user (nobody) is refused', () => {
  withDir(0o700, (dir) => {
    fs.chownSync(dir, NOBODY, NOBODY);
    refused([`-Srundir=${dir}`], `rundir ${dir} is owned by uid ${NOBODY}, not by the instance owner (uid 0)`);
    assert.is(fs.statSync(dir).uid, NOBODY, 'its owner is left alone');
    assert.equal(fs.readdirSync(dir), [], 'nothing was made in it');
  });
});

(isRoot ? test : test.skip)('a local-uri in a directory owned by another user is refused', () => {
  withDir(0o755, (dir) => {
    fs.chownSync(dir, NOBODY, NOBODY);
    refused([`-Slocal-uri=local://${dir}/sock`], `local-uri directory ${dir} is owned by uid ${NOBODY}, not by the instance owner (uid 0)`);
  });
});

test("the owner's own 0700 and 0755 directories work", () => {
  for (const mode of [0o700, 0o755]) {
    withDir(mode, (dir) => {
      const r = flux(['start', `-Srundir=${dir}`, 'flux', 'getattr', 'rundir']);
      assert.is(r.code, 0, r.stderr);
      assert.is(r.stdout, `${dir}\n`);
    });
  }
  withDir(0o700, (dir) => {
    const r = flux(['start', `-Slocal-uri=local://${dir}/sock`, 'flux', 'getattr', 'local-uri']);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, `local://${dir}/sock\n`);
  });
});

const inUse = (sock: string) => `local://${sock}: in use by a running instance (flux_open it, or choose another rundir)`;

test("a running instance's rundir and local-uri are refused; it keeps running", async () => {
  const a = await startInstance();
  try {
    const rd = a.flux(['getattr', 'rundir']).stdout.trim();
    const sock = path.join(rd, 'local-0');
    assert.is(a.flux(['getattr', 'local-uri']).stdout, `local://${sock}\n`);
    refused([`-Srundir=${rd}`], inUse(sock));
    refused([`-Srundir=${rd}`, '-Srundir-cleanup=1'], inUse(sock));
    refused([`-Slocal-uri=local://${sock}`], inUse(sock));
    for (const mode of [[], ['--test-in-process']]) {
      const r = flux(['start', '--test-size=1', ...mode, `--test-rundir=${rd}`, '--test-rundir-cleanup', 'true'], { env: OUTSIDE });
      assert.is(r.code, 1, `exit code with --test-rundir ${mode.join(' ')}`);
      assert.is(r.stderr, `flux-start: ${inUse(sock)}\n`);
    }
    assert.ok(fs.statSync(sock).isSocket(), "the instance's socket is still there");
    const up = a.flux(['uptime']);
    assert.is(up.code, 0, up.stderr);
    assert.match(up.stdout, /,  size 1\n$/);
    const job = a.flux(['run', 'true']);
    assert.is(job.code, 0, job.stderr);
  } finally {
    assert.is(await a.stop(), 0, a.stderr());
  }
  assert.not.match(a.stderr(), /Error|ENOENT|    at /, 'the instance logged no crash');
});

test('a stale socket is replaced; a file that is not a socket is refused', async () => {
  const t = tmpdir();
  try {
    fs.chmodSync(t.dir, 0o700);
    // a socket nobody listens on: a second name for a bound socket, kept after its server closes
    const bound = path.join(t.dir, 'bound');
    const stale = path.join(t.dir, 'stale');
    const srv = net.createServer();
    await new Promise<void>((resolve) => srv.listen(bound, resolve));
    fs.linkSync(bound, stale);
    await new Promise<void>((resolve) => srv.close(() => resolve()));
    assert.ok(fs.statSync(stale).isSocket());
    const r = flux(['start', `-Slocal-uri=local://${stale}`, 'flux', 'getattr', 'local-uri'], { env: OUTSIDE });
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, `local://${stale}\n`);

    const file = path.join(t.dir, 'file');
    fs.writeFileSync(file, 'mine\n');
    refused([`-Slocal-uri=local://${file}`], `local://${file}: exists and is not a socket`);
    assert.is(fs.readFileSync(file, 'utf8'), 'mine\n', 'the file is left alone');
  } finally {
    t.cleanup();
  }
});

test.run();
