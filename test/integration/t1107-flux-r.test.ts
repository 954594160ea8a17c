/**
 * flux R (flux-R(1)): encode, decode, append, diff, intersect, remap, rerank,
 * set-property, verify and parse-config on R objects read from stdin, without
 * an instance; exact JSON in Flux's form; one-line errors with exit 1; and an
 * encoded R used as `[resource] path` by a real instance.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { flux, tmpdir } from '../helpers/flux';

const tmp = tmpdir();
test.after(() => tmp.cleanup());

const R = (args: string[], input?: string) => flux(['R', ...args], { input, env: { FLUX_URI: '' } });

/** stdout of a successful flux R */
function ok(args: string[], input?: string): string {
  const r = R(args, input);
  assert.is(r.code, 0, `flux R ${args.join(' ')}: ${r.stderr}`);
  assert.is(r.stderr, '');
  return r.stdout;
}

/** the one error line of a failing flux R (exit 1, nothing on stdout) */
function err(args: string[], input?: string): string {
  const r = R(args, input);
  assert.is(r.code, 1, `flux R ${args.join(' ')} should fail: ${r.stdout}`);
  assert.is(r.stdout, '');
  return r.stderr;
}

const rline = (lite: string, nodelist: string, extra = '') =>
  `{"version": 1, "execution": {"R_lite": [${lite}], "starttime": 0.0, "expiration": 0.0, "nodelist": ["${nodelist}"]${extra}}}\n`;
const entry = (rank: string, core: string, gpu?: string) =>
  `{"rank": "${rank}", "children": {"core": "${core}"${gpu !== undefined ? `, "gpu": "${gpu}"` : ''}}}`;

const A = rline(entry('0-1', '0-3'), 'n[0-1]');
const B = rline(entry('1', '0-1'), 'n1');
const C = rline(entry('2-3', '0-3'), 'n[2-3]');

