/** -o/--format as Flux's Python tools read it: a format, a configured name, help, get-config=NAME. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chooseFormat, type FormatSet } from '../../../cli/named-formats';

const SET: FormatSet = {
  tool: 'flux-thing',
  subtable: 'list',
  formats: {
    default: { description: 'Default thing', format: '{a}' },
    wide: { description: 'Wide thing', format: '{a:>20} {b}' },
  },
};
const NOENV = {};

test('a value with { is the format; a name is looked up; an unknown name is an error', () => {
  assert.equal(chooseFormat('{b} x', SET, NOENV), { format: '{b} x' });
  assert.equal(chooseFormat('wide', SET, NOENV), { format: '{a:>20} {b}' });
  assert.equal(chooseFormat(undefined, SET, NOENV), { format: '{a}' });
  assert.equal(chooseFormat('bogusname', SET, NOENV), { error: '--format: No such format bogusname' });
  assert.equal(chooseFormat('toString', SET, NOENV), { error: '--format: No such format toString' });
});

test('help lists the formats; get-config=NAME prints the TOML table', () => {
  assert.equal(chooseFormat('help', SET, NOENV), {
    print: '\nConfigured flux-thing output formats:\n\n  default      Default thing\n  wide         Wide thing\n',
  });
  assert.equal(chooseFormat('get-config=wide', SET, NOENV), {
    print: '[list.formats.wide]\ndescription = "Wide thing"\nformat = "{a:>20} {b}"\n',
  });
  assert.equal(chooseFormat('get-config=nope', SET, NOENV), { error: '--format: No such format nope' });
});

test('default gives way to FLUX_<TOOL>_<SUB>_FORMAT_DEFAULT, a format or a name', () => {
  assert.equal(chooseFormat(undefined, SET, { FLUX_THING_LIST_FORMAT_DEFAULT: '{b}' }), { format: '{b}' });
  assert.equal(chooseFormat('default', SET, { FLUX_THING_LIST_FORMAT_DEFAULT: 'wide' }), { format: '{a:>20} {b}' });
  assert.equal(chooseFormat(undefined, SET, { FLUX_THING_LIST_FORMAT_DEFAULT: 'x' }), { error: '--format: No such format x' });
  assert.equal(chooseFormat('wide', SET, { FLUX_THING_LIST_FORMAT_DEFAULT: '{b}' }), { format: '{a:>20} {b}' });
});

test.run();
