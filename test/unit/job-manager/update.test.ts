/** flux update's events: applied to a jobspec, and replayed at restart (restart.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyJobspecUpdate } from '../../../modules/job-manager/update';
import { replay } from '../../../modules/job-manager/restart';

const jobspec = {
  version: 1,
  resources: [{ type: 'slot', count: 1, label: 'task', with: [{ type: 'core', count: 1 }] }],
  tasks: [{ command: ['sleep', '30'], slot: 'task', count: { per_slot: 1 } }],
  attributes: { system: { duration: 60, job: { name: 'pend' } } },
};

test('applyJobspecUpdate sets dotted keys on a copy', () => {
  const js = applyJobspecUpdate(jobspec, { 'attributes.system.duration': 150, 'attributes.system.job.name': 'x', 'attributes.system.queue': 'batch' });
  assert.equal(js['attributes'], { system: { duration: 150, job: { name: 'x' }, queue: 'batch' } });
  assert.is(jobspec.attributes.system.duration, 60, 'the original is untouched');
});

test('replay applies jobspec-update and resource-update', () => {
  const ev = (timestamp: number, name: string, context?: object) => JSON.stringify({ timestamp, name, ...(context ? { context } : {}) });
  const eventlog = [
    ev(1, 'submit', { userid: 0, urgency: 16, flags: 0, version: 1 }),
    ev(2, 'validate'),
    ev(3, 'depend'),
    ev(4, 'priority', { priority: 16 }),
    ev(5, 'jobspec-update', { 'attributes.system.duration': 120, 'attributes.system.job.name': 'y' }),
    ev(6, 'alloc'),
    ev(7, 'start'),
    ev(8, 'jobspec-update', { 'attributes.system.duration': 0 }),
    ev(9, 'resource-update', { expiration: 0 }),
    '',
  ].join('\n');
  const R = { version: 1, execution: { R_lite: [{ rank: '0', children: { core: '0' } }], nodelist: ['n0'], starttime: 6, expiration: 126 } };
  const job = replay({ id: 1234, eventlog, jobspec, R })!;
  assert.is(job.name, 'y');
  assert.is(job.duration, 0);
  assert.is(job.expiration, 0);
  assert.is((job.R?.['execution'] as { expiration: number }).expiration, 0);
  assert.is((job.jobspec?.['attributes'] as { system: { duration: number } }).system.duration, 0);
});

test.run();
