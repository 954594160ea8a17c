/**
 * Constraints (RFC 31) from --requires: properties, host:, rank:, and/or/not,
 * honoured by fcfs, backfill and a site policy written against the plugin API;
 * a host the instance does not have, or a constraint no node satisfies, is
 * refused at submit; a syntax error names the option.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, tmpdir } from '../helpers/flux';

const tmp = tmpdir();
test.after(() => tmp.cleanup());

const conf = path.join(tmp.dir, 'c.toml');
fs.writeFileSync(
  conf,
  '[resource]\nconfig = [\n  { hosts = "node[0-1]", cores = "0-1" },\n  { hosts = "node0", properties = ["debug", "fast"] },\n  { hosts = "node1", properties = ["batch"] },\n]\n',
);

/** Run `script` in a size-2 instance with node0 (debug, fast) and node1 (batch), under `policy`. */
function inInstance(script: string, policy = 'fcfs'): { code: number; stdout: string; stderr: string } {
  return flux(['start', '--test-size=2', '--test-hosts=node[0-1]', '-c', conf, `--conf=sched.policy="${policy}"`, 'sh', '-c', script], {
    env: { FLUX_RESOURCE_FAKE_CORES: '2' },
    timeoutMs: 90_000,
  });
}

const PLACEMENT = [
  'for r in fast batch -fast ^fast host:node1 rank:0 "debug and -batch" "rank:1 or fast"; do',
  '  printf "%s=" "$r"; flux run --requires="$r" flux getattr rank;',
  'done',
  'flux run -N2 --requires="fast or batch" flux getattr rank | sort | tr "\\n" " "; echo',
].join('\n');
const WANT = 'fast=0\nbatch=1\n-fast=1\n^fast=1\nhost:node1=1\nrank:0=0\ndebug and -batch=0\nrank:1 or fast=0\n0 1 \n';

test('fcfs places jobs only where the constraint holds', () => {
  const r = inInstance(PLACEMENT);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, WANT);
});

test('backfill honours them too', () => {
  const r = inInstance(PLACEMENT, 'backfill');
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, WANT);
});

test('a site policy through the plugin API (pool.match) honours them', () => {
  const file = path.join(tmp.dir, 'site.js');
  // the simplest policy: first come, first served, each job placed by pool.match
  fs.writeFileSync(
    file,
    `module.exports = { schedPolicy: 1, name: 'site-simple', description: 'test', create: () => {
      const q = [];
      return { name: 'site-simple', hello() {}, enqueue(j) { q.push(j); }, cancel(id) { const i = q.findIndex((j) => j.id === id); if (i < 0) return false; q.splice(i, 1); return true; },
        free() {}, queue() { return q; },
        schedule(pool) { const out = []; while (q.length > 0) { const R = pool.match(q[0].request); if (!R) break; pool.take(R); out.push({ type: 'alloc', id: q.shift().id, R }); } return out; } };
    } };`,
  );
  const r = inInstance('flux run --requires=batch flux getattr rank; flux run --requires=host:node0 flux getattr rank', file);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '1\n0\n');
});

test('refused at submit: a host not in the instance, a constraint no node satisfies, bad syntax', () => {
  const r = inInstance(
    [
      'flux run --requires=host:nosuch true; echo rc=$?',
      'flux submit --requires="fast and batch" true; echo rc=$?',
      'flux run --requires=nosuchprop true; echo rc=$?',
      'flux run --requires="&&" true; echo rc=$?',
      'flux run --requires="bogus:1" true; echo rc=$?',
      'flux jobs -a -no "{id}" | wc -l',
    ].join('\n'),
  );
  assert.is(r.stdout, 'rc=1\nrc=1\nrc=1\nrc=1\nrc=1\n0\n');
  assert.match(r.stderr, /^flux-run: ERROR: invalid jobspec: host constraint contains invalid hosts: host 'nosuch' not found$/m);
  assert.match(r.stderr, /^\[Errno 22\] unsatisfiable request: need 1 slot\(s\) of 1 core\(s\), only 0 such slot\(s\) available \(total cores: 0\)$/m);
  assert.match(r.stderr, /^flux-run: ERROR: unsatisfiable request: need 1 slot\(s\) of 1 core\(s\)/m);
  assert.match(r.stderr, /^flux-run: ERROR: --requires='&&': Invalid token '&&' at position 0$/m);
  assert.match(r.stderr, /^flux-run: ERROR: --requires='bogus:1': unknown constraint operator 'bogus' at position 0$/m);
});

test('a malformed constraint in a jobspec is refused at submit', () => {
  const r = inInstance('flux run -S constraints=\'{"propertiez":["x"]}\' true; echo rc=$?');
  assert.is(r.stdout, 'rc=1\n');
  assert.match(r.stderr, /^flux-run: ERROR: invalid constraint: unknown constraint operator: propertiez$/m);
});

test.run();