test('encode: ranks, cores, gpus, hosts, properties, defaults', () => {
  const host = os.hostname();
  assert.is(ok(['encode', '-r0-1', '-c0-1']), rline(entry('0-1', '0-1'), `${host},${host}`));
  assert.is(ok(['encode']), rline(entry('0', '0'), host), 'default: rank 0, core 0, local hostname');
  assert.is(ok(['encode', '--hosts=n[0-1]', '--cores=0-3']), A, 'ranks follow --hosts');
  assert.is(
    ok(['encode', '-r0-3', '-c0-3', '-g0', '-Hnode[0-3]', '-p', 'debug:0', '--property=gpu']),
    rline(entry('0-3', '0-3', '0'), 'node[0-3]', ', "properties": {"debug": "0", "gpu": "0-3"}'),
  );
  assert.is(
    ok(['encode', '-g0-1', '-H', 'h1']),
    '{"version": 1, "execution": {"R_lite": [{"rank": "0", "children": {"gpu": "0-1"}}], "starttime": 0.0, "expiration": 0.0, "nodelist": ["h1"]}}\n',
    '--gpus alone: no cores',
  );
  const local = ok(['encode', '--local', '-H', 'h1'], undefined);
  assert.match(local, /^\{"version": 1, "execution": \{"R_lite": \[\{"rank": "0", "children": \{"core": "0(-\d+)?"/);
  const fake = flux(['R', 'encode', '-l', '-Hh[1-2]'], { env: { FLUX_URI: '', FLUX_RESOURCE_FAKE_CORES: '4', FLUX_RESOURCE_FAKE_GPUS: '2' } });
  assert.is(fake.stdout, rline(entry('0-1', '0-3', '0-1'), 'h[1-2]'), 'local discovery (faked) for each host');
});

test('encode: errors are one line, exit 1', () => {
  assert.is(err(['encode', '-r0-1', '-Hfoo']), "flux-R: hostname count in 'foo' does not match nranks (2)\n");
  assert.is(err(['encode', '-rx']), "flux-R: Failed to decode ranks='x' as idset\n");
  assert.is(err(['encode', '-c', '1-']), "flux-R: Failed to decode cores='1-' as idset\n");
  assert.is(err(['encode', '-Ha[']), "flux-R: invalid hostlist 'a['\n");
  assert.is(err(['encode', '--local', '-c1']), 'flux-R: do not specify --cores or --gpus with --local or --xml\n');
  assert.is(err(['encode', '--xml=topo.xml']), 'flux-R: --xml: hwloc XML is not supported by flux-ts (use --local, or --cores and --gpus)\n');
  assert.is(err(['encode', '-Hn[0-1]', '-p', 'x:5']), 'flux-R: failed to assign properties: ranks 5 not found in R\n');
});

test('decode: R, short form, nodelist, ranks, counts, include/exclude/properties', () => {
  const props = ok(['encode', '-Hn[0-3]', '-c0-3', '-g0', '-p', 'debug:0', '-p', 'batch:2-3']);
  assert.is(ok(['decode'], A), A, 'round trip');
  assert.is(ok(['decode', '--short'], props), 'rank[0-3]/core[0-3],gpu0\n');
  assert.is(ok(['decode', '-s', '-n', '-r', '-c', 'core'], props), 'rank[0-3]/core[0-3],gpu0\nn[0-3]\n0-3\n16\n');
  assert.is(ok(['decode', '--count=gpu'], props), '4\n');
  assert.is(ok(['decode', '--count=node', '--exclude=1'], props), '3\n');
  assert.is(ok(['decode', '--include=1-2', '-n'], props), 'n[1-2]\n');
  assert.is(ok(['decode', '--properties=batch', '-r'], props), '2-3\n');
  assert.is(ok(['decode', '-p', '^batch,^debug', '-r'], props), '1\n');
  assert.is(ok(['decode', '-s'], A + C), 'rank[0-3]/core[0-3]\n', 'the union of every R on stdin');
  const timed = '{"version":1,"execution":{"R_lite":[{"rank":"0","children":{"core":"0"}}],"starttime":1.5,"expiration":1700000000.25}}';
  assert.is(
    ok(['decode'], timed),
    '{"version": 1, "execution": {"R_lite": [{"rank": "0", "children": {"core": "0"}}], "starttime": 1.5, "expiration": 1700000000.25}}\n',
    'times kept as reals, no nodelist when R has none',
  );
  assert.is(err(['decode', '--count=ranks'], A), "flux-R: --count: unknown resource type 'ranks' (node, core, gpu)\n");
  assert.is(err(['decode', '--include=x'], A), "flux-R: Invalid ranks option: 'x'\n");
  assert.is(err(['decode', '-x', '1-'], A), 'flux-R: Invalid idset in --exclude option: 1-\n');
  assert.is(err(['decode'], '{"version": 2}'), 'flux-R: Failed to decode R on stdin: invalid version=2\n');
  assert.is(err(['decode'], 'xx yy'), "flux-R: Failed to decode R on stdin: '[' or '{' expected near 'xx'\n");
  assert.is(err(['decode'], ''), 'flux-R: Failed to read an R object: no R on stdin\n');
});

test('append, diff, intersect, remap, rerank', () => {
  assert.is(ok(['append'], A + C), rline(entry('0-3', '0-3'), 'n[0-3]'));
  assert.is(err(['append'], A + B), "flux-R: R objects 'rank[0-1]/core[0-3]' and 'rank1/core[0-1]' overlap\n");
  assert.is(ok(['diff'], A + B), rline(`${entry('0', '0-3')}, ${entry('1', '2-3')}`, 'n[0-1]'));
  assert.is(ok(['diff'], A + A), '{"version": 1, "execution": {"R_lite": [], "starttime": 0.0, "expiration": 0.0, "nodelist": []}}\n');
  assert.is(err(['diff'], A), 'flux-R: diff requires at least 2 resource sets\n');
  assert.is(ok(['intersect'], A + B), B);
  assert.is(err(['intersect'], A), 'flux-R: intersect requires at least 2 resource sets\n');
  assert.is(ok(['remap'], C), rline(entry('0-1', '0-3'), 'n[2-3]'));
  assert.is(ok(['rerank', 'n[3,2,1,0]'], A + C), rline(entry('0-3', '0-3'), 'n[3,2,1,0]'));
  assert.is(err(['rerank', 'n[0-2]'], A + C), 'flux-R: Too few hosts specified (expected 4)\n');
  assert.is(err(['rerank', 'n[0-4]'], A + C), 'flux-R: Too many hosts specified (expected 4)\n');
  assert.is(err(['rerank', 'n[0-2,7]'], A + C), 'flux-R: failed to find one or more provided hosts in R\n');
  assert.is(err(['rerank'], A), 'flux-R: Must provide a hostlist for re-ranking\n');
});

test('set-property and verify', () => {
  assert.is(ok(['set-property', 'foo:1', 'bar'], A), rline(entry('0-1', '0-3'), 'n[0-1]', ', "properties": {"bar": "0-1", "foo": "1"}'));
  assert.is(ok(['decode', '-p', 'foo', '-n'], ok(['set-property', 'foo:1'], A)), 'n1\n');
  assert.is(err(['set-property', 'foo:5'], A), 'flux-R: failed to assign properties: ranks 5 not found in R\n');
  assert.is(err(['set-property', 'a b'], A), `flux-R: failed to assign properties: invalid property name "a b" (no whitespace or any of !&'"^\`|(),)\n`);
  assert.is(ok(['verify'], A + A), '');
  assert.is(err(['verify'], A + B), 'flux-R: rank 1 (n1) missing resources: core[2-3]\n');
  assert.is(err(['verify'], B + A), 'flux-R: rank 0 not found in expected ranks\n');
  assert.is(err(['verify'], A + rline(entry('0', '0-3'), 'x')), "flux-R: rank 0 got hostname 'x', expected 'n0'\n");
  const extra = R(['verify'], B + rline(entry('1', '0-1', '0'), 'n1'));
  assert.equal([extra.code, extra.stderr], [0, 'flux-R: rank 1 (n1) has extra resources: gpu0\n']);
  assert.is(err(['verify'], A), 'flux-R: verify requires exactly 2 R objects on stdin\n');
});

test('parse-config: [[resource.config]] of a file or directory', () => {
  const dir = path.join(tmp.dir, 'conf.d');
  fs.mkdirSync(dir);
  fs.writeFileSync(
    path.join(dir, 'resource.toml'),
    '[resource]\nnoverify = true\nconfig = [\n  { hosts = "node[0-3]", cores = "0-3" },\n  { hosts = "node[0-1]", gpus = "0-1", properties = ["gpu"] },\n  { hosts = "node0", properties = ["debug"] },\n]\n',
  );
  const want = rline(`${entry('0-1', '0-3', '0-1')}, ${entry('2-3', '0-3')}`, 'node[0-3]', ', "properties": {"gpu": "0-1", "debug": "0"}');
  assert.is(ok(['parse-config', dir]), want);
  assert.is(ok(['parse-config', path.join(dir, 'resource.toml')]), want);
  const bad = path.join(tmp.dir, 'bad.toml');
  fs.writeFileSync(bad, '[resource]\nconfig = [ { hosts = "a", cores = "zero" } ]\n');
  assert.is(err(['parse-config', bad]), `flux-R: Config file error: ${bad}:2: resource.config[0].cores: "zero" is not a valid core idset (e.g. "0-3,8")\n`);
  const none = path.join(tmp.dir, 'none.toml');
  fs.writeFileSync(none, '[tbon]\n');
  assert.is(err(['parse-config', none]), `flux-R: ${none}: no [[resource.config]] entries\n`);
  assert.is(err(['parse-config', path.join(tmp.dir, 'nonexistent')]), `flux-R: Config file error: stat: ${path.join(tmp.dir, 'nonexistent')}: No such file or directory\n`);
});

test('FILE operands instead of stdin', () => {
  const a = path.join(tmp.dir, 'a.json');
  const b = path.join(tmp.dir, 'b.json');
  fs.writeFileSync(a, A);
  fs.writeFileSync(b, B);
  assert.is(ok(['decode', '-s', a]), 'rank[0-1]/core[0-3]\n');
  assert.is(ok(['diff', a, '-'], B), rline(`${entry('0', '0-3')}, ${entry('1', '2-3')}`, 'n[0-1]'));
  assert.is(ok(['intersect', a, b]), B);
  assert.is(err(['verify', a, b]), 'flux-R: rank 1 (n1) missing resources: core[2-3]\n');
  assert.is(err(['append', path.join(tmp.dir, 'missing.json')]), `flux-R: ${path.join(tmp.dir, 'missing.json')}: No such file or directory\n`);
  assert.is(err(['remap', tmp.dir]), `flux-R: ${tmp.dir}: Is a directory\n`);
});

test('the command: no or an unknown sub-command fails', () => {
  const none = R([]);
  assert.is(none.code, 1);
  assert.ok(none.stderr.startsWith('flux-R: missing subcommand\nUsage: flux-R COMMAND [OPTIONS]\n'), none.stderr);
  const bad = R(['nosuch']);
  assert.is(bad.code, 1);
  assert.ok(bad.stderr.startsWith('flux-R: Unknown subcommand: nosuch\n'), bad.stderr);
});

test('an encoded R as [resource] path, read back from the instance', () => {
  const file = path.join(tmp.dir, 'R.json');
  fs.writeFileSync(file, ok(['encode', '-Hnode[0-1]', '-c0-1', '-p', 'debug:1']));
  const conf = path.join(tmp.dir, 'path.toml');
  fs.writeFileSync(conf, `[resource]\npath = "${file}"\nnoverify = true\n`);
  const r = flux(
    ['start', '--test-size=2', '--test-hosts=node[0-1]', '-c', conf, 'sh', '-c', 'flux resource R | flux R decode --short --nodelist; flux resource R | flux R decode -p debug -r'],
    { env: { FLUX_RESOURCE_FAKE_CORES: '2' }, timeoutMs: 90_000 },
  );
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'rank[0-1]/core[0-1]\nnode[0-1]\n1\n');
});

test.run();
