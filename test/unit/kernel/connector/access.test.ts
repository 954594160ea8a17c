/**
 * Who the local connector lets in, and as what (kernel/connector/access.ts,
 * flux-config-access(5)): decided from the uid the kernel reports only.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { accessPolicy, checkEnforceable, credentialsFor, mayReceiveEvent } from '../../../../kernel/connector/access';
import { MsgFlag, Role } from '../../../../kernel/message/message';

const OWNER = 1000;
const closed = accessPolicy({}, OWNER);
const guests = accessPolicy({ access: { 'allow-guest-user': true } }, OWNER);
const rootToo = accessPolicy({ access: { 'allow-guest-user': true, 'allow-root-owner': true } }, OWNER);

test('the owner gets the owner role, whatever the policy', () => {
  for (const p of [closed, guests, rootToo]) assert.equal(credentialsFor(p, OWNER), { userid: OWNER, rolemask: Role.Owner | Role.Local });
});

test('without allow-guest-user anyone else is refused, root included', () => {
  assert.is(credentialsFor(closed, 1001), undefined);
  assert.is(credentialsFor(closed, 0), undefined);
});

test('with allow-guest-user others get the user role and their own uid', () => {
  assert.equal(credentialsFor(guests, 1001), { userid: 1001, rolemask: Role.User | Role.Local });
  assert.equal(credentialsFor(guests, 0), { userid: 0, rolemask: Role.User | Role.Local });
});

test('allow-root-owner makes root an owner', () => {
  assert.equal(credentialsFor(rootToo, 0), { userid: 0, rolemask: Role.Owner | Role.Local });
  assert.equal(credentialsFor(accessPolicy({ access: { 'allow-root-owner': true } }, OWNER), 0)?.rolemask, Role.Owner | Role.Local);
});

test('an unknown uid (no addon) is the owner only while no guest can reach the socket', () => {
  assert.equal(credentialsFor(closed, undefined), { userid: OWNER, rolemask: Role.Owner | Role.Local });
  assert.is(credentialsFor(guests, undefined), undefined);
});

test('either key set without a way to read credentials is refused in one line naming it', () => {
  assert.throws(() => checkEnforceable(guests, false), /^access\.allow-guest-user: needs the flux-ts addon/);
  assert.throws(() => checkEnforceable(accessPolicy({ access: { 'allow-root-owner': true } }), false), /^access\.allow-root-owner: /);
  checkEnforceable(guests, true);
  checkEnforceable(closed, false);
});

test('a private event reaches the owner role and its publisher only (Flux`s rule)', () => {
  const owner = credentialsFor(guests, OWNER)!;
  const root = credentialsFor(rootToo, 0)!;
  const alice = credentialsFor(guests, 1001)!;
  const bob = credentialsFor(guests, 1002)!;
  const pub = (userid: number, flags = 0) => ({ flags, userid });
  const priv = (userid: number) => pub(userid, MsgFlag.Private);
  // public: everyone
  for (const c of [owner, root, alice, bob]) assert.ok(mayReceiveEvent(c, pub(OWNER)));
  // the owner's private event: the owner role only
  assert.ok(mayReceiveEvent(owner, priv(OWNER)));
  assert.ok(mayReceiveEvent(root, priv(OWNER)));
  assert.not.ok(mayReceiveEvent(alice, priv(OWNER)));
  // a user's private event: that user and the owner role, not another user
  assert.ok(mayReceiveEvent(alice, priv(1001)));
  assert.ok(mayReceiveEvent(owner, priv(1001)));
  assert.not.ok(mayReceiveEvent(bob, priv(1001)));
  // the other flags do not hide an event
  assert.ok(mayReceiveEvent(bob, pub(OWNER, MsgFlag.Topic | MsgFlag.Payload)));
});

test.run();
