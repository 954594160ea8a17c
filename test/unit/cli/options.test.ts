/**
 * The option parser of the `flux` commands (cli/options): getopt rules for the
 * commands Flux writes in C, argparse rules (no abbreviations) for the ones it
 * writes in Python, and what each prints for a usage error and for --help.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HelpRequest, UsageError, parse, renderHelp, renderUsageError, type CommandSpec, type ParsedArgs } from '../../../cli/options';

const C: CommandSpec = {
  path: ['job', 'wait-event'],
  grammar: 'getopt',
  prog: 'flux-job wait-event',
  summary: 'Wait for an event',
  docLine: true,
  usage: '[OPTIONS] id event',
  options: [
    { name: 'format', short: 'f', arg: 'FORMAT', description: 'Specify output format: text, json' },
    { name: 'timeout', short: 't', arg: 'DURATION', description: 'timeout after DURATION' },
    { name: 'quiet', short: 'q', description: 'Do not output matched event' },
    { name: 'verbose', short: 'v', description: 'Output all events before matched event' },
    { name: 'verbosity', arg: 'N', description: 'a second --verb... option, for ambiguous prefixes' },
  ],
  operands: [
    { name: 'id', nargs: '1' },
    { name: 'event', nargs: '1' },
  ],
};

const PY: CommandSpec = {
  path: ['jobs'],
  grammar: 'argparse',
  prog: 'flux-jobs',
  summary: 'List jobs submitted to Flux',
  options: [
    { name: 'all', short: 'a', description: 'List jobs in all states' },
    { name: 'no-header', short: 'n', description: 'Suppress printing of header line' },
    { name: 'format', short: 'o', arg: 'FORMAT', description: 'Specify output format' },
    { name: 'count', short: 'c', arg: 'N', description: 'Limit output to N jobs' },
    { name: 'remote', description: 'one of two' },
    { name: 'local', description: 'the other' },
  ],
  operands: [{ name: 'JOBID', nargs: '*' }],
  exclusive: [['remote', 'local']],
};

/** argparse stopping at the command, as flux run does */
const RUN: CommandSpec = {
  path: ['run'],
  grammar: 'argparse',
  prog: 'flux run',
  summary: 'Run a job interactively',
  usage: 'flux run [OPTIONS...] COMMAND [ARGS...]',
  options: [
    { name: 'ntasks', short: 'n', arg: 'N', description: 'Number of tasks to start' },
    { name: 'label-io', short: 'l', description: 'Add rank labels' },
    { name: 'output', arg: 'FILENAME', description: 'Redirect job stdout' },
  ],
  operands: [{ name: 'COMMAND', nargs: '...' }],
  posix: true,
};

/** options as name=value pairs ('' for a flag), and the operands */
function shape(p: ParsedArgs): { opts: string[]; operands: string[] } {
  const opts: string[] = [];
  for (const [name, occ] of p.opts) for (const o of occ) opts.push(`${name}=${o.value}`);
  return { opts, operands: p.operands };
}

