/** The job shell's mustache tags: what each varies by, which are known, and how a refusal reads. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { badTagPhrase, tagScope, templateScope, unknownTag } from '../../../lib/formats/template-tags';

test('scopes: job, node ({{tmpdir}} too: each node has its own), task', () => {
  assert.is(templateScope('out.{{id}}'), 'job');
  assert.is(templateScope('out.{{node.id}}'), 'node');
  assert.is(templateScope('{{tmpdir}}/out'), 'node');
  assert.is(templateScope('{{tmpdir}}/out.{{taskid}}'), 'task');
  assert.is(tagScope('ntasks'), 'job');
});

test('job id encodings in any case, as Flux; emoji refused as not supported', () => {
  assert.is(tagScope('id.DEC'), 'job');
  assert.is(tagScope('jobid.F58plain'), 'job');
  assert.is(unknownTag('o.{{id.Hex}}'), undefined);
  assert.is(unknownTag('o.{{id.emoji}}'), '{{id.emoji}}');
  assert.is(badTagPhrase('{{id.emoji}}'), "template tag '{{id.emoji}}' (emoji job IDs) is not supported");
  assert.is(badTagPhrase('{{bogus}}'), "unknown template tag '{{bogus}}'");
});

test.run();
