/**
 * Events with an effect heed only the owner (lib/owner-event.ts): a guest's
 * event is dropped with a debug line; the owner's reaches the handler. Each
 * module handler with an effect is checked: rexec's client-gone for real, and
 * every event handler under modules/ (job-exec job-exception and
 * job-purge-inactive, sched resource.update, resource overlay.online and
 * overlay.torpid, rexec client-gone) is wrapped in ownerEvent.
 */
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fromOwner, ownerEvent } from '../../../lib/owner-event';
import { Role, event as makeEvent, type Message } from '../../../kernel/message/message';
import type { Handle } from '../../../kernel/api';
import { Rexec } from '../../../modules/rexec/rexec';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

function ev(topic: string, rolemask: number, userid: number): Message {
  return { ...makeEvent(topic, {}), rolemask, userid };
}

test('fromOwner: the owner role, alone or with others', () => {
  assert.ok(fromOwner({ rolemask: Role.Owner }));
  assert.ok(fromOwner({ rolemask: Role.Owner | Role.Local }));
  assert.not.ok(fromOwner({ rolemask: Role.User }));
  assert.not.ok(fromOwner({ rolemask: Role.None }));
});

test('ownerEvent: the owner`s event reaches the handler; a guest`s is logged at debug and dropped', () => {
  const logs: string[] = [];
  const seen: unknown[] = [];
  const fn = ownerEvent({ log: (level, text) => logs.push(`${level}: ${text}`) }, (_m: Message, p: unknown) => seen.push(p));
  fn(ev('job-exception', Role.Owner, 1000), 'mine');
  fn(ev('job-exception', Role.User, 1002), 'guest');
  assert.equal(seen, ['mine']);
  assert.equal(logs, ['debug: job-exception: ignored: published by userid 1002, not the instance owner']);
  // a getter of the handle (a handler table made before the handle is set)
  const late = ownerEvent(() => ({ log: (level: string, text: string) => logs.push(`${level}: ${text}`) }), () => seen.push('late'));
  late(ev('x', Role.User, 7), undefined);
  assert.is(logs.length, 2);
});

test('rexec: a guest`s rexec.client-gone kills nothing; the owner`s does', () => {
  const logs: string[] = [];
  const h = { rank: 0, size: 1, log: (level: string, text: string) => logs.push(`${level}: ${text}`) } as unknown as Handle;
  const rexec = new Rexec(h);
  const killed: string[] = [];
  // observe the effect: the sender whose processes would be killed
  (rexec as unknown as { killSender: (s: string) => void }).killSender = (s) => killed.push(s);
  const handler = rexec.handlers.find((x) => x.kind === 'event' && x.topic === 'rexec.client-gone');
  assert.ok(handler && handler.kind === 'event');
  handler.fn(ev('rexec.client-gone', Role.User, 1002), { sender: 'victim' });
  assert.equal(killed, []);
  assert.match(logs.join('\n'), 'rexec.client-gone: ignored: published by userid 1002');
  handler.fn(ev('rexec.client-gone', Role.Owner, 0), { sender: 'gone' });
  assert.equal(killed, ['gone']);
});

test('every event handler of a module is wrapped in ownerEvent', () => {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        for (const line of fs.readFileSync(p, 'utf8').split('\n')) {
          if (/\bevent\('[^']+',|\.subscribe\('[^']+',/.test(line)) found.push(`${path.relative(ROOT, p)}: ${line.trim()}`);
        }
      }
    }
  };
  walk(path.join(ROOT, 'modules'));
  const topics = found.map((l) => /'([^']+)'/.exec(l.split(': ').slice(1).join(': '))![1]).sort();
  assert.equal(topics, ['job-exception', 'job-purge-inactive', 'kvs.stats-clear', 'overlay.online', 'overlay.torpid', 'resource.update', 'rexec.client-gone']);
  for (const l of found) assert.ok(l.includes('ownerEvent('), `not checked for the owner role: ${l}`);
});

test.run();
