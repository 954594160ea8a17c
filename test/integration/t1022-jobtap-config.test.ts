/**
 * `[job-manager] plugins` through the real `flux start -c`: the plugins load
 * at start in order with their conf (by name and by path) and have their
 * effect; `remove` takes plugins away first (a builtin replaced); a bad entry is refused with file:line, and a plugin that is not
 * found or refuses its conf stops the instance with one line naming it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, flux, tmpdir } from '../helpers/flux';

/** stderr's lines but Flux's closing `rc1.0: flux modprobe rc1 Exited (rc=1)` of a failed rc1 */
const ownLines = (stderr: string) => stderr.trim().split('\n').filter((l) => !/ rc1\.0: flux modprobe rc1 Exited \(rc=1\)/.test(l));

const tmp = tmpdir('flux-t1022-');
test.after(() => tmp.cleanup());
const EXAMPLE = path.join(ROOT, 'docs', 'examples', 'jobtap', 'require-duration.js');

function startWith(toml: string, script: string): { code: number; stdout: string; stderr: string; file: string } {
  const file = path.join(tmp.dir, `c${Math.random().toString(36).slice(2)}.toml`);
  fs.writeFileSync(file, toml);
  return { ...flux(['start', '-c', file, 'sh', '-c', script], { timeoutMs: 60_000 }), file };
}

test('plugins from the config are loaded in order with their conf and have their effect', () => {
  const toml = [
    '[job-manager]',
    'plugins = [',
    '  { load = "limit-duration", conf = { duration = "1m" } },',
    `  { load = "${EXAMPLE}", conf = { long = 30 } },`,
    ']',
    '',
  ].join('\n');
  const r = startWith(toml, 'flux jobtap list; flux submit -t 5m true; flux submit true; flux jobtap query require-duration; flux submit --wait -t 45s true >/dev/null && echo ran');
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines.slice(0, 2), ['limit-duration', 'require-duration']);
  assert.match(r.stderr, '[Errno 22] requested duration (5m) exceeds policy limit of 1m\n');
  // limit-duration was loaded first, so it answers the job without -t before require-duration does
  assert.match(r.stderr, '[Errno 22] unlimited duration exceeds policy limit of 1m\n');
  assert.equal(JSON.parse(lines[2]!), { refused: 0, long: 30, name: 'require-duration', path: EXAMPLE });
  assert.is(lines[3], 'ran');
});

test('remove: an entry takes plugins away before its load (a glob; a builtin replaced); one that matches nothing stops the start', () => {
  const toml = [
    '[job-manager]',
    'plugins = [',
    '  { load = "limit-duration", conf = { duration = "1m" } },',
    '  { remove = "limit-*" },',
    '  { remove = ".priority-default", load = "multi-factor" },',
    ']',
    '',
  ].join('\n');
  const r = startWith(toml, 'flux jobtap list -a; flux run -t 5m true && echo ran');
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '.dependency-after\n.dependency-singleton\n.begin-time\n.history\n.post-event\nmulti-factor\nran\n');
  const none = startWith('[job-manager]\nplugins = [ { remove = "nosuch" } ]\n', 'echo should-not-run');
  assert.is(none.code, 1);
  assert.ok(ownLines(none.stderr).join('\n').endsWith('rc1.0: load job-manager: [job-manager] plugins: nosuch not found'), none.stderr);
});

test('limit plugins loaded without conf take their limits from [policy.limits] and [queues]', () => {
  const toml = [
    '[policy.limits]',
    'duration = "2m"',
    '"job-size".max.ncores = 8',
    '[job-manager]',
    'plugins = [ { load = "limit-duration" }, { load = "limit-job-size" } ]',
    '',
  ].join('\n');
  const r = startWith(toml, 'flux jobtap query limit-duration; flux jobtap query limit-job-size');
  assert.is(r.code, 0, r.stderr);
  const [d, j] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.is(d!['limit'], 120);
  assert.equal(j!['limits'], { min: {}, max: { ncores: 8 } });
});

test('a bad entry is refused with file:line before anything starts', () => {
  const cases: Array<[string, RegExp]> = [
    ['[job-manager]\nplugins = [\n  { lod = "x" },\n]\n', /:2: job-manager\.plugins\[0\]: unknown key 'lod' \(a plugin entry takes load, conf and remove\)\n$/],
    ['[job-manager]\nplugins = [ { remove = "x", conf = { a = 1 } } ]\n', /:2: job-manager\.plugins\[0\]: 'conf' needs a 'load'\n$/],
    ['[job-manager]\nplugins = [ { remove = 3 } ]\n', /:2: job-manager\.plugins\[0\]: 'remove' \(a plugin's name, a glob or all\) must be a string\n$/],
    ['[job-manager]\nplugins = [ { conf = { a = 1 } } ]\n', /:2: job-manager\.plugins\[0\]: 'load' \(the plugin's name or path\) is required and must be a string\n$/],
    ['[job-manager]\nplugins = [ { load = "x", conf = 5 } ]\n', /:2: job-manager\.plugins\[0\]: 'conf' must be a table\n$/],
    ['[job-manager]\nplugins = { load = "x" }\n', /:2: job-manager\.plugins: must be an array of tables, got table\b/],
  ];
  for (const [toml, want] of cases) {
    const r = startWith(toml, 'true');
    assert.is(r.code, 1, `${toml}: ${r.stderr}`);
    assert.match(r.stderr, /broker\.crit\[\S+\]: Config file error: \S+\.toml:\d+: /);
    assert.match(r.stderr, want);
    assert.is(ownLines(r.stderr).length, 1, r.stderr);
  }
});

test('a plugin that is not found, or refuses its conf, stops the instance with one line', () => {
  const cases: Array<[string, string]> = [
    ['[job-manager]\nplugins = [ { load = "nosuch" } ]\n', 'rc1.0: load job-manager: [job-manager] plugins: nosuch not found'],
    ['[job-manager]\nplugins = [ { load = "/nonexistent/p.js" } ]\n', 'rc1.0: load job-manager: [job-manager] plugins: /nonexistent/p.js not found'],
    [
      '[job-manager]\nplugins = [ { load = "limit-duration", conf = { duration = "1m", x = 1 } } ]\n',
      "rc1.0: load job-manager: [job-manager] plugins: limit-duration: unknown config key 'x' (it takes: duration)",
    ],
  ];
  for (const [toml, line] of cases) {
    const r = startWith(toml, 'echo should-not-run');
    assert.is(r.code, 1, `${toml}: ${r.stderr}`);
    assert.is(r.stdout, '');
    assert.ok(ownLines(r.stderr).join('\n').endsWith(line), r.stderr);
    assert.is(ownLines(r.stderr).length, 1, r.stderr);
  }
});

test.run();
