/**
 * The primary namespace's version across a restart on the same statedir
 * (flux-kvs(1) version): Flux checkpoints its root sequence number and
 * continues from it; flux-ts keeps it in the backing store with the changes,
 * so it continues after a clean exit and after a SIGKILL of rank 0 too (never
 * below a version a change was answered with), and `flux kvs wait` for an
 * old version returns at once. Other namespaces are not kept: as in Flux,
 * only the primary one is checkpointed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

const started: Instance[] = [];
const tmp = tmpdir('flux-t0813-');
const statedir = path.join(tmp.dir, 'state');

async function start(): Promise<Instance> {
  const inst = await startInstance(['--test-size=1', `-Sstatedir=${statedir}`]);
  started.push(inst);
  return inst;
}
const version = (i: Instance): number => Number(i.flux(['kvs', 'version']).stdout);

test.after(() => {
  for (const i of started) i.kill();
  tmp.cleanup();
});

test('after a clean exit the version goes on from where it was; other namespaces are gone', async () => {
  const a = await start();
  assert.is(a.flux(['kvs', 'put', 'k1=one', 'k2=two']).code, 0);
  assert.is(a.flux(['kvs', 'namespace', 'create', 'scratch']).code, 0);
  assert.is(a.flux(['kvs', 'put', '-N', 'scratch', 'k=v']).code, 0);
  const v1 = version(a);
  // the put of two keys is one version (one transaction)
  assert.ok(v1 >= 2, `version ${v1}`);
  assert.is(await a.stop(), 0);

  const b = await start();
  const v2 = version(b);
  assert.ok(v2 > v1, `after the restart ${v2}, before it ${v1}`);
  assert.is(b.flux(['kvs', 'getroot', '-s']).stdout, `${v2}\n`);
  const wait = b.flux(['kvs', 'wait', String(v1)]);
  assert.equal([wait.code, wait.stderr], [0, ''], 'a version reached before the restart is reached');
  assert.is(b.flux(['kvs', 'get', 'k1', 'k2']).stdout, 'one\ntwo\n');
  assert.is(b.flux(['kvs', 'namespace', 'list']).stdout, `NAMESPACE                                 OWNER      FLAGS\n${'primary'.padEnd(36)} ${String(process.getuid?.() ?? 0).padStart(10)} 0x00000000\n`);
  const gone = b.flux(['kvs', 'get', '-N', 'scratch', 'k']);
  assert.equal([gone.code, gone.stderr], [1, 'flux-kvs: k: Operation not supported\n']);
  // a namespace made again starts at 0, the primary one goes on
  assert.is(b.flux(['kvs', 'namespace', 'create', 'scratch']).code, 0);
  assert.is(b.flux(['kvs', 'version', '-N', 'scratch']).stdout, '0\n');
  assert.is(b.flux(['kvs', 'put', '-s', 'k3=three']).stdout, `${v2 + 1}\n`);
  assert.is(await b.stop(), 0);
});

test('after a SIGKILL of rank 0 the version is not below the last one a change was answered with', async () => {
  const a = await start();
  const answered = Number(a.flux(['kvs', 'put', '-s', 'last=before-the-kill']).stdout);
  assert.ok(answered > 0, `put -s printed ${answered}`);
  const pid = Number(a.flux(['getattr', 'broker.pid']).stdout.trim());
  process.kill(pid, 'SIGKILL');
  await waitUntil(() => a.proc.exitCode !== null || a.proc.signalCode !== null, { what: 'flux start to exit' });
  a.kill();

  const b = await start();
  assert.is(b.flux(['kvs', 'get', 'last']).stdout, 'before-the-kill\n');
  const v = version(b);
  assert.ok(v > answered, `after the kill ${v}, answered before it ${answered}`);
  assert.is(await b.stop(), 0);
});

test.run();
