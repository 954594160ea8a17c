/** PMI-1 wire parsing/formatting: the Slurm and hydra reply shapes from PMI1-TRANSCRIPTS.md. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PmiLineReader, formatPmiLine, parsePmiLine, pmiInt, pmiRc } from '../../../lib/pmi/wire';

const obj = (line: string) => Object.fromEntries(parsePmiLine(line) ?? []);

test('fields in any order, rc absent means success (hydra)', () => {
  assert.equal(obj('cmd=response_to_init pmi_version=1 pmi_subversion=1 rc=0'), { cmd: 'response_to_init', pmi_version: '1', pmi_subversion: '1', rc: '0' });
  const f = parsePmiLine('cmd=maxes kvsname_max=256 keylen_max=64 vallen_max=1024')!;
  assert.is(pmiRc(f), 0);
  assert.is(pmiInt(f, 'vallen_max'), 1024);
  assert.is(pmiRc(parsePmiLine('cmd=get_result rc=1')!), 1);
});

test('value runs to end of line; msg stops at the next key (hydra)', () => {
  assert.equal(obj('cmd=get_result rc=0 msg=success value=a b=c d'), { cmd: 'get_result', rc: '0', msg: 'success', value: 'a b=c d' });
  assert.equal(obj('cmd=get_result rc=-1 msg=key_no-such-key_not_found value=unknown'), {
    cmd: 'get_result',
    rc: '-1',
    msg: 'key_no-such-key_not_found',
    value: 'unknown',
  });
  assert.equal(obj('cmd=publish_result rc=-1 msg=command not implemented'), { cmd: 'publish_result', rc: '-1', msg: 'command not implemented' });
  assert.equal(obj('cmd=abort exitcode=7 error_msg=it broke: x=1'), { cmd: 'abort', exitcode: '7', error_msg: 'it broke: x=1' });
});

test('hydra found=TRUE quirk is stripped; extra whitespace tolerated', () => {
  assert.is(parsePmiLine('cmd=get_result rc=0 value=abc found=TRUE')!.get('value'), 'abc');
  assert.equal(obj('  cmd=put_result   rc=0  '), { cmd: 'put_result', rc: '0' });
});

test('garbage is rejected', () => {
  assert.is(parsePmiLine('hello world'), undefined);
  assert.is(parsePmiLine('rc=0'), undefined);
  assert.is(parsePmiLine(''), undefined);
});

test('format puts tuples in order and ends with a newline', () => {
  assert.is(formatPmiLine([['cmd', 'put'], ['kvsname', '-'], ['key', 'k'], ['value', 'v w']]), 'cmd=put kvsname=- key=k value=v w\n');
  assert.is(formatPmiLine([['cmd', 'x'], ['rc', undefined]]), 'cmd=x\n');
});

test('line reader splits chunks and reports over-long lines', () => {
  const got: string[] = [];
  let over = '';
  const r = new PmiLineReader((l) => got.push(l), 10, (h) => (over = h));
  r.feed('cmd=a\ncmd');
  r.feed('=b\n');
  assert.equal(got, ['cmd=a', 'cmd=b']);
  r.feed('x'.repeat(20));
  assert.ok(over.startsWith('xxx'));
});

test.run();
