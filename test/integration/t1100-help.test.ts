/**
 * flux help: the commands by group as Flux 0.88 lists them, `flux help CMD`
 * showing CMD's manual page (man, the built page, or the Markdown), the roff
 * pages built from docs/ and the MANPATH `flux` gives its commands.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { flux, run, ROOT, tmpdir } from '../helpers/flux';
import { testWhen } from '../helpers/skip';

const MAN = path.join(ROOT, 'dist', 'man');
/** man formats for a fixed width, off a terminal, without a pager */
const MANENV = { MANWIDTH: '80', MANPAGER: 'cat', PAGER: 'cat' };
/** why the tests that need man(1) cannot run (.ci/run installs man-db) */
const noMan = spawnSync('man', ['--version'], { stdio: 'ignore' }).error ? 'man(1) is not installed' : undefined;

test('flux help: front-end options, then the commands by group, on stderr, exit 0', () => {
  const r = flux(['help']);
  assert.is(r.code, 0);
  assert.is(r.stdout, '');
  const lines = r.stderr.split('\n');
  assert.is(lines[0], 'Usage: flux [OPTIONS] COMMAND ARGS');
  assert.is(lines[1], '  -h, --help             Display this message.');
  assert.is(lines[7], 'For general Flux documentation, please visit');
  const titles = lines.filter((l) => /^[a-z]/.test(l) && !l.startsWith('See '));
  assert.equal(titles, [
    'run and submit jobs, allocate resources',
    'list and interact with jobs',
    'get resource, queue and other instance information',
    'other useful commands',
  ]);
  const body = r.stderr.slice(r.stderr.indexOf('run and submit'));
  assert.ok(
    body.startsWith(
      'run and submit jobs, allocate resources\n' +
        '   submit             submit a job to a Flux instance\n' +
        '   run                run a Flux job interactively\n' +
        '   bulksubmit         submit jobs in bulk to a Flux instance\n' +
        '   alloc              allocate a new Flux instance for interactive use\n' +
        '   batch              submit a batch script to Flux\n\n' +
        'list and interact with jobs\n' +
        '   jobs               list jobs submitted to Flux\n',
    ),
    body,
  );
  assert.match(r.stderr, /^ {3}job {16}get job status, info, etc \(see: flux help job\)$/m);
  assert.match(r.stderr, /\nSee 'flux help COMMAND' for more information about a specific command\.\n$/);
  // only commands this build has: nothing listed that is not in the command index
  const index = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'cli', 'command-index.json'), 'utf8')) as Record<string, unknown>;
  for (const m of r.stderr.matchAll(/^ {3}(\S+) /gm)) {
    for (const w of m[1]!.split('/')) assert.ok(index[w], `${w} listed but not a command`);
  }
});

test('flux --help and -h print the same; a bare flux too, with exit 1', () => {
  const h = flux(['help']).stderr;
  for (const a of ['--help', '-h']) {
    const r = flux([a]);
    assert.equal([r.code, r.stderr], [0, h], a);
  }
  const r = flux([]);
  assert.equal([r.code, r.stderr], [1, h]);
});

