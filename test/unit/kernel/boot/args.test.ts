/**
 * flux-broker's command line (kernel/boot/args.ts): options up to the first
 * word that is not one, `-S`/`--setattr`, `-c`/`--config-path`, `--conf`,
 * clustered `-v`, and errors that name the bad option.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Errno } from '../../../../lib/errno';
import { FluxError } from '../../../../lib/errors';
import { parseBrokerArgs } from '../../../../kernel/boot/args';

function thrown(fn: () => unknown): FluxError {
  try {
    fn();
  } catch (e) {
    assert.instance(e, FluxError);
    return e as FluxError;
  }
  assert.unreachable('expected a FluxError');
  throw new Error('unreachable');
}

const Args = suite('parseBrokerArgs');

Args('no arguments', () => {
  assert.equal(parseBrokerArgs([]), { setattrs: [], confOverrides: [], verbose: 0, program: [] });
});

Args('-S in every spelling', () => {
  const a = parseBrokerArgs(['-S', 'a=1', '-Sb=2', '--setattr', 'c=3', '--setattr=d=4', '-Se']);
  assert.equal(a.setattrs, [
    ['a', '1'],
    ['b', '2'],
    ['c', '3'],
    ['d', '4'],
    ['e', ''],
  ]);
});

Args('a value may contain "="', () => {
  assert.equal(parseBrokerArgs(['-Sbroker.rc1_path=a=b']).setattrs, [['broker.rc1_path', 'a=b']]);
});

Args('-c and --config-path, --conf repeated', () => {
  const a = parseBrokerArgs(['-c', '/etc/flux', '--conf', 'x=1', '--conf=y=2']);
  assert.is(a.configPath, '/etc/flux');
  assert.equal(a.confOverrides, ['x=1', 'y=2']);
  assert.is(parseBrokerArgs(['--config-path=/p']).configPath, '/p');
  assert.is(parseBrokerArgs(['-c/q']).configPath, '/q');
});

Args('verbosity counts, clustered and long', () => {
  assert.is(parseBrokerArgs(['-v']).verbose, 1);
  assert.is(parseBrokerArgs(['-vv']).verbose, 2);
  assert.is(parseBrokerArgs(['-v', '--verbose']).verbose, 2);
  assert.is(parseBrokerArgs(['--verbose=2']).verbose, 2);
  const a = parseBrokerArgs(['-vSx=1']);
  assert.is(a.verbose, 1);
  assert.equal(a.setattrs, [['x', '1']]);
});

Args('the initial program starts at the first non-option word', () => {
  const a = parseBrokerArgs(['-v', 'sh', '-c', 'echo -S x']);
  assert.equal(a.program, ['sh', '-c', 'echo -S x']);
  assert.equal(a.setattrs, []);
});

Args('"--" ends the options; a lone "-" is a program word', () => {
  assert.equal(parseBrokerArgs(['--', '-v', 'x']).program, ['-v', 'x']);
  assert.is(parseBrokerArgs(['--', '-v']).verbose, 0);
  assert.equal(parseBrokerArgs(['-']).program, ['-']);
});

Args('errors name the option', () => {
  let e = thrown(() => parseBrokerArgs(['--bogus']));
  assert.is(e.errno, Errno.EINVAL);
  assert.is(e.message, "unrecognized option '--bogus'");
  e = thrown(() => parseBrokerArgs(['-x']));
  assert.is(e.message, "invalid option -- 'x'");
  e = thrown(() => parseBrokerArgs(['-S']));
  assert.is(e.message, "option '-S' requires an argument");
  e = thrown(() => parseBrokerArgs(['--setattr']));
  assert.is(e.message, "option '--setattr' requires an argument");
  e = thrown(() => parseBrokerArgs(['-c']));
  assert.is(e.message, "option '-c' requires an argument");
});

Args.run();