function usageError(spec: CommandSpec, argv: string[]): string {
  try {
    parse(spec, argv);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

test('getopt: bundled short options with attached and detached arguments', () => {
  const want = { opts: ['verbose=', 'timeout=5'], operands: ['ƒ1', 'clean'] };
  assert.equal(shape(parse(C, ['-vt', '5', 'ƒ1', 'clean'])), want);
  assert.equal(shape(parse(C, ['-vt5', 'ƒ1', 'clean'])), want);
  assert.equal(shape(parse(C, ['-v', '-t5', 'ƒ1', 'clean'])), want);
  assert.equal(shape(parse(C, ['-v', '--timeout=5', 'ƒ1', 'clean'])), want);
  assert.equal(shape(parse(C, ['-v', '--timeout', '5', 'ƒ1', 'clean'])), want);
  // a detached argument is taken whatever it looks like
  assert.equal(shape(parse(C, ['-t', '-v', 'ƒ1', 'clean'])).opts, ['timeout=-v']);
  assert.equal(shape(parse(C, ['-qvf', 'json', 'ƒ1', 'clean'])).opts, ['quiet=', 'verbose=', 'format=json']);
});

test('getopt: unique prefixes of long options, as getopt_long accepts them', () => {
  assert.equal(shape(parse(C, ['--time', '5', '--q', 'ƒ1', 'clean'])).opts, ['timeout=5', 'quiet=']);
  // liboptparse's own message for an ambiguous prefix (getopt's is turned off)
  assert.is(usageError(C, ['--verb', 'ƒ1', 'clean']), "unrecognized option '--verb'");
  // an exact name wins over a longer one it is a prefix of
  assert.equal(shape(parse(C, ['--verbose', 'ƒ1', 'clean'])).opts, ['verbose=']);
});

test('getopt: options end at the first operand and at --', () => {
  assert.equal(shape(parse(C, ['ƒ1', '-v'])), { opts: [], operands: ['ƒ1', '-v'] });
  assert.equal(shape(parse(C, ['-v', '--', '-x', 'clean'])), { opts: ['verbose='], operands: ['-x', 'clean'] });
  assert.equal(shape(parse(C, ['-', 'clean'])).operands, ['-', 'clean']);
});

test('getopt: usage errors in getopt_long words, exit 1', () => {
  assert.is(usageError(C, ['-z', 'ƒ1', 'clean']), "unrecognized option '-z'");
  assert.is(usageError(C, ['-vz', 'ƒ1', 'clean']), "unrecognized option '-z'");
  assert.is(usageError(C, ['--bogus', 'ƒ1', 'clean']), "unrecognized option '--bogus'");
  assert.is(usageError(C, ['ƒ1', 'clean', '-t']), 'wrong operand count');
  // a missing argument names the word as typed (flux-top -q in the reference)
  assert.is(usageError(C, ['-t']), "'-t' missing argument");
  assert.is(usageError(C, ['-vt']), "'-vt' missing argument");
  assert.is(usageError(C, ['--timeout']), "'--timeout' missing argument");
  assert.is(usageError(C, ['--time']), "'--time' missing argument");
  assert.equal(renderUsageError(C, new UsageError("'-t' missing argument", false, true)), {
    text: "flux-job wait-event: '-t' missing argument\n",
    stream: 'stderr',
    code: 1,
  });
  // getopt names a long option given an argument it does not take by its short letter
  assert.is(usageError(C, ['--quiet=1', 'ƒ1', 'clean']), "unrecognized option '-q'");
  assert.is(usageError(C, ['--help=1']), "unrecognized option '-h'");
  assert.is(usageError(C, ['--verbosity']), "'--verbosity' missing argument");
  assert.is(usageError(C, ['--bogus=1', 'ƒ1', 'clean']), "unrecognized option '--bogus=1'");
  const r = renderUsageError(C, new UsageError("unrecognized option '-z'"));
  assert.equal(r, {
    text: "flux-job wait-event: unrecognized option '-z'\nTry `flux-job wait-event --help' for more information.\n",
    stream: 'stderr',
    code: 1,
  });
  // a wrong operand count prints the usage (optparse_print_usage), exit 1
  const u = renderUsageError(C, new UsageError('wrong operand count', true));
  assert.is(u.code, 1);
  assert.ok(u.text.startsWith('Usage: flux-job wait-event [OPTIONS] id event\nWait for an event\n  -h, --help             Display this message.\n'), u.text);
});

test('getopt: -h and --help, also bundled, before any error', () => {
  assert.throws(() => parse(C, ['-h']), (e: unknown) => e instanceof HelpRequest);
  assert.throws(() => parse(C, ['-vh']), (e: unknown) => e instanceof HelpRequest);
  assert.throws(() => parse(C, ['--he']), (e: unknown) => e instanceof HelpRequest);
  // after the options it is an operand
  assert.equal(parse(C, ['ƒ1', '--help']).operands, ['ƒ1', '--help']);
});

test('getopt: --help lists every option in liboptparse layout, on stderr', () => {
  const r = renderHelp(C);
  assert.is(r.stream, 'stderr');
  assert.is(r.code, 0);
  assert.is(
    r.text,
    [
      'Usage: flux-job wait-event [OPTIONS] id event',
      'Wait for an event',
      '  -h, --help             Display this message.',
      '  -f, --format=FORMAT    Specify output format: text, json',
      '  -t, --timeout=DURATION timeout after DURATION',
      '  -q, --quiet            Do not output matched event',
      '  -v, --verbose          Output all events before matched event',
      '      --verbosity=N      a second --verb... option, for ambiguous prefixes',
      '',
    ].join('\n'),
  );
});

test('argparse: abbreviated long options are refused (allow_abbrev=False), exit 2', () => {
  // argparse: the unknown word is left over, `x` is a JOBID
  assert.is(usageError(PY, ['--form', 'x']), 'unrecognized arguments: --form');
  assert.is(usageError(PY, ['--form=x']), 'unrecognized arguments: --form=x');
  assert.is(usageError(RUN, ['--out=f', 'hostname']), 'unrecognized arguments: --out=f');
  const r = renderUsageError(PY, new UsageError('unrecognized arguments: --form'));
  assert.is(r.code, 2);
  assert.is(r.stream, 'stderr');
  assert.match(r.text, /^usage: flux-jobs \[-h\] \[-a\] \[-n\] \[-o FORMAT\] \[-c N\] \[--remote \| --local\]\n {17}\[JOBID \.\.\.\]\nflux-jobs: error: unrecognized arguments: --form\n$/);
});

test('argparse: --opt=V, --opt V, -oV, -o V, bundled flags, options anywhere', () => {
  const want = ['format={id}'];
  assert.equal(shape(parse(PY, ['--format={id}'])).opts, want);
  assert.equal(shape(parse(PY, ['--format', '{id}'])).opts, want);
  assert.equal(shape(parse(PY, ['-o{id}'])).opts, want);
  assert.equal(shape(parse(PY, ['-o', '{id}'])).opts, want);
  assert.equal(shape(parse(PY, ['-an'])).opts, ['all=', 'no-header=']);
  assert.equal(shape(parse(PY, ['-anc5'])).opts, ['all=', 'no-header=', 'count=5']);
  assert.equal(shape(parse(PY, ['-anc', '5'])).opts, ['all=', 'no-header=', 'count=5']);
  assert.equal(shape(parse(PY, ['ƒ1', 'ƒ2', '-a'])), { opts: ['all='], operands: ['ƒ1', 'ƒ2'] });
  // as argparse's parse_args: a `*` operand is filled by the first run of operands
  assert.is(usageError(PY, ['ƒ1', '-a', 'ƒ2']), 'unrecognized arguments: ƒ2');
});

test('argparse: -- ends the options; a missing argument; exclusive options', () => {
  assert.equal(shape(parse(PY, ['-a', '--', '-n'])), { opts: ['all='], operands: ['-n'] });
  assert.is(usageError(PY, ['-c']), 'argument -c/--count: expected one argument');
  assert.is(usageError(PY, ['--count', '-a']), 'argument -c/--count: expected one argument');
  assert.is(usageError(PY, ['-ax']), "argument -a/--all: ignored explicit argument 'x'");
  assert.is(usageError(PY, ['--all=1']), "argument -a/--all: ignored explicit argument '1'");
  assert.is(usageError(PY, ['--local', '--remote']), 'argument --remote: not allowed with argument --local');
});

test('argparse with a command: options end at the command, -- before it is dropped', () => {
  assert.equal(shape(parse(RUN, ['-n2', '-l', 'hostname', '-n', '3'])), { opts: ['ntasks=2', 'label-io='], operands: ['hostname', '-n', '3'] });
  assert.equal(shape(parse(RUN, ['-n', '2', '--', '-x'])), { opts: ['ntasks=2'], operands: ['-x'] });
  assert.equal(shape(parse(RUN, ['--output=o', 'echo', '--output=p'])), { opts: ['output=o'], operands: ['echo', '--output=p'] });
  assert.is(usageError(RUN, ['--bogus', 'hostname']), 'unrecognized arguments: --bogus');
});

test('argparse: -h/--help anywhere in the options prints the help on stdout', () => {
  assert.throws(() => parse(PY, ['ƒ1', '--help']), (e: unknown) => e instanceof HelpRequest);
  assert.throws(() => parse(PY, ['-ah']), (e: unknown) => e instanceof HelpRequest);
  // --he is an abbreviation: refused
  assert.is(usageError(PY, ['--he']), 'unrecognized arguments: --he');
  const r = renderHelp(RUN);
  assert.is(r.stream, 'stdout');
  assert.is(
    r.text,
    [
      'usage: flux run [OPTIONS...] COMMAND [ARGS...]',
      '',
      'Run a job interactively',
      '',
      'positional arguments:',
      '  COMMAND',
      '',
      'options:',
      '  -h, --help             show this help message and exit',
      '  -n, --ntasks=N         Number of tasks to start',
      '  -l, --label-io         Add rank labels',
      '      --output=FILENAME  Redirect job stdout',
      '',
    ].join('\n'),
  );
});

test.run();
