/** RFC 36 submission directives as flux batch reads them from a script. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DirectiveError, parseDirectiveLines, parseDirectives } from '../../../cli/jobspec/directives';

const script = (...lines: string[]): string => lines.join('\n') + '\n';

/** The error thrown for `text`, checked to be a DirectiveError with exit code 1. */
function errorOf(text: string, name = 'job.sh'): DirectiveError {
  try {
    parseDirectives(text, name);
  } catch (e) {
    assert.instance(e, DirectiveError);
    const err = e as DirectiveError;
    assert.is(err.exitCode, 1);
    return err;
  }
  assert.unreachable('expected a DirectiveError');
  throw new Error('unreachable');
}

/** The first line of the error message for `text`. */
const firstLine = (text: string, name?: string): string => errorOf(text, name).message.split('\n')[0];

test('DirectiveError: message and exit code', () => {
  const e = new DirectiveError('boom');
  assert.instance(e, Error);
  assert.is(e.message, 'boom');
  assert.is(e.exitCode, 1);
  assert.is(new DirectiveError('bad option', 2).exitCode, 2);
});

test('the spec example: comments dropped, shebang and command ignored', () => {
  const text = script(
    '#!/bin/sh',
    '#FLUX: -N4 -n16          # request 4 nodes',
    '#FLUX: --job-name=app001',
    'flux run -n16 hostname',
  );
  assert.equal(parseDirectives(text, 'app.sh'), ['-N4', '-n16', '--job-name=app001']);
  assert.equal(parseDirectiveLines(text, 'app.sh'), [
    { line: 2, args: ['-N4', '-n16'] },
    { line: 3, args: ['--job-name=app001'] },
  ]);
});

test('no directives, empty text, no trailing newline', () => {
  assert.equal(parseDirectives('', 'x'), []);
  assert.equal(parseDirectives(script('#!/bin/sh', 'hostname'), 'x'), []);
  assert.equal(parseDirectives('#!/bin/sh\n#FLUX: -N2', 'x'), ['-N2']);
});

test('both tags and other prefixes set the sentinel', () => {
  assert.equal(parseDirectives(script('#!/bin/sh', '# flux: -N4 --exclusive', '# flux: -t 5m', 'date'), 's'), [
    '-N4',
    '--exclusive',
    '-t',
    '5m',
  ]);
  assert.equal(parseDirectives(script('#!/usr/bin/env python3', '#flux: -n1', 'print(1)'), 's'), ['-n1']);
  assert.equal(parseDirectives(script('#!/usr/bin/lua', '-- flux: -N2', '-- flux: -q batch', 'print(1)'), 's'), [
    '-N2',
    '-q',
    'batch',
  ]);
  // a tag in any other case is not a directive
  assert.equal(parseDirectives(script('#Flux: -N4', '#FLUX: -N1'), 's'), ['-N1']);
});

test('comments: after the sentinel, inside words, and comment-only directives', () => {
  const text = script(
    '#!/bin/sh',
    '#FLUX: # -N99 commented out',
    '#FLUX:',
    '#FLUX: -N2 # nodes',
    '#FLUX: --setattr=foo=bar#baz',
    '#FLUX: --job-name="a # b"',
    'true',
  );
  assert.equal(parseDirectiveLines(text, 's'), [
    { line: 4, args: ['-N2'] },
    { line: 5, args: ['--setattr=foo=bar'] },
    { line: 6, args: ['--job-name=a # b'] },
  ]);
});

test('shell quoting and escapes', () => {
  const text = script(
    "#FLUX: --job-name='my job' --env=A=\"x y\"",
    '#FLUX: --setattr=user.note=it\\\'s',
    "#FLUX: --env='B=a\\'b' --env=\"C=a\\\"b\" --env=\"D=a\\nb\"",
    "#FLUX: --output='Test_quoted.{{id}}.out' --output=Test_unquoted.{{id}}.out --error=Test[x]",
    "#FLUX: --env=E= --env=F'' ''",
    '#FLUX: --setattr=x=a\\ b',
  );
  assert.equal(parseDirectives(text, 's'), [
    '--job-name=my job',
    '--env=A=x y',
    "--setattr=user.note=it's",
    "--env=B=a'b",
    '--env=C=a"b',
    '--env=D=a\\nb',
    '--output=Test_quoted.{{id}}.out',
    '--output=Test_unquoted.{{id}}.out',
    '--error=Test[x]',
    '--env=E=',
    '--env=F',
    '',
    '--setattr=x=a b',
  ]);
});

test('unquoted shell punctuation is a word of its own, as in flux', () => {
  assert.equal(parseDirectives(script('#FLUX: --dependency=afterok:1|x', "#FLUX: --env='P=a|b;c'"), 's'), [
    '--dependency=afterok:1',
    '|',
    'x',
    '--env=P=a|b;c',
  ]);
});

test('triple quotes on one line', () => {
  assert.equal(parseDirectives(script(`#FLUX: --setattr=user.msg="""it's "quoted" """`), 's'), [
    `--setattr=user.msg=it's "quoted" `,
  ]);
  assert.equal(parseDirectives(script(`#FLUX: --job-name='''a b''' -N1`), 's'), ['--job-name=a b', '-N1']);
});

