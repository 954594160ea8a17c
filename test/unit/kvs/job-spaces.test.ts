/** A job's namespace job-<id> (modules/kvs/job-spaces.ts, job-rewrite.ts): its name, its keys, when it exists, who may use it. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { JobSpaces, jobDirOf } from '../../../modules/kvs/job-spaces';
import { errorOutward, inward, outward } from '../../../modules/kvs/job-rewrite';
import { Store } from '../../../modules/kvs/store';
import { Errno, FluxError, Role, type Message } from '../../../kernel/api';

const P = 'job.0000.0002.2000.0000.guest';
const msg = (userid: number, rolemask: number) => ({ userid, rolemask }) as unknown as Message;

test('job-<decimal id> names job.<dothex>; other names, leading zeros and ids past 64 bits do not', () => {
  assert.is(jobDirOf('job-9126805504'), 'job.0000.0002.2000.0000');
  assert.is(jobDirOf('job-0'), 'job.0000.0000.0000.0000');
  for (const n of ['job-', 'job-01', 'job-x', 'myns', 'job-18446744073709551616', 'Job-1']) assert.is(jobDirOf(n), undefined, n);
});

test('a request`s keys go below the job`s directory and the answer`s come back', () => {
  const p: Record<string, unknown> = { key: 'a.b', namespace: 'job-9126805504' };
  inward(p, P, () => undefined);
  assert.is(p['key'], `${P}.a.b`);
  const d: Record<string, unknown> = {};
  inward(d, P, () => undefined);
  assert.is(d['key'], P);
  const c = { ops: [{ op: 'put', key: 'x', value: 1 }, { op: 'link', key: 'l', target: 'x' }, { op: 'copy', src: 's', dst: 'd' }, { op: 'copy', src: 's', dst: 'e', from: 'job-1' }] };
  inward(c, P, (ns) => (ns === 'job-1' ? 'job.0000.0000.0000.0001.guest' : undefined));
  assert.equal(c.ops, [
    { op: 'put', key: `${P}.x`, value: 1 },
    { op: 'link', key: `${P}.l`, target: `${P}.x` },
    { op: 'copy', src: `${P}.s`, dst: `${P}.d` },
    { op: 'copy', src: 'job.0000.0000.0000.0001.guest.s', dst: `${P}.e`, from: 'primary' },
  ]);
  assert.equal(outward({ keys: [`${P}.a`, `${P}.b.c`], dirs: [`${P}.e`], links: { [`${P}.l`]: `${P}.x` }, kind: 'dir' }, P), { keys: ['a', 'b.c'], dirs: ['e'], links: { l: 'x' }, kind: 'dir' });
  assert.equal(outward({ target: `${P}.x` }, P), { target: 'x' });
  const e = errorOutward(new FluxError(Errno.ENOENT, `${P}.nokey: No such file or directory`), P) as FluxError;
  assert.is(e.message, 'nokey: No such file or directory');
});

test('it exists while its exec eventlog is open; its user and the owner may use it, others EPERM; listed meanwhile', () => {
  const store = new Store();
  store.loaded();
  const js = new JobSpaces();
  const dir = 'job.0000.0002.2000.0000';
  const ns = 'job-9126805504';
  const owner = msg(0, Role.Owner);
  assert.throws(() => js.resolve(store, ns, owner, 'kvs.get'), (e: FluxError) => e.errno === Errno.EOPNOTSUPP);
  assert.is(js.resolve(store, 'myns', owner, 'kvs.get'), undefined);
  store.append(`${dir}.eventlog`, [{ timestamp: 1, name: 'submit', context: { userid: 1000 } }]);
  const { n } = store.append(`${dir}.guest.exec.eventlog`, [{ timestamp: 2, name: 'init' }]);
  js.appended(`${dir}.guest.exec.eventlog`, n);
  assert.equal(js.resolve(store, ns, owner, 'kvs.get'), { name: ns, prefix: `${dir}.guest`, owner: 1000 });
  assert.is(js.resolve(store, ns, msg(1000, Role.User), 'kvs.get')?.owner, 1000);
  assert.throws(() => js.resolve(store, ns, msg(1001, Role.User), 'kvs.put'), (e: FluxError) => e.errno === Errno.EPERM && /belongs to uid 1000/.test(e.message));
  assert.equal(js.list(store), [{ namespace: ns, owner: 1000, flags: 0 }]);
  store.close(`${dir}.guest.exec.eventlog`);
  js.closed(`${dir}.guest.exec.eventlog`);
  assert.throws(() => js.resolve(store, ns, owner, 'kvs.get'), (e: FluxError) => e.errno === Errno.EOPNOTSUPP);
  assert.equal(js.list(store), []);
});

test.run();
