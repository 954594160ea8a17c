/**
 * Flux's command-line grammar, command by command, as a table: every row runs
 * the real `flux` against one instance and checks the exit code and output
 * Flux gives for the same words.
 *
 * - C commands (liboptparse over getopt_long, POSIXLY_CORRECT): bundled short
 *   options with attached or detached arguments (`-vt 5`, `-t5`, `-vt5`),
 *   unique prefixes of long options accepted, options end at the first operand
 *   and at `--`; a usage error is `PROG: unrecognized option 'X'` and a `Try`
 *   line, `PROG: 'WORD' missing argument` alone, or the usage for a wrong
 *   operand count: exit 1.
 * - Python commands (argparse, allow_abbrev=False): bundled flags, `-oV`,
 *   `--opt=V` and `--opt V`, no abbreviated long options, `--`; a usage error
 *   is the usage line and `PROG: error: MESSAGE`: exit 2.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, startInstance, type Instance } from '../helpers/flux';

interface Row {
  argv: string[];
  code: number;
  /** stdout: exactly this string, or matching this expression */
  out?: string | RegExp;
  err?: string | RegExp;
}

let inst: Instance;
/** a job that has run to completion (its eventlog has `clean`) */
let id = '';

test.before(async () => {
  inst = await startInstance();
  const r = inst.flux(['submit', 'true']);
  assert.is(r.code, 0, r.stderr);
  id = r.stdout.trim();
  assert.is(inst.flux(['job', 'wait-event', '-t', '30', id, 'clean']).code, 0);
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
});

/** Run every row; report all the rows that differ at once. */
function check(rows: readonly Row[]): void {
  const bad: string[] = [];
  for (const row of rows) {
    const argv = row.argv.map((a) => (a === 'ID' ? id : a));
    const r = inst.flux(argv);
    const ok = (v: string, want: string | RegExp | undefined) => want === undefined || (typeof want === 'string' ? v === want.replace(/\bID\b/g, id) : want.test(v));
    if (r.code !== row.code || !ok(r.stdout, row.out) || !ok(r.stderr, row.err)) {
      bad.push(`flux ${argv.join(' ')}: exit ${r.code} (want ${row.code})\n  stdout: ${JSON.stringify(r.stdout)}\n  stderr: ${JSON.stringify(r.stderr)}`);
    }
  }
  assert.ok(bad.length === 0, `\n${bad.join('\n')}`);
}

const TRY = (prog: string, what: string): string => `${prog}: unrecognized option '${what}'\nTry \`${prog} --help' for more information.\n`;
/** liboptparse's line for an option given last without its argument (flux-top -q in the reference): the word as typed */
const MISSING = (prog: string, word: string): string => `${prog}: '${word}' missing argument\n`;
const CLEAN = /^\d+\.\d+ clean\n$/;

