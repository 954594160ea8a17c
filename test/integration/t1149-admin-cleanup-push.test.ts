/**
 * flux admin system-scripts: the prolog, epilog and housekeeping set up, as
 * Flux's prints them. flux admin cleanup-push (Flux's): commands rank 0 runs after the initial
 * program, before the running jobs are canceled — the last pushed first, a
 * block from standard input in its order; a failing one makes the instance
 * exit with its code (cleanup-fail); one pushed once CLEANUP has begun is
 * refused with one line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, tmpdir } from '../helpers/flux';

test('pushed commands run after the initial program, the last pushed first, before the jobs are canceled', () => {
  const script = [
    'flux admin cleanup-push echo first-pushed',
    'printf "echo a\\n\\necho b\\n" | flux admin cleanup-push',
    // a job still running: the cleanup commands see it, the cancel comes after them
    'flux submit --job-name=long sleep 300 >/dev/null',
    'flux admin cleanup-push "flux jobs -no {name}:{state}"',
    'echo initial-program-done',
  ].join('; ');
  const r = flux(['start', '-Slog-stderr-level=6', 'sh', '-c', script], { timeoutMs: 60_000 });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'initial-program-done\nlong:RUN\na\nb\nfirst-pushed\n');
  assert.match(r.stderr, /broker\.info\[0\]: cleanup\.0: flux jobs -no \{name\}:\{state\} Exited \(rc=0\) [\d.]+s\n/);
  assert.match(r.stderr, /broker\.info\[0\]: cleanup\.3: echo first-pushed Exited \(rc=0\) [\d.]+s\n/);
  assert.match(r.stderr, /flux-cancel: Canceled 1 job \(0 errors\)/);
  assert.match(r.stderr, /broker\.info\[0\]: cleanup-success: cleanup->shutdown/);
});

test('a failing cleanup command is logged at err and is the exit code; the others still run', () => {
  const r = flux(['start', '-Slog-stderr-level=6', 'sh', '-c', 'flux admin cleanup-push echo after; flux admin cleanup-push "exit 3"'], { timeoutMs: 60_000 });
  assert.is(r.code, 3, r.stderr);
  assert.is(r.stdout, 'after\n');
  assert.match(r.stderr, /broker\.err\[0\]: cleanup\.0: exit 3 Exited \(rc=3\) [\d.]+s\n/);
  assert.match(r.stderr, /broker\.info\[0\]: cleanup-fail: cleanup->shutdown/);
});

test('a push from a follower goes to rank 0; one made during CLEANUP is refused in one line', () => {
  const r = flux(['start', '--test-size=2', 'sh', '-c', 'flux exec -r 1 flux admin cleanup-push echo from-rank-1; flux admin cleanup-push "flux admin cleanup-push true; echo rc=\\$?"'], { timeoutMs: 60_000 });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'rc=1\nfrom-rank-1\n');
  assert.match(r.stderr, /flux-admin: ERROR: runat\.push: rank 0 takes cleanup commands until its CLEANUP starts\n/);
});

test('system-scripts: each of prolog, epilog and housekeeping, enabled with its command or not configured; -v and --color', () => {
  const t = tmpdir();
  try {
    const conf = path.join(t.dir, 'scripts.toml');
    fs.writeFileSync(
      conf,
      '[job-manager]\nplugins = [ { load = "perilog.so" } ]\n[job-manager.prolog]\ncommand = ["/bin/true", "x"]\nper-rank = true\n[job-manager.housekeeping]\ncommand = ["/bin/true"]\nrelease-after = "5s"\n',
    );
    const r = flux(['start', '-c', conf, 'sh', '-c', 'flux admin system-scripts; flux admin system-scripts -v --color=always; flux jobtap remove perilog.so; flux admin system-scripts'], { timeoutMs: 60_000 });
    assert.is(r.code, 0, r.stderr);
    const plain = '▸ prolog: enabled (per-rank=true)\n  command: /bin/true x\n\n▸ epilog: not configured\n\n▸ housekeeping: enabled (release after 5s)\n  command: /bin/true\n\n';
    const colored =
      '▸ prolog: \u001b[32menabled\u001b[0m (per-rank=true)\n  command: /bin/true x\n\n▸ epilog: \u001b[33mnot configured\u001b[0m\n\u001b[2m  (no script directories: flux-ts runs only a configured command)\u001b[0m\n\n▸ housekeeping: \u001b[32menabled\u001b[0m (release after 5s)\n  command: /bin/true\n\n';
    const inactive = '▸ prolog: configured but inactive\n  (perilog plugin not loaded)\n▸ epilog: not configured\n\n▸ housekeeping: enabled (release after 5s)\n  command: /bin/true\n\n';
    assert.is(r.stdout, plain + colored + inactive);
    const none = flux(['start', 'flux', 'admin', 'system-scripts'], { timeoutMs: 60_000 });
    assert.is(none.stdout, '▸ prolog: not configured\n\n▸ epilog: not configured\n\n▸ housekeeping: not configured\n\n');
  } finally {
    t.cleanup();
  }
});

test.run();
