/** Event subscriptions by prefix (lib/rpc/events.ts), shared by LocalHandle and Client. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EventSubscriptions } from '../../../lib/rpc';

test('the first callback of a prefix subscribes, the last one removed unsubscribes', () => {
  const subs = new EventSubscriptions<{ topic: string }>();
  const a = () => undefined;
  const b = () => undefined;
  assert.ok(subs.add('job.', a));
  assert.not.ok(subs.add('job.', b));
  assert.not.ok(subs.remove('job.', a));
  assert.not.ok(subs.remove('job.', a), 'removing twice is a no-op');
  assert.ok(subs.remove('job.', b));
  assert.not.ok(subs.has('job.'));
});

test('an event reaches the callbacks of every prefix it starts with', () => {
  const subs = new EventSubscriptions<{ topic: string }>();
  const got: string[] = [];
  subs.add('job.', (m) => got.push(`job:${m.topic}`));
  subs.add('job.state', (m) => got.push(`state:${m.topic}`));
  subs.add('resource.', (m) => got.push(`res:${m.topic}`));
  subs.dispatch({ topic: 'job.state-priority' });
  subs.dispatch({ topic: 'heartbeat' });
  assert.equal(got, ['job:job.state-priority', 'state:job.state-priority']);
});

test.run();
