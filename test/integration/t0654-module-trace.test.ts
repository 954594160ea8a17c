/**
 * flux module trace and flux overlay trace (Flux's): each message a module
 * (or an overlay link) receives (rx) and sends (tx), with its type, topic,
 * size and, for a response, its errno name; filtered by module or peer rank,
 * type and topic; -f adds payloads and error texts; SIGINT ends it with
 * status 0 and the broker stops tracing; bad options are one line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { FLUX, startInstance, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

let inst: Instance;
const traces = new Set<ChildProcess>();

test.before(async () => {
  inst = await startInstance();
});
test.after(async () => {
  for (const p of traces) p.kill('SIGKILL');
  await inst.stop();
});

/** `flux module trace ARGS` (or another trace command) running against the instance; its stdout so far */
function trace(args: string[], cmd = ['module', 'trace'], on = inst): { proc: ChildProcess; out: () => string; done: Promise<number> } {
  const proc = spawn(FLUX, [...cmd, ...args], { env: on.env, stdio: ['ignore', 'pipe', 'pipe'] });
  traces.add(proc);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<number>((resolve) => proc.on('exit', (code) => resolve(code ?? 128)));
  void done.then(() => traces.delete(proc));
  return { proc, out: () => out, done };
}

const STAMP = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}';

test("a module's requests in and responses out, until SIGINT", async () => {
  const t = trace(['kvs']);
  // the trace starts once the broker has its request: put until one is seen
  let i = 0;
  await waitUntil(
    () => {
      inst.flux(['kvs', 'put', `t0654.n=${i++}`]);
      // both halves of one commit: the trace may have started between a request and its response
      return t.out().includes(' kvs rx > kvs.commit ') && t.out().includes(' kvs tx < kvs.commit ');
    },
    { what: 'a traced kvs.commit' },
  );
  assert.match(t.out(), new RegExp(`^${STAMP} kvs rx > kvs\\.commit \\[\\d+\\]\\n`, 'm'));
  assert.match(t.out(), new RegExp(`^${STAMP} kvs tx < kvs\\.commit \\[\\d+\\] success\\n`, 'm'));
  // only kvs: the job manager's traffic is not shown
  assert.not.match(t.out(), /job-manager/);
  t.proc.kill('SIGINT');
  assert.is(await t.done, 0);
  // the broker stops tracing for a client that went away
  await waitUntil(() => /broker\.debug\[0\]: module trace: 1 stream\(s\) of a client that went away stopped/.test(inst.flux(['dmesg']).stdout), {
    what: 'the trace stopped in the broker',
  });
});

test('--type=response --topic=GLOB --full: failed responses with their errno name and text', async () => {
  const t = trace(['--full', '--type=response', '--topic=kvs.get', 'kvs']);
  await waitUntil(
    () => {
      inst.flux(['kvs', 'get', 't0654.nosuch']);
      return t.out().includes('ENOENT');
    },
    { what: 'a traced failed kvs.get' },
  );
  const lines = t.out().split('\n');
  const at = lines.findIndex((l) => / kvs tx < kvs\.get \[0\] ENOENT$/.test(l));
  assert.ok(at >= 0, t.out());
  // -f: the error text on the next line; only responses to kvs.get
  assert.match(lines[at + 1]!, /t0654\.nosuch|No such file or directory/);
  assert.not.match(t.out(), / > | kvs\.commit /);
  t.proc.kill('SIGTERM');
  assert.is(await t.done, 0);
});

test('--human (--delta) timestamps; bad options are one line', async () => {
  const t = trace(['--human', '--delta', '-t', 'request', 'kvs']);
  await waitUntil(
    () => {
      inst.flux(['kvs', 'get', 't0654.n']);
      return t.out().includes(' kvs rx > kvs.get ');
    },
    { what: 'a traced kvs.get' },
  );
  assert.match(t.out(), /^\[(\w{3}\d\d \d\d:\d\d|\s*\+\d+\.\d{6})\] kvs rx > kvs\.get \[\d+\]$/m);
  t.proc.kill('SIGINT');
  assert.is(await t.done, 0);
  for (const [args, line] of [
    [['--delta', 'kvs'], 'flux-module: --delta can only be used with --human\n'],
    [['-t', 'bogus'], 'flux-module: valid types: request, response, event, control\n'],
    [['--color=sometimes'], "flux-module: Invalid argument to --color: 'sometimes'\n"],
  ] as const) {
    const r = inst.flux(['module', 'trace', ...args]);
    assert.equal([r.code, r.stderr], [1, line]);
  }
});

test('flux overlay trace: the messages on the links to a peer rank', async () => {
  const two = await startInstance(['--test-size=2']);
  try {
    const t = trace(['--rank=1', '--type=request,response', 'broker.*'], ['overlay', 'trace'], two);
    await waitUntil(
      () => {
        two.flux(['ping', '--count=1', '1']);
        return t.out().includes(' 1 tx > broker.ping ') && t.out().includes(' 1 rx < broker.ping ');
      },
      { what: 'a traced broker.ping to rank 1' },
    );
    assert.match(t.out(), new RegExp(`^${STAMP} 1 tx > broker\\.ping \\[\\d+\\]\\n`, 'm'));
    assert.match(t.out(), new RegExp(`^${STAMP} 1 rx < broker\\.ping \\[\\d+\\] success\\n`, 'm'));
    // only the topic glob's: rexec's traffic of flux ping is none, events are filtered out
    assert.not.match(t.out(), / e | rexec\./);
    t.proc.kill('SIGINT');
    assert.is(await t.done, 0);
    await waitUntil(() => /broker\.debug\[0\]: overlay trace: 1 stream\(s\) of a client that went away stopped/.test(two.flux(['dmesg']).stdout), {
      what: 'the overlay trace stopped in the broker',
    });
    const bad = two.flux(['overlay', 'trace', '--rank=x']);
    assert.equal([bad.code, bad.stderr], [1, 'flux-overlay: invalid rank: x\n']);
  } finally {
    await two.stop();
  }
});

test.run();