testWhen(test, 'flux help CMD shows the manual page with man', noMan, () => {
  const r = flux(['help', 'run'], { env: MANENV });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^FLUX-RUN\(1\) +Flux +FLUX-RUN\(1\)$/m);
  assert.match(r.stdout, /^NAME\n {7}flux-run - /m);
  assert.match(r.stdout, /^OPTIONS$/m);
  assert.not.match(r.stdout, /\*\*|`|<!--/, 'Markdown left in the page');
});

testWhen(test, 'flux help job shows flux-job(1); an unknown topic fails with one line', noMan, () => {
  let r = flux(['help', 'job'], { env: MANENV });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^FLUX-JOB\(1\)/m);
  r = flux(['help', 'nosuch'], { env: MANENV });
  assert.equal([r.code, r.stdout, r.stderr], [1, '', 'flux-help: No manual entry for flux-nosuch\n']);
  r = flux(['help', '../../etc/passwd'], { env: MANENV });
  assert.is(r.code, 1);
});

test('without man on PATH, flux help CMD prints the Markdown source', () => {
  const t = tmpdir();
  try {
    fs.symlinkSync(process.execPath, path.join(t.dir, 'node'));
    const r = run(path.join(ROOT, 'bin', 'flux'), ['help', 'uptime'], { env: { PATH: t.dir, FLUX_CLI_POOL: '0' } });
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, fs.readFileSync(path.join(ROOT, 'docs', 'man1', 'flux-uptime.md'), 'utf8'));
  } finally {
    t.cleanup();
  }
});

testWhen(test, 'every docs/manN page is built to dist/man/manN and man -l reads it from the checkout', noMan, () => {
  for (const s of ['1', '5', '7']) {
    const src = fs.readdirSync(path.join(ROOT, 'docs', `man${s}`)).filter((f) => f.endsWith('.md'));
    const built = fs.readdirSync(path.join(MAN, `man${s}`));
    assert.equal(built.sort(), src.map((f) => `${f.slice(0, -3)}.${s}`).sort(), `man${s}`);
  }
  const page = fs.readFileSync(path.join(MAN, 'man1', 'flux-submit.1'), 'utf8');
  assert.match(page, /^\.TH "FLUX-SUBMIT" "1" /);
  assert.match(page, /^\.SH "NAME"\n\\fBflux-submit\\fR - /m);
  let r = run('man', ['-l', path.join(MAN, 'man5', 'flux-config-tbon.5')], { env: MANENV });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^FLUX-CONFIG-TBON\(5\)/);
  // an option table's long descriptions wrap inside the page instead of widening it
  r = run('man', ['-l', path.join(MAN, 'man1', 'flux-jobs.1')], { env: MANENV });
  assert.is(r.code, 0);
  assert.not.match(r.stderr, /wider than line width/);
  const rows = r.stdout.split('\n').filter((l) => /^\s*[│┌├└|+]/.test(l));
  assert.ok(rows.length > 10);
  assert.ok(rows.every((l) => [...l].length <= 80), 'a table row wider than MANWIDTH');
});

testWhen(test, 'no page loses text to roff: an @ in a table cell, a line that starts with a dot', noMan, () => {
  for (const s of ['1', '5', '7', '8']) {
    if (!fs.existsSync(path.join(MAN, `man${s}`))) continue;
    for (const f of fs.readdirSync(path.join(MAN, `man${s}`))) {
      const r = run('man', ['-l', path.join(MAN, `man${s}`, f)], { env: MANENV });
      assert.not.match(r.stderr, /excess data entry|not defined/, f);
    }
  }
  const run1 = run('man', ['-l', path.join(MAN, 'man1', 'flux-run.1')], { env: MANENV }).stdout;
  assert.match(run1, /│--signal=\[SIG\]\[@TIME\]\s+│ Send/);
  assert.match(run('man', ['-l', path.join(MAN, 'man1', 'flux-jobtap.1')], { env: MANENV }).stdout, /^\s+\.priority-default\n\s+\.dependency-after$/m);
});

testWhen(test, 'flux puts the built pages first on MANPATH for its commands', noMan, () => {
  let r = flux(['env', 'man', '-w', 'flux-run'], { env: { MANPATH: '' } });
  assert.equal([r.code, r.stdout], [0, path.join(MAN, 'man1', 'flux-run.1') + '\n'], r.stderr);
  // an unset MANPATH keeps man's default path (the trailing empty entry)
  r = flux(['env', 'printenv', 'MANPATH'], { env: { MANPATH: '' } });
  assert.is(r.stdout, `${MAN}:\n`);
  r = flux(['env', 'man', '-w', 'ls'], { env: { MANPATH: '' } });
  assert.is(r.code, 0, 'system pages still found');
  // a MANPATH the user set keeps its entries, after ours
  r = flux(['env', 'printenv', 'MANPATH'], { env: { MANPATH: '/opt/x/man:/usr/share/man' } });
  assert.is(r.stdout, `${MAN}:/opt/x/man:/usr/share/man\n`);
});

test.run();
