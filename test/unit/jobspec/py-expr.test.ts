/** The --define expression subset: Python's results, Python's errors, the rest refused. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ExprError, ExprSyntaxError, compileMethod } from '../../../cli/jobspec/py-expr';

const ev = (code: string, x: string): string => String(compileMethod(code)(x));

test('arithmetic as Python: exact ints, / a float, floor // and %, ** right-associative', () => {
  assert.is(ev('2**int(x)', '10'), '1024');
  assert.is(ev('2**int(x)', '70'), '1180591620717411303424');
  assert.is(ev('int(x)/2', '3'), '1.5');
  assert.is(ev('int(x)/2', '4'), '2.0');
  assert.is(ev('-int(x)//3', '7'), '-3');
  assert.is(ev('-int(x)%3', '7'), '2');
  assert.is(ev('2**3**2', ''), '512');
  assert.is(ev('-2**2', ''), '-4');
  assert.is(ev('(1+2)*3-4', ''), '5');
  assert.is(ev('float(x)*2', '1e-5'), '2e-05');
  assert.is(ev('2**-1', ''), '0.5');
  assert.is(ev('round(float(x))', '2.5'), '2');
  assert.is(ev('max(1, int(x), 3)', '7'), '7');
});

test('strings: methods, indexing, slices, concatenation, repetition', () => {
  assert.is(ev('x.upper()', 'ab'), 'AB');
  assert.is(ev("x.split('.')[0]", 'a.b.c'), 'a');
  assert.is(ev("x.split('.', 1)", 'a.b.c'), "['a', 'b.c']");
  assert.is(ev('x[1:]', 'abc'), 'bc');
  assert.is(ev('x[-1]', 'abc'), 'c');
  assert.is(ev("x + '_' + str(len(x))", 'ab'), 'ab_2');
  assert.is(ev("'-' * 3", ''), '---');
  assert.is(ev('x.zfill(5)', '-42'), '-0042');
  assert.is(ev("x.strip('x')", 'xxaxx'), 'a');
  assert.is(ev("'+'.join(x.split())", ' a  b '), 'a+b');
  assert.is(ev("x.replace('a', 'b')", 'aXa'), 'bXb');
});

test('comparisons (chained), not/and/or, A if C else B, True and False: as Python', () => {
  assert.is(ev('int(x) > 2', '3'), 'True');
  assert.is(ev('int(x) > 2', '2'), 'False');
  assert.is(ev('1 < int(x) <= 3', '3'), 'True');
  assert.is(ev('1 < int(x) <= 3', '4'), 'False');
  assert.is(ev('x == "a" or x == "b"', 'b'), 'True');
  assert.is(ev('x != "a"', 'a'), 'False');
  assert.is(ev('int(x) == 2.0', '2'), 'True');
  assert.is(ev('x == 2', '2'), 'False');
  assert.is(ev('"debug" if int(x) < 4 else "batch"', '3'), 'debug');
  assert.is(ev('"debug" if int(x) < 4 else "batch"', '9'), 'batch');
  assert.is(ev('"a" if x == "1" else "b" if x == "2" else "c"', '2'), 'b');
  assert.is(ev("'.' in x", 'a.b'), 'True');
  assert.is(ev("'.' not in x", 'a.b'), 'False');
  assert.is(ev("'b' in x.split('.')", 'a.b'), 'True');
  assert.is(ev('not x', ''), 'True');
  assert.is(ev('not int(x)', '1'), 'False');
  assert.is(ev('x or "none"', ''), 'none');
  assert.is(ev('x and int(x)', '7'), '7');
  assert.is(ev('True + True', ''), '2');
  assert.is(ev('(int(x) > 1) * 10', '5'), '10');
  assert.is(ev('str(False)', ''), 'False');
  assert.is(ev('"b" > "a" == True', ''), 'False');
  assert.is(ev('int(x) > 1 and x.upper() or "small"', '1'), 'small');
});

test('Python errors carry Python messages', () => {
  const err = (code: string, x: string) => {
    try {
      compileMethod(code)(x);
    } catch (e) {
      assert.instance(e, ExprError);
      return (e as Error).message;
    }
    return 'no error';
  };
  assert.is(err('int(x)', 'abc'), "invalid literal for int() with base 10: 'abc'");
  assert.is(err('float(x)', 'abc'), "could not convert string to float: 'abc'");
  assert.is(err('x + 1', 'a'), "unsupported operand type(s) for +: 'str' and 'int'");
  assert.is(err('1/0', ''), 'division by zero');
  assert.is(err('x[5]', 'a'), 'string index out of range');
  assert.is(err('2**int(x)', '100000'), 'result too large');
  assert.is(err('int(x) < "a"', '1'), "'<' not supported between instances of 'int' and 'str'");
  assert.is(err('1 in x', 'a1'), "'in <string>' requires string as left operand, not int");
  assert.is(err('"a" in int(x)', '1'), "argument of type 'int' is not iterable");
});

test('what the subset does not hold is refused when compiled', () => {
  for (const code of ['__import__("os")', 'x.__class__', 'lambda: 1', '[c for c in x]', 'y', 'open(x)', 'x if x', 'x < ', 'not', '1 +', '"a', 'x.upper']) {
    assert.throws(() => compileMethod(code), (e: unknown) => e instanceof ExprSyntaxError, code);
  }
});

test.run();
