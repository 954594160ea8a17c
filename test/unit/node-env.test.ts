/**
 * lib/node-env: NODE_EXTRA_CA_CERTS is parked for the Node processes flux-ts
 * starts and put back, unchanged, in their environment at their start.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PARKED_PREFIX, parkForNode, unparkEnv } from '../../lib/node-env';

test('parkForNode renames NODE_EXTRA_CA_CERTS in a copy; unparkEnv puts it back', () => {
  const env = { PATH: '/bin', NODE_EXTRA_CA_CERTS: '/etc/ca.pem' };
  const parked = parkForNode(env);
  assert.equal(env, { PATH: '/bin', NODE_EXTRA_CA_CERTS: '/etc/ca.pem' }, 'the original is unchanged');
  assert.equal(parked, { PATH: '/bin', [`${PARKED_PREFIX}NODE_EXTRA_CA_CERTS`]: '/etc/ca.pem' });
  unparkEnv(parked);
  assert.equal(parked, env);
});

test('an empty value is kept; an environment without the variable is left alone', () => {
  const parked = parkForNode({ NODE_EXTRA_CA_CERTS: '' });
  unparkEnv(parked);
  assert.equal(parked, { NODE_EXTRA_CA_CERTS: '' });
  const plain = { HOME: '/root' };
  assert.equal(parkForNode(plain), plain);
  unparkEnv(plain);
  assert.equal(plain, { HOME: '/root' });
});

test.run();
