/**
 * KVS namespaces (modules/kvs/namespaces.ts): who may use which (Flux's
 * kvsroot_check_user: the instance owner everything; a guest only a
 * namespace it owns, and in the primary one only reads, which guest-read.ts
 * narrows to its own jobs' keys), ENOTSUP for one that does not exist,
 * EEXIST for a name taken, removal ending watches and waits, the list sorted.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Errno, FluxError, MsgFlag, Role, type Handle, type Message } from '../../../kernel/api';
import { Namespaces, checkName } from '../../../modules/kvs/namespaces';

const OWNER_UID = 500;
const answers: Array<{ matchtag: number; errnum?: number; errstr?: string; payload?: unknown }> = [];
const h = {
  respond: (m: Message, payload: unknown) => answers.push({ matchtag: m.matchtag, payload }),
  respondError: (m: Message, errnum: number, errstr?: string) => answers.push({ matchtag: m.matchtag, errnum, errstr }),
} as unknown as Handle;

let tag = 0;
function msg(userid: number, rolemask: number): Message {
  return { type: 1, flags: MsgFlag.Streaming, topic: 'kvs.get', nodeid: 0, matchtag: ++tag, route: [`client-${userid}`], userid, rolemask, errnum: 0, payload: {} } as Message;
}
const owner = msg(OWNER_UID, Role.Owner | Role.Local);
const alice = msg(1001, Role.User | Role.Local);
const bob = msg(1002, Role.User | Role.Local);

function errnoOf(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof FluxError ? e.errno : -1;
  }
  return undefined;
}

test('the owner may use every namespace; a guest only its own, and only read the primary one', () => {
  const ns = new Namespaces(h, OWNER_UID);
  ns.create('alice-ns', 1001, undefined);
  ns.create('owned', undefined, undefined);
  assert.is(ns.of(undefined, owner, 'kvs.put', 'use'), ns.primary);
  assert.is(ns.of('primary', owner, 'kvs.put', 'use'), ns.primary);
  assert.is(ns.of('alice-ns', owner, 'kvs.put', 'use').name, 'alice-ns');
  assert.is(ns.of('alice-ns', alice, 'kvs.put', 'use').owner, 1001);
  assert.is(ns.of(null, alice, 'kvs.get', 'read'), ns.primary, 'a guest read of the primary namespace goes on to guest-read.ts');
  assert.is(errnoOf(() => ns.of(null, alice, 'kvs.put', 'use')), Errno.EPERM);
  assert.is(errnoOf(() => ns.of('alice-ns', bob, 'kvs.get', 'read')), Errno.EPERM);
  assert.is(errnoOf(() => ns.of('owned', alice, 'kvs.get', 'read')), Errno.EPERM, 'made without -o: the instance owner`s');
  // a guest's own uid without the user role (no such message, but the check asks for both, as Flux's)
  assert.is(errnoOf(() => ns.of('alice-ns', msg(1001, Role.Local), 'kvs.get', 'read')), Errno.EPERM);
  assert.is(errnoOf(() => ns.of('nosuch', owner, 'kvs.get', 'read')), Errno.EOPNOTSUPP);
  assert.is(errnoOf(() => ns.of('nosuch', alice, 'kvs.get', 'read')), Errno.EOPNOTSUPP, 'ENOTSUP before EPERM, as Flux');
  try {
    ns.of(null, alice, 'kvs.put', 'use');
  } catch (e) {
    assert.is((e as Error).message, 'kvs.put: Request requires owner credentials', 'the words the module host uses');
  }
});

test('create: EEXIST for a name taken, EINVAL for a bad name or owner; the list is sorted; remove', () => {
  const ns = new Namespaces(h, OWNER_UID);
  ns.create('zeta', 7, 0);
  ns.create('alpha', undefined, undefined);
  assert.is(errnoOf(() => ns.create('zeta', undefined, undefined)), Errno.EEXIST);
  assert.is(errnoOf(() => ns.create('primary', undefined, undefined)), Errno.EEXIST);
  assert.is(errnoOf(() => ns.create('', undefined, undefined)), Errno.EINVAL);
  assert.is(errnoOf(() => ns.create('a b', undefined, undefined)), Errno.EINVAL);
  assert.is(errnoOf(() => ns.create('x'.repeat(256), undefined, undefined)), Errno.EINVAL);
  assert.is(errnoOf(() => ns.create('neg', -1, undefined)), Errno.EINVAL);
  assert.is(checkName('job-1234'), 'job-1234');
  assert.equal(ns.list(), [
    { namespace: 'alpha', owner: OWNER_UID, flags: 0 },
    { namespace: 'primary', owner: OWNER_UID, flags: 0 },
    { namespace: 'zeta', owner: 7, flags: 0 },
  ]);
  assert.is(errnoOf(() => ns.remove('primary')), Errno.EOPNOTSUPP);
  assert.is(errnoOf(() => ns.remove('PRIMARY')), Errno.EOPNOTSUPP, 'compared without case, as Flux');
  assert.is(errnoOf(() => ns.remove('nosuch')), undefined, 'removing one that does not exist is no error');
  ns.remove('zeta');
  assert.is(ns.size, 2);
  assert.is(errnoOf(() => ns.of('zeta', owner, 'kvs.get', 'read')), Errno.EOPNOTSUPP);
});

test('each namespace has its own store and version; removal ends its watches and waits with ENOTSUP', () => {
  const ns = new Namespaces(h, OWNER_UID);
  const a = ns.create('a', undefined, undefined);
  a.store.put('k', 'in-a');
  a.versions.bump();
  assert.is(ns.primary.store.has('k'), false);
  assert.is(ns.primary.versions.current, 0);
  assert.is(a.versions.current, 1);
  const w = msg(OWNER_UID, Role.Owner);
  const v = msg(OWNER_UID, Role.Owner);
  a.watchers.add({ key: 'k', msg: w, sender: 'c' });
  a.versions.wait(10, v, 'c');
  answers.length = 0;
  ns.remove('a');
  assert.equal(answers.map((x) => [x.matchtag, x.errnum]).sort(), [[w.matchtag, Errno.EOPNOTSUPP], [v.matchtag, Errno.EOPNOTSUPP]].sort());
  assert.is(a.watchers.count, 0);
  assert.is(a.versions.waiting, 0);
});

test.run();
