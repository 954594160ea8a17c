/**
 * The typed client API exported by the package: a script connects to the
 * instance named by FLUX_URI, reads attributes, makes RPCs, receives events and
 * gets errors as FluxError with the remote errno.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, ROOT, tmpdir } from '../helpers/flux';

test('a script uses require("flux-ts") against a live instance', () => {
  const tmp = tmpdir();
  try {
    const script = path.join(tmp.dir, 'api.js');
    fs.writeFileSync(
      script,
      `const { Client, FluxError, Errno } = require(${JSON.stringify(ROOT)});
(async () => {
  const h = await Client.connect();
  console.log('size=' + (await h.getattr('size')));
  const pong = await h.rpc('broker.ping', { seq: 7 }, { nodeid: 1 });
  console.log('ping seq=' + pong.seq + ' hops=' + pong.route.split('!').length);
  let gotN;
  const got = new Promise((resolve) => (gotN = resolve));
  // subscribe() resolves once the broker has the subscription
  await h.subscribe('test.hello', (m) => gotN(m.payload.n));
  await h.rpc('event.pub', { topic: 'test.hello', payload: { n: 42 } });
  console.log('event n=' + (await got));
  try {
    await h.getattr('no.such.attr');
  } catch (e) {
    console.log('error ' + (e instanceof FluxError) + ' ' + (e.errno === Errno.ENOENT) + ' ' + e.message);
  }
  h.close();
})().catch((e) => { console.error(e); process.exit(1); });
`,
    );
    const r = flux(['start', '--test-size=2', process.execPath, script]);
    assert.is(r.code, 0, r.stderr);
    assert.is(
      r.stdout,
      'size=2\nping seq=7 hops=3\nevent n=42\nerror true true no.such.attr: No such file or directory\n',
    );
  } finally {
    tmp.cleanup();
  }
});

test.run();
