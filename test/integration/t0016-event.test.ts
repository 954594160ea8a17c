/**
 * flux event pub / flux event sub (flux-event(1)) against a singleton: the
 * round trip of a payload, `TOPIC<TAB>PAYLOAD` lines, --count, prefix
 * subscriptions, raw payloads, private events (the owner receives them; that
 * a guest does not is t1200's) and the one-line errors.
 *
 * A subscriber cannot say when it has subscribed, so each test starts `sub`
 * with --count and publishes (one `pub` at a time, each awaited) until it
 * exits: what it printed is then exactly its first N matching events,
 * whatever was published before it subscribed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startInstance, type Instance, type Result } from '../helpers/flux';

let inst: Instance;

test.before(async () => {
  inst = await startInstance();
});
test.after(async () => {
  await inst.stop();
});

/** Run `flux event sub SUBARGS` and publish each of `pubs` in turn, over and over, until it exits. */
async function subWhilePublishing(subArgs: string[], pubs: string[][]): Promise<Result> {
  let exited = false;
  const sub = inst.fluxAsync(['event', 'sub', ...subArgs], { timeoutMs: 60_000 }).then((r) => {
    exited = true;
    return r;
  });
  for (let round = 0; !exited && round < 300; round++) {
    for (const args of pubs) {
      if (exited) break;
      const r = await inst.fluxAsync(['event', 'pub', ...args]);
      assert.is(r.code, 0, `pub ${args.join(' ')}: ${r.stderr}`);
    }
  }
  return sub;
}

test('pub/sub round trip: a JSON payload (words joined by spaces) comes out as TOPIC<TAB>PAYLOAD', async () => {
  const r = await subWhilePublishing(['--count=1', 't0016.rt'], [['t0016.rt', '{"a":', '1,', '"b":"x y"}']]);
  assert.equal([r.code, r.stdout, r.stderr], [0, 't0016.rt\t{"a":1,"b":"x y"}\n', '']);
});

test('no payload: nothing after the tab; -c N prints N events then exits 0', async () => {
  const r = await subWhilePublishing(['-c', '3', 't0016.none'], [['t0016.none']]);
  assert.equal([r.code, r.stdout, r.stderr], [0, 't0016.none\t\n'.repeat(3), '']);
});

test('subscriptions are topic prefixes: other topics are not printed, several TOPICs are all followed', async () => {
  const r = await subWhilePublishing(
    ['-c4', 't0016.pre', 't0016.two'],
    [
      ['t0016.other', '{"n":0}'],
      ['t0016.prefix.x', '{"n":1}'],
      ['t0016.pr', '{"n":2}'],
      ['t0016.two', '{"n":3}'],
    ],
  );
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.is(lines.length, 4, r.stdout);
  for (const l of lines) assert.ok(l === 't0016.prefix.x\t{"n":1}' || l === 't0016.two\t{"n":3}', r.stdout);
});

test('an event matching two subscriptions is printed once', async () => {
  let n = 0;
  const pubs = Array.from({ length: 50 }, () => ['t0016.dup.x', JSON.stringify({ n: n++ })]);
  const r = await subWhilePublishing(['--count', '2', 't0016.dup', 't0016.dup.x'], pubs);
  assert.is(r.code, 0, r.stderr);
  const ns = r.stdout
    .trimEnd()
    .split('\n')
    .map((l) => (JSON.parse(l.split('\t')[1]!) as { n: number }).n);
  assert.is(ns.length, 2, r.stdout);
  assert.is(ns[1], ns[0]! + 1, r.stdout);
});

test('no TOPIC: every event; pub -s (--synchronous) is seen too', async () => {
  const r = await subWhilePublishing(['-c1'], [['-s', 't0016.all', '{"s":true}']]);
  assert.equal([r.code, r.stdout], [0, 't0016.all\t{"s":true}\n']);
});

test('pub -r (--raw): the text as given, printed as is', async () => {
  const r = await subWhilePublishing(['-c1', 't0016.raw'], [['-r', 't0016.raw', 'not', 'json {']]);
  assert.equal([r.code, r.stdout], [0, 't0016.raw\tnot json {\n']);
  const v = await subWhilePublishing(['-c1', 't0016.raw2'], [['--raw', 't0016.raw2', 'tab\there']]);
  assert.equal([v.code, v.stdout], [0, 't0016.raw2\ttab.here\n']);
});

test('pub -l (--loopback) returns once its own event has come back', async () => {
  const r = await inst.fluxAsync(['event', 'pub', '-l', 't0016.loop', '{"x":[1,2]}'], { timeoutMs: 30_000 });
  assert.equal([r.code, r.stdout, r.stderr], [0, '', '']);
  const raw = await inst.fluxAsync(['event', 'pub', '--loopback', '--raw', 't0016.loop', 'hi'], { timeoutMs: 30_000 });
  assert.equal([raw.code, raw.stderr], [0, '']);
});

test('pub -p (--private): the instance owner`s sub receives it, and -l sees it come back', async () => {
  const r = await subWhilePublishing(['-c1', 't0016.priv'], [['-p', 't0016.priv', '{"secret":1}']]);
  assert.equal([r.code, r.stdout, r.stderr], [0, 't0016.priv\t{"secret":1}\n', '']);
  const l = await inst.fluxAsync(['event', 'pub', '--private', '-l', 't0016.priv', '{"x":2}'], { timeoutMs: 30_000 });
  assert.equal([l.code, l.stdout, l.stderr], [0, '', '']);
});

test('invalid payloads and a missing TOPIC: one line, exit 1', () => {
  const cases: Array<[string[], string]> = [
    [['pub', 't0016.bad', 'not', 'json'], 'flux-event: payload is not valid JSON\n'],
    [['pub', 't0016.bad', '{"a":'], 'flux-event: payload is not valid JSON\n'],
    [['pub', 't0016.bad', '42'], 'flux-event: payload must be a JSON object\n'],
    [['pub', 't0016.bad', '[1]'], 'flux-event: payload must be a JSON object\n'],
    [['sub', '--count=x'], 'flux-event: --count=x: must be an integer >= 0\n'],
  ];
  for (const [args, err] of cases) {
    const r = inst.flux(['event', ...args]);
    assert.equal([r.code, r.stdout, r.stderr], [1, '', err], args.join(' '));
  }
  const r = inst.flux(['event', 'pub']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^Usage: flux-event pub \[OPTIONS\] topic \[payload\]\n/);
});

test('flux event alone lists its sub-commands; an unknown command word is still refused', () => {
  const r = inst.flux(['event']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^Usage: flux-event \[OPTIONS\] COMMAND ARGS\n/);
  assert.match(r.stderr, /\n {3}pub +Publish an event\n {3}sub +Subscribe to events\n$/);
  const nope = inst.flux(['eventx', 'pub', 'foo']);
  assert.equal([nope.code, nope.stderr.split('\n')[0]], [1, "flux: `eventx' is not a flux command.  See 'flux --help'"]);
});

test.run();