test('multi-line triple quotes: indentation stripped, # kept, line of the opener', () => {
  const text = script(
    '#!/bin/sh',
    '# flux: -N4 --exclusive',
    '# flux: --setattr=user.conf="""',
    '# flux: [config]',
    '# flux:   item = "foo"  # not a comment',
    "# flux:   it's = 1",
    '# flux: """',
    '# flux: -n8',
    'foo',
  );
  assert.equal(parseDirectiveLines(text, 's'), [
    { line: 2, args: ['-N4', '--exclusive'] },
    { line: 3, args: ['--setattr=user.conf=[config]\n  item = "foo"  # not a comment\n  it\'s = 1\n'] },
    { line: 8, args: ['-n8'] },
  ]);
  // single triple quotes, and a line ending in the other kind of triple quote
  const single = script("#FLUX: --setattr=user.py='''", '#FLUX: x = """', "#FLUX: '''");
  assert.equal(parseDirectives(single, 's'), ['--setattr=user.py=x = """\n']);
});

test('blank lines and prefix-only lines do not end the directives', () => {
  const text = script(
    '#!/bin/sh',
    '',
    '#FLUX: -N1',
    '   ',
    '#',
    '# a comment',
    '#FLUX: -n2',
    '',
    'hostname',
    '',
    'exit 0',
  );
  assert.equal(parseDirectiveLines(text, 's'), [
    { line: 3, args: ['-N1'] },
    { line: 7, args: ['-n2'] },
  ]);
  // a prefix with trailing space matches lines carrying just its first part
  assert.equal(parseDirectives(script('# flux: -N1', '#comment', '# flux: -n2'), 's'), ['-N1', '-n2']);
});

test('lines before the first directive do not disable directives', () => {
  assert.equal(parseDirectives(script('#!/bin/sh', 'set -e', '#FLUX: -N1'), 's'), ['-N1']);
});

test('a directive after a command line is an orphan', () => {
  const text = script('#!/bin/sh', '#FLUX: -N1', '', 'hostname', '#FLUX: -n2');
  // the tag is reported as written
  assert.is(errorOf(text).message, "job.sh: line 5: orphan 'FLUX:' detected: directives disabled after line 3");
  assert.is(
    firstLine(script('# flux: -N1', 'echo hi', '', '# flux: -n2'), 'b.sh'),
    "b.sh: line 4: orphan 'flux:' detected: directives disabled after line 1",
  );
  // a directive opening a multi-line value counts too
  assert.is(
    firstLine(script('#FLUX: -N1', 'date', '#FLUX: --setattr=x="""')),
    "job.sh: line 3: orphan 'FLUX:' detected: directives disabled after line 1",
  );
});

test('sentinel change: message with a hint', () => {
  const text = script('#!/bin/sh', '#FLUX: -N1', '# flux: -n2', 'hostname');
  const err = errorOf(text);
  assert.is(err.message.split('\n')[0], "job.sh: line 3: sentinel changed from '#FLUX:' to '# flux:'");
  assert.ok(err.message.includes('#FLUX: # -n2'), err.message);
  assert.is(
    firstLine(script('#FLUX: -N1', '#flux: -n2')),
    "job.sh: line 2: sentinel changed from '#FLUX:' to '#flux:'",
  );
  // commenting out the prefix is a different sentinel too
  assert.is(
    firstLine(script('#FLUX: -N1', '##FLUX: -n2')),
    "job.sh: line 2: sentinel changed from '#FLUX:' to '##FLUX:'",
  );
});

test('unknown directive: words that are not options', () => {
  assert.is(firstLine(script('#!/bin/sh', '#FLUX: N4')), 'job.sh: line 2: Unknown directive:  N4');
  assert.is(firstLine(script('#FLUX: -N1', '#FLUX:nodes=4 # x')), 'job.sh: line 2: Unknown directive: nodes=4 # x');
  assert.is(firstLine(script('#FLUX: "" -N1')), 'job.sh: line 1: Unknown directive:  "" -N1');
});

test('shell quoting errors', () => {
  assert.is(
    firstLine(script('#!/bin/sh', '#FLUX: -N1', '#FLUX: --job-name="foo')),
    'job.sh: line 3:  --job-name="foo: No closing quotation',
  );
  assert.is(firstLine(script("#FLUX: --env='A=b")), "job.sh: line 1:  --env='A=b: No closing quotation");
  assert.is(firstLine(script('#FLUX: -N1 \\')), 'job.sh: line 1:  -N1 \\: No escaped character');
});

test('multi-line quote errors', () => {
  const unclosed = script(
    '#!/bin/sh',
    '#',
    '#FLUX: -N4 -n4',
    '#FLUX: --setattr=user.foo="""',
    '#FLUX: [table]',
    '#FLUX: value = "foo"',
    '#FLUX: ""',
    'date; hostname',
  );
  assert.is(firstLine(unclosed), 'job.sh: line 8: unterminated multi-line quote at line 4: `--setattr=user.foo="""\'');
  // still open at the end of the script
  assert.is(
    firstLine(script('#FLUX: -N1', "#FLUX: --setattr=x='''", '#FLUX: abc')),
    "job.sh: line 3: unterminated multi-line quote at line 2: `--setattr=x=''''",
  );
  // a triple quote that does not end the line and has no partner
  assert.is(
    firstLine(script('#FLUX: -N1', '#FLUX: --setattr=x="""abc')),
    'job.sh: line 2: unclosed triple quote: --setattr=x="""abc',
  );
});

test('the first error wins: orphan before anything else on its line', () => {
  assert.is(
    firstLine(script('#FLUX: -N1', 'run', '# flux: bogus "')),
    "job.sh: line 3: orphan 'flux:' detected: directives disabled after line 1",
  );
});

test.run();
