/** flux resource info/list/status/drain/undrain/R through the real flux command, singleton and size 3. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as os from 'node:os';
import { startInstance, type Instance } from '../helpers/flux';
import { until } from '../helpers/wait';

const host = os.hostname();
const ncores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
let one: Instance | undefined;
let three: Instance | undefined;

test.before(async () => {
  [one, three] = await Promise.all([startInstance(), startInstance(['--test-size=3'])]);
});

test.after(async () => {
  for (const i of [one, three]) {
    if (!i) continue;
    const rc = await i.stop().catch(() => (i.kill(), 1));
    void rc;
  }
});

test('singleton: info and the default list table', () => {
  const r = one!.flux(['resource', 'info']);
  assert.is(r.stderr, '');
  assert.is(r.stdout, `1 Nodes, ${ncores} Cores, 0 GPUs\n`);
  const l = one!.flux(['resource', 'list']);
  assert.is(l.code, 0);
  assert.is(
    l.stdout,
    '     STATE NNODES NCORES NGPUS NODELIST\n' +
      `      free      1 ${String(ncores).padStart(6)}     0 ${host}\n` +
      ' allocated      0      0     0 \n' +
      '      down      0      0     0 \n',
  );
});

test('list -n -o with widths, -no {nnodes}, -s, rlist', () => {
  assert.is(one!.flux(['resource', 'list', '-no', '{nnodes}']).stdout, '1\n');
  assert.is(one!.flux(['resource', 'list', '-n', '-s', 'free', '-o', '{state}|{nnodes:>3}|{ncores:<3}|']).stdout, `free|  1|${String(ncores).padEnd(3)}|\n`);
  const r = one!.flux(['resource', 'list', '-o', 'rlist', '-s', 'free']);
  assert.is(r.stdout, `     STATE NNODES NCORES +NGPUS LIST\n      free      1 ${String(ncores).padStart(6)} +    0 rank0/core[0-${ncores - 1}]\n`);
});

test('list errors', () => {
  const r = one!.flux(['resource', 'list', '-o', '{bogus}']);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-resource: ERROR: Unknown format field: bogus\n');
  const s = one!.flux(['resource', 'list', '-s', 'nosuch']);
  assert.is(s.code, 1);
  assert.is(s.stderr, 'flux-resource: ERROR: Invalid resource state nosuch specified\n');
});

test('-o NAME: help lists the sub-command\'s formats, get-config=NAME prints one, an unknown name is an error', () => {
  const h = one!.flux(['resource', 'list', '-o', 'help']);
  assert.is(h.code, 0);
  assert.is(
    h.stdout,
    '\nConfigured flux-resource output formats:\n\n' +
      '  default      Default flux-resource list format string\n' +
      '  rlist        Format including resource list details\n',
  );
  assert.is(
    one!.flux(['resource', 'drain', '-o', 'help']).stdout,
    '\nConfigured flux-resource output formats:\n\n' +
      '  long         Long flux-resource drain format string\n' +
      '  default      Default flux-resource drain format string\n',
  );
  const g = one!.flux(['resource', 'status', '-o', 'get-config=long']);
  assert.is(g.code, 0);
  assert.is(
    g.stdout,
    '[status.formats.long]\ndescription = "Long flux-resource status format string"\nformat = "{state:>12}{up:>2} {nnodes:>6} +:{reason:<30.30} {nodelist}"\n',
  );
  for (const sub of ['list', 'status', 'drain']) {
    for (const o of ['bogusname', 'get-config=bogusname']) {
      const b = one!.flux(['resource', sub, '-o', o]);
      assert.is(b.stderr, 'flux-resource: ERROR: --format: No such format bogusname\n', `${sub} -o ${o}`);
      assert.is(b.code, 1);
      assert.is(b.stdout, '');
    }
  }
});

test('R prints RFC 20 R', () => {
  const R = JSON.parse(one!.flux(['resource', 'R']).stdout) as { version: number; execution: { R_lite: unknown; nodelist: string[] } };
  assert.is(R.version, 1);
  assert.equal(R.execution.R_lite, [{ rank: '0', children: { core: ncores > 1 ? `0-${ncores - 1}` : '0' } }]);
  assert.equal(R.execution.nodelist, [host]);
});

test('size 3: info, list and status', () => {
  assert.is(three!.flux(['resource', 'info']).stdout, `3 Nodes, ${3 * ncores} Cores, 0 GPUs\n`);
  const l = three!.flux(['resource', 'list']).stdout.split('\n');
  assert.is(l[1], `      free      3 ${String(3 * ncores).padStart(6)}     0 ${host},${host},${host}`);
  const s = three!.flux(['resource', 'status']);
  assert.is(s.stdout, `       STATEUP NNODES NODELIST\n       avail \u2714      3 ${host},${host},${host}\n`);
});

test('size 3: drain, errors, drain list, undrain', () => {
  const bad = three!.flux(['resource', 'drain', '9']);
  assert.is(bad.code, 1);
  assert.is(bad.stderr, 'flux-resource: ERROR: [Errno 22] idset 9 is out of range (instance size 3, ranks 0-2)\n');
  assert.is(three!.flux(['resource', 'drain', 'nosuchhost']).stderr, 'flux-resource: ERROR: [Errno 22] invalid targets: invalid hosts: nosuchhost\n');
  const d = three!.flux(['resource', 'drain', '1', 'bad', 'disk']);
  assert.is(d.code, 0, d.stderr);
  const again = three!.flux(['resource', 'drain', '1']);
  assert.is(again.code, 1);
  assert.is(again.stderr, 'flux-resource: ERROR: [Errno 17] rank 1 already drained\nflux-resource: INFO: Use --force to overwrite existing drain reason\n');
  assert.is(three!.flux(['resource', 'drain', '-f', '1', 'new', 'reason']).code, 0);
  const s = three!.flux(['resource', 'status']).stdout;
  assert.is(s, `       STATEUP NNODES NODELIST\n       avail \u2714      2 ${host},${host}\n     drained \u2714      1 ${host}\n`);
  const list = three!.flux(['resource', 'drain']).stdout.split('\n');
  assert.is(list[0], 'TIME         STATE    REASON                         NODELIST');
  assert.match(list[1]!, new RegExp(`^[A-Z][a-z]{2}\\d\\d \\d\\d:\\d\\d  drained  new reason                     ${host}$`));
  // {timestamp} is a float where ranks are drained, and nothing on a line of ranks that are not
  assert.match(three!.flux(['resource', 'drain', '-no', '{timestamp}']).stdout, /^\d+\.\d+\n$/);
  // !d without a format is %FT%T (local time), as Python's; %F and the other glibc conversions expand
  const ts = Number(three!.flux(['resource', 'drain', '-no', '{timestamp}']).stdout);
  const at = new Date(ts * 1000);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const ymd = `${at.getFullYear()}-${p2(at.getMonth() + 1)}-${p2(at.getDate())}`;
  const hms = `${p2(at.getHours())}:${p2(at.getMinutes())}:${p2(at.getSeconds())}`;
  assert.is(three!.flux(['resource', 'drain', '-no', '{timestamp!d}']).stdout, `${ymd}T${hms}\n`);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][at.getDay()]!;
  const full = at.toLocaleString('en-US', { month: 'long' });
  assert.is(
    three!.flux(['resource', 'status', '-s', 'drained', '-no', '{timestamp!d:%F|%D|%a|%B|%y|%p|%s|%%}']).stdout,
    `${ymd}|${p2(at.getMonth() + 1)}/${p2(at.getDate())}/${p2(at.getFullYear() % 100)}|${day}|${full}|${p2(at.getFullYear() % 100)}|${at.getHours() < 12 ? 'AM' : 'PM'}|${Math.floor(ts)}|%\n`,
  );
  assert.is(three!.flux(['resource', 'status', '-s', 'avail', '-no', '{timestamp}|{nnodes}']).stdout, '|2\n');
  assert.match(three!.flux(['resource', 'list', '-s', 'down', '-no', '{nnodes} {ranks}']).stdout, /^1 1\n$/);
  const u = three!.flux(['resource', 'undrain', '1']);
  assert.is(u.code, 0, u.stderr);
  const u2 = three!.flux(['resource', 'undrain', '0-1']);
  assert.is(u2.code, 1);
  assert.is(u2.stderr, 'flux-resource: ERROR: ranks 0-1 not drained\n');
  const none = three!.flux(['resource', 'undrain']);
  assert.is(none.code, 2);
  assert.match(none.stderr, /flux-resource undrain: error: the following arguments are required: targets/);
  assert.is(three!.flux(['resource', 'drain']).stdout, 'TIME         STATE    REASON                         NODELIST\n');
});

test('as in Flux, the kvs holds resource.R and resource.eventlog (restart, resource-define, drain, undrain)', async () => {
  assert.equal(JSON.parse(three!.flux(['kvs', 'get', 'resource.R']).stdout), JSON.parse(three!.flux(['resource', 'R']).stdout));
  let names: string[] = [];
  // the drains of the test above are written in order, after their answers
  await until(() => {
    names = three!.flux(['kvs', 'eventlog', 'get', 'resource.eventlog']).stdout.split('\n').filter(Boolean).map((l) => l.split(' ')[1]!);
    return names.length >= 5;
  }, 'the drain and undrain events');
  assert.equal(names, ['restart', 'resource-define', 'drain', 'drain', 'undrain']);
  const log = three!.flux(['kvs', 'eventlog', 'get', 'resource.eventlog']).stdout;
  assert.match(log, /^\d+\.\d{6} restart ranks="0-2" online="" nodelist="[^"]+"\n\d+\.\d{6} resource-define method="dynamic-discovery"\n\d+\.\d{6} drain idset="1" nodelist="[^"]+" reason="bad disk" overwrite=0\n/);
  assert.match(log, /\d+\.\d{6} undrain idset="1" nodelist="[^"]+"\n$/);
});

test.run();