test('job wait-event: bundled short options, attached and detached arguments, prefixes, --', () => {
  check([
    { argv: ['job', 'wait-event', '-vt', '5', 'ID', 'clean'], code: 0, out: /^\d+\.\d+ submit .*\n(.*\n)*\d+\.\d+ clean\n$/ },
    { argv: ['job', 'wait-event', '-vt5', 'ID', 'clean'], code: 0, out: /\n\d+\.\d+ clean\n$/ },
    { argv: ['job', 'wait-event', '-t5', 'ID', 'clean'], code: 0, out: CLEAN },
    { argv: ['job', 'wait-event', '-t', '5', 'ID', 'clean'], code: 0, out: CLEAN },
    { argv: ['job', 'wait-event', '-qt', '5', 'ID', 'clean'], code: 0, out: '' },
    { argv: ['job', 'wait-event', '--timeout=5', 'ID', 'clean'], code: 0, out: CLEAN },
    { argv: ['job', 'wait-event', '--timeout', '5', 'ID', 'clean'], code: 0, out: CLEAN },
    { argv: ['job', 'wait-event', '--timeo=5', '--qu', 'ID', 'clean'], code: 0, out: '' },
    { argv: ['job', 'wait-event', '-t', '5', '--', 'ID', 'clean'], code: 0, out: CLEAN },
    { argv: ['job', 'wait-event', '-fjson', 'ID', 'clean'], code: 0, out: /^\{"timestamp":[\d.]+,"name":"clean"/ },
    // errors: getopt's, in liboptparse's words, exit 1
    { argv: ['job', 'wait-event', '-t'], code: 1, err: MISSING('flux-job wait-event', '-t') },
    { argv: ['job', 'wait-event', '-vt'], code: 1, err: MISSING('flux-job wait-event', '-vt') },
    { argv: ['job', 'wait-event', '--timeout'], code: 1, err: MISSING('flux-job wait-event', '--timeout') },
    { argv: ['job', 'wait-event', '-vz', 'ID', 'clean'], code: 1, err: TRY('flux-job wait-event', '-z') },
    { argv: ['job', 'wait-event', '--bogus', 'ID', 'clean'], code: 1, err: TRY('flux-job wait-event', '--bogus') },
    { argv: ['job', 'wait-event', '--quiet=1', 'ID', 'clean'], code: 1, err: TRY('flux-job wait-event', '-q') },
    // options end at the first operand: `-t 5` is two more operands
    { argv: ['job', 'wait-event', 'ID', 'clean', '-t', '5'], code: 1, err: /^Usage: flux-job wait-event \[OPTIONS\] id event\nWait for an event\n/ },
    { argv: ['job', 'wait-event', '--help'], code: 0, out: '', err: /^Usage: flux-job wait-event \[OPTIONS\] id event\n(.*\n)*  -t, --timeout=DURATION +timeout after DURATION\n/ },
    { argv: ['job', 'wait-event', '-vh'], code: 0, err: /^Usage: flux-job wait-event / },
  ]);
});

test('the other job sub-commands', () => {
  check([
    { argv: ['job', 'id', '-tdec', '--', 'ID'], code: 0, out: /^\d+\n$/ },
    { argv: ['job', 'id', '--to', 'hex', 'ID'], code: 0, out: /^0x[0-9a-f]+\n$/ },
    { argv: ['job', 'id', '--t=kvs', 'ID'], code: 0, out: /^job\.[0-9a-f]{4}\./ },
    { argv: ['job', 'eventlog', '-Hp', 'eventlog', 'ID'], code: 0, out: /submit/ },
    { argv: ['job', 'eventlog', '-peventlog', '-fjson', 'ID'], code: 0, out: /^\{"timestamp"/ },
    { argv: ['job', 'status', '-vj', 'ID'], code: 0, out: /"waitstatus":0/ },
    { argv: ['job', 'info', '-o', 'ID', 'jobspec'], code: 0, out: /^\{"resources"/ },
    { argv: ['job', 'kill', '-s'], code: 1, err: MISSING('flux-job kill', '-s') },
    { argv: ['job', 'purge', '--age=1', '--bogus'], code: 1, err: TRY('flux-job purge', '--bogus') },
    // flux-job's usage(): the same text for a missing and an unknown sub-command
    { argv: ['job'], code: 1, err: /^Usage: flux-job \[OPTIONS\] COMMAND ARGS\n {2}-h, --help +Display this message\.\n\nCommon commands from flux-job:\n(.*\n)* {3}submit +Run job\n/ },
    { argv: ['job', 'bogus'], code: 1, err: /^Usage: flux-job \[OPTIONS\] COMMAND ARGS\n/ },
  ]);
});

test('the broker-level C commands: getattr, setattr, lsattr, module, ping, dmesg, exec, logger, overlay', () => {
  check([
    { argv: ['getattr', '--', 'size'], code: 0, out: '1\n' },
    { argv: ['getattr', '--bogus', 'size'], code: 1, err: TRY('flux getattr', '--bogus') },
    { argv: ['getattr'], code: 1, err: /^Usage: flux getattr name\nGet broker attribute\n {2}-h, --help +Display this message\.\n$/ },
    { argv: ['setattr', '--', 'log-stderr-level', '1'], code: 0, out: '' },
    { argv: ['setattr', 'log-stderr-level'], code: 1, err: /^Usage: flux setattr name value\n/ },
    { argv: ['lsattr', '-v', '--'], code: 0, out: /^size +1$/m },
    { argv: ['lsattr', '--val'], code: 0, out: /^rank +0$/m },
    { argv: ['lsattr', '--bogus'], code: 1, err: TRY('flux lsattr', '--bogus') },
    { argv: ['module', 'list', '--lon'], code: 0, out: /^Module /m },
    { argv: ['module', 'remove', '-fz', 'x'], code: 1, err: TRY('flux-module remove', '-z') },
    { argv: ['ping', '-bc1', '0'], code: 0, out: /^flux-ping 0!broker\n0!broker\.ping pad=0 seq=0 /m },
    { argv: ['ping', '-bc', '1', '-p8', '0'], code: 0, out: /^0!broker\.ping pad=8 seq=0 /m },
    { argv: ['ping', '--coun=1', '--', '0'], code: 0, out: /^0!broker\.ping pad=0 seq=0 /m },
    { argv: ['ping', '-c'], code: 1, err: MISSING('flux-ping', '-c') },
    { argv: ['ping', '0', '-c', '1'], code: 1, err: /^Usage: flux-ping \[OPTIONS\] TARGET\n/ },
    { argv: ['logger', '-serr', '--', '-a dashed message'], code: 0 },
    { argv: ['logger', '--sev=err', '--app=grammar', 'prefixes work'], code: 0 },
    { argv: ['dmesg', '-H', '--del'], code: 0, out: /-a dashed message\n(.*\n)*.*grammar\.err\[0\]: prefixes work\n/ },
    { argv: ['dmesg', '-z'], code: 1, err: TRY('flux dmesg', '-z') },
    { argv: ['exec', '-nr0', 'true'], code: 0 },
    { argv: ['exec', '-lr', '0', '--', 'echo', 'hi'], code: 0, out: '0: hi\n' },
    { argv: ['exec', '--rank=0', '--label-i', 'echo', '-r'], code: 0, out: '0: -r\n' },
    { argv: ['exec', '--rank=0', '--lab', 'echo'], code: 1, err: "flux-exec: unrecognized option '--lab'\nTry `flux-exec --help' for more information.\n" },
    { argv: ['exec', '-r'], code: 1, err: MISSING('flux-exec', '-r') },
    { argv: ['overlay', 'status', '-Lnever', '--no-pr'], code: 0, out: /^0 \S+: full\n$/ },
    // an optional argument is taken only attached: `never` is an extra operand, ignored as Flux does
    { argv: ['overlay', 'status', '-L', 'never', '--no-pretty'], code: 0, out: /^0 \S+: full\n$/ },
    { argv: ['keygen', '-n'], code: 1, err: MISSING('flux-keygen', '-n') },
    { argv: ['keygen', '--bogus'], code: 1, err: TRY('flux-keygen', '--bogus') },
  ]);
});

test('flux start: getopt too', () => {
  check([
    { argv: ['start', '--bogus', 'true'], code: 1, err: TRY('flux-start', '--bogus') },
    { argv: ['start', '-s'], code: 1, err: MISSING('flux-start', '-s') },
    { argv: ['start', '--test-siz=1', 'true'], code: 0 },
    { argv: ['start', '-s1', '--', 'sh', '-c', 'exit 3'], code: 3 },
  ]);
});

const PY_ERR = (usage: RegExp, prog: string, msg: string): RegExp => new RegExp(`^usage: ${usage.source}\\n${prog}: error: ${msg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n$`);

test('submission commands: argparse, options up to the command, no abbreviations (exit 2)', () => {
  const RUN = /flux run \[OPTIONS\.\.\.\] COMMAND \[ARGS\.\.\.\]/;
  check([
    { argv: ['run', '-n1', '--', 'true'], code: 0 },
    { argv: ['run', '-ln1', 'echo', 'hi'], code: 0, out: '0: hi\n' },
    { argv: ['run', '-l', '-n', '1', 'echo', 'x', '-n', '1'], code: 0, out: '0: x -n 1\n' },
    { argv: ['run', '--ntasks=1', '--label-io', 'echo', 'x'], code: 0, out: '0: x\n' },
    { argv: ['run', '--ntask=1', 'true'], code: 2, err: PY_ERR(RUN, 'flux run', 'unrecognized arguments: --ntask=1') },
    { argv: ['run', '--label', 'true'], code: 2, err: PY_ERR(RUN, 'flux run', 'unrecognized arguments: --label') },
    { argv: ['run', '-n'], code: 2, err: PY_ERR(RUN, 'flux run', 'argument -n/--ntasks: expected one argument') },
    { argv: ['run', '-lZ'], code: 2, err: PY_ERR(RUN, 'flux run', "argument -l/--label-io: ignored explicit argument 'Z'") },
    { argv: ['submit', '--out=f', 'true'], code: 2, err: PY_ERR(/flux submit \[OPTIONS\.\.\.\] COMMAND \[ARGS\.\.\.\]/, 'flux submit', 'unrecognized arguments: --out=f') },
    { argv: ['submit', '--dry-run', '-n1', '--', 'true'], code: 0, out: /^\{"resources": / },
    { argv: ['bulksubmit', '--dry', 'echo', '{}', ':::', 'a'], code: 2, err: /^usage: flux bulksubmit .*\nflux bulksubmit: error: unrecognized arguments: --dry\n$/ },
    { argv: ['batch', '--nslot=1', '--wrap', 'true'], code: 2, err: /^usage: flux batch .*\nflux batch: error: unrecognized arguments: --nslot=1\n$/ },
    { argv: ['batch', '-n1', '--dry-run', '--wrap', 'true'], code: 0, out: /^\{"resources": / },
    { argv: ['alloc', '--nslot=1', 'true'], code: 2, err: /^usage: flux alloc .*\nflux alloc: error: unrecognized arguments: --nslot=1\n$/ },
    { argv: ['alloc', '-n1', '--dry-run', 'true'], code: 0, out: /^\{"resources": / },
  ]);
});

test('flux jobs, resource, queue, cancel, pstree, uri: argparse, no abbreviations (exit 2)', () => {
  const JOBS = /flux-jobs \[-h\] .*(\n {17}.*)*/;
  check([
    { argv: ['jobs', '-ano', '{id.f58}', 'ID'], code: 0, out: 'ID\n' },
    { argv: ['jobs', '-ano{id.f58}', '--', 'ID'], code: 0, out: 'ID\n' },
    { argv: ['jobs', '-a', '--no-header', '--format={id.f58}', 'ID'], code: 0, out: 'ID\n' },
    { argv: ['jobs', '-a', '-i', 'nosuchhost', '-no', '{id.f58}'], code: 0, out: '' },
    { argv: ['jobs', '--form', '{id}'], code: 2, err: PY_ERR(JOBS, 'flux-jobs', 'unrecognized arguments: --form') },
    { argv: ['jobs', '--no-head'], code: 2, err: PY_ERR(JOBS, 'flux-jobs', 'unrecognized arguments: --no-head') },
    { argv: ['jobs', '-o'], code: 2, err: PY_ERR(JOBS, 'flux-jobs', 'argument -o/--format: expected one argument') },
    { argv: ['resource', 'list', '-no', '{nnodes}'], code: 0, out: '1\n' },
    { argv: ['resource', 'list', '-no{ncores}'], code: 0, out: /^\d+\n$/ },
    { argv: ['resource', 'list', '--no-head'], code: 2, err: /^usage: flux-resource list .*\nflux-resource list: error: unrecognized arguments: --no-head\n$/s },
    { argv: ['resource', 'status', '--state=all'], code: 2, err: /flux-resource status: error: unrecognized arguments: --state=all\n$/ },
    { argv: ['queue', 'status', '-v'], code: 0 },
    { argv: ['queue', 'status', '--verb'], code: 2, err: /flux-queue status: error: unrecognized arguments: --verb\n$/ },
    { argv: ['cancel', '--dry', '--all'], code: 2, err: /^usage: flux cancel \[OPTIONS\] \[JOBID\.\.\.\]\nflux-cancel: error: unrecognized arguments: --dry\n$/ },
    { argv: ['cancel', '-n', '--all', '-q'], code: 0 },
    { argv: ['pstree', '--lon'], code: 2, err: /flux-pstree: error: unrecognized arguments: --lon\n$/ },
    { argv: ['pstree', '-ax'], code: 0 },
    { argv: ['uri', '--loc', 'ID'], code: 2, err: /flux-uri: error: unrecognized arguments: --loc\n$/ },
    { argv: ['jobs', '--help'], code: 0, out: /^usage: flux-jobs \[-h\] /, err: '' },
    // last: were it taken for an option, it would shut the instance down (flux-shutdown is C: optparse's words, exit 1)
    { argv: ['shutdown', '--bogus'], code: 1, err: /^flux-shutdown: unrecognized option '--bogus'\nTry `flux-shutdown --help' for more information.\n$/ },
  ]);
});

/**
 * What Flux printed for a command in ../shared/reference/flux-core-errors.md:
 * its stderr (a block `$ CMD`, `[stderr]`, the text, `[exit N, T s]`) and exit.
 */
function reference(cmd: string): { stderr: string; code: number } {
  const text = fs.readFileSync(path.join(ROOT, '..', 'shared', 'reference', 'flux-core-errors.md'), 'utf8');
  const at = text.indexOf(`\n$ ${cmd}\n[stderr]\n`);
  assert.ok(at >= 0, `no reference block for ${cmd}`);
  const body = text.slice(at + `\n$ ${cmd}\n[stderr]\n`.length);
  const m = /^([\s\S]*?)\[exit (\d+), [\d.]+ s\]\n/.exec(body);
  assert.ok(m, `reference block for ${cmd} has no exit line`);
  return { stderr: m![1]!, code: Number(m![2]) };
}

test("usage texts and exit codes are Flux's (../shared/reference)", () => {
  const bad: string[] = [];
  for (const cmd of ['flux getattr', 'flux setattr log-stderr-level', 'flux lsattr --bogus', 'flux job attach', 'flux start --bogus true', 'flux run --nosuchopt true', 'flux cancel notanid']) {
    const want = reference(cmd);
    const r = inst.flux(cmd.split(' ').slice(1));
    if (r.code !== want.code || r.stderr !== want.stderr) bad.push(`${cmd}: exit ${r.code} (Flux ${want.code})\n${r.stderr}--- Flux:\n${want.stderr}`);
  }
  assert.ok(bad.length === 0, `\n${bad.join('\n')}`);
});

test("flux jobs --help: the usage lines are Flux's, wrapped as argparse wraps them", () => {
  const text = fs.readFileSync(path.join(ROOT, '..', 'shared', 'reference', 'flux-core-outputs-2.md'), 'utf8');
  const at = text.indexOf('$ flux jobs --help\n');
  assert.ok(at >= 0);
  const usage = text.slice(at + '$ flux jobs --help\n'.length).split('\n\n')[0]!;
  const r = inst.flux(['jobs', '--help'], { env: { COLUMNS: '80' } });
  assert.is(r.code, 0);
  assert.is(r.stdout.split('\n\n')[0], usage);
});

test('flux run --help: descriptions at column 31, as Flux 0.88 lays them out (reference 6.2)', () => {
  const r = inst.flux(['run', '--help'], { env: { COLUMNS: '80' } });
  assert.is(r.code, 0);
  const named = r.stdout.split('\n').filter((l) => /^  (-\w, )?--[\w-]+(=\S+)? +\S/.test(l) || /^      --[\w-]+(=\S+)? +\S/.test(l));
  assert.ok(named.length > 20, r.stdout);
  for (const l of named) assert.is(l.search(/(?<=\S {2,})\S/), 30, l);
  assert.match(r.stdout, /^      --add-file=\[NAME=\]PATH +Add a file/m);
  // the options in Flux's order (those it has; the help option aside)
  const text = fs.readFileSync(path.join(ROOT, '..', 'shared', 'reference', 'flux-core-outputs-2.md'), 'utf8');
  const ref = text.slice(text.indexOf('$ flux run --help\n'));
  const refNames = [...ref.slice(0, ref.indexOf('Common resource options:')).matchAll(/^ {2}(?:-\w, )? *--([\w-]+)/gm)].map((m) => m[1]!);
  const ours = [...r.stdout.slice(0, r.stdout.indexOf('Common resource options:')).matchAll(/^ {2}(?:-\w, )? *--([\w-]+)/gm)].map((m) => m[1]!);
  const common = refNames.filter((n) => ours.includes(n) && n !== 'help');
  assert.ok(common.length > 20, common.join(' '));
  assert.equal(ours.filter((n) => common.includes(n)), common);
});

test.run();
