/**
 * RFC 36 submission directives, as `flux batch` reads them from a script.
 *
 * A directive is a line whose prefix of non-word characters is followed by
 * the tag `flux:` or `FLUX:`; prefix plus tag is the sentinel, fixed by the
 * first directive. Directives end at the first non-blank line that does not
 * start with the prefix, and one found after that point is an error. The text
 * after the sentinel is split like a POSIX shell word list (quotes, backslash
 * escapes, `#` comments), and triple quotes (`"""` / `'''`) carry values over
 * several directive lines. This module only reads text: it returns the option
 * words in script order and leaves option parsing to the caller, which parses
 * them before the command line so that command-line options win.
 *
 * Error messages are `<script>: line N: ...`; callers prefix `flux-batch: ERROR: `.
 */

import { SplitError, shellQuote, splitWords } from '../shlex';

/** A directive problem; `exitCode` is what the command should exit with. */
export class DirectiveError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'DirectiveError';
  }
}

/** One directive that set arguments, with the script line it started on. */
export interface DirectiveLine {
  /** 1-based line of the directive (the opening line of a multi-line value) */
  line: number;
  /** its words, after quoting and comments are applied; never empty */
  args: string[];
}

/**
 * Sentinel match: prefix of non-word characters, tag, rest of the line.
 * "Word" is Unicode-aware (letters, digits, underscore), as in flux's Python.
 */
const DIRECTIVE_RE = /^([^\p{L}\p{N}_]*)((?:flux|FLUX):)([^\n]*)$/u;
/** a pair of triple quotes on one line, and what is between them */
const TRIPLE_PAIR_RE = /(["']{3})([^\n]*)\1/g;
/** a triple quote with text after it (a multi-line opener must end the line) */
const TRIPLE_NOT_AT_END_RE = /["']{3}[^\n]/;

/** Python's str.count: non-overlapping occurrences. */
function countOf(s: string, sub: string): number {
  let n = 0;
  for (let i = s.indexOf(sub); i !== -1; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

/**
 * Replace each `"""..."""` / `'''...'''` pair on one line by a shell-quoted
 * word; a triple quote with text after it and no partner is an error (a
 * multi-line value must open at the end of a line).
 */
function inlineTripleQuotes(value: string): string {
  const paired = (n: number): boolean => n > 0 && n % 2 === 0;
  if (paired(countOf(value, '"""')) || paired(countOf(value, "'''"))) {
    return value.replace(TRIPLE_PAIR_RE, (_m: string, _q: string, inner: string) => shellQuote(inner));
  }
  if (TRIPLE_NOT_AT_END_RE.test(value)) throw new SplitError(`unclosed triple quote: ${value.trim()}`);
  return value;
}

/** A triple-quoted value spread over several directive lines. */
interface OpenMultiLine {
  quote: string; // `"""` or `'''`
  indent: string; // leading whitespace of the opening line, removed from each line
  start: string; // opening text, for messages
  line: number; // opening line number
  lines: string[]; // first: text before the opening quote; then the value's lines
}

function dedent(m: OpenMultiLine, value: string): string {
  return value.startsWith(m.indent) ? value.slice(m.indent.length) : value;
}

function lexDirective(value: string, line: number, script: string): string[] {
  let args: string[];
  try {
    args = splitWords(value);
  } catch (e) {
    if (e instanceof SplitError) throw new DirectiveError(`${script}: line ${line}: ${value}: ${e.message}`);
    throw e;
  }
  if (args.length > 0 && !args[0].startsWith('-')) {
    throw new DirectiveError(`${script}: line ${line}: Unknown directive: ${value}`);
  }
  return args;
}

/**
 * Read the directives of a script, one entry per directive that sets
 * arguments (blank and comment-only directives are dropped). Throws
 * DirectiveError (exit code 1) on any rule broken.
 */
export function parseDirectiveLines(text: string, scriptName: string): DirectiveLine[] {
  const out: DirectiveLine[] = [];
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop(); // text ends with a newline
  const fail = (line: number, msg: string): never => {
    throw new DirectiveError(`${scriptName}: line ${line}: ${msg}`);
  };
  const push = (value: string, line: number): void => {
    const args = lexDirective(value, line, scriptName);
    if (args.length > 0) out.push({ line, args });
  };

  let sentinel: string | undefined;
  let prefix = '';
  let disabledAfter = 0; // last line that could hold a directive, once disabled
  let multi: OpenMultiLine | undefined;

  for (let idx = 0; idx < lines.length; idx++) {
    const lineno = idx + 1;
    const raw = lines[idx];
    // The shebang (`#!...`) never matches: `#!/` is followed by a word character.
    const m = DIRECTIVE_RE.exec(raw);
    if (!m) {
      if (multi) fail(lineno, `unterminated multi-line quote at line ${multi.line}: \`${multi.start}'`);
      if (sentinel !== undefined && disabledAfter === 0 && raw.trim() !== '' && !raw.startsWith(prefix.trimEnd())) {
        disabledAfter = lineno - 1;
      }
      continue;
    }
    const [, pre, tag, rest] = m;
    if (disabledAfter > 0) fail(lineno, `orphan '${tag}' detected: directives disabled after line ${disabledAfter}`);

    let value: string;
    try {
      value = inlineTripleQuotes(rest);
    } catch (e) {
      if (e instanceof SplitError) fail(lineno, e.message);
      throw e;
    }

    if (sentinel === undefined) {
      sentinel = pre + tag;
      prefix = pre;
    } else if (pre + tag !== sentinel) {
      fail(
        lineno,
        `sentinel changed from '${sentinel}' to '${pre + tag}'\n\n` +
          'All directives in a file must use the same sentinel.\n\n' +
          'To disable a directive, put a comment character after the sentinel,\n' +
          'not in the prefix:\n\n' +
          `  ${sentinel} # ${value.trimStart()}\n\n` +
          "Everything after '#' is then ignored and the sentinel stays the same.",
      );
    }

    const closing = value.endsWith('"""') || value.endsWith("'''") ? value.slice(-3) : undefined;
    if (closing !== undefined && multi === undefined) {
      // open a multi-line value; the text before the quotes starts the word
      const indent = value.slice(0, value.length - value.trimStart().length);
      multi = { quote: closing, indent, start: value.trimStart(), line: lineno, lines: [] };
      multi.lines.push(dedent(multi, value.slice(0, -3)));
    } else if (closing !== undefined && multi !== undefined && closing === multi.quote) {
      multi.lines.push(dedent(multi, value.slice(0, -3)));
      const word = multi.lines[0] + shellQuote(multi.lines.slice(1).join('\n'));
      if (word.includes(multi.quote)) {
        fail(multi.line, `improperly terminated triple quoted string at: \`${multi.start}'`);
      }
      const startLine = multi.line;
      multi = undefined;
      push(word, startLine);
    } else if (multi !== undefined) {
      multi.lines.push(dedent(multi, value)); // includes a line ending in the other triple quote
    } else if (value !== '') {
      push(value, lineno);
    }
  }
  if (multi) {
    fail(lines.length, `unterminated multi-line quote at line ${multi.line}: \`${multi.start}'`);
  }
  return out;
}

/**
 * The option words of a script's directives, in order, e.g. `['-N4', '-n16']`
 * for `#FLUX: -N4 -n16  # comment`. Throws DirectiveError (exit code 1).
 */
export function parseDirectives(text: string, scriptName: string): string[] {
  return parseDirectiveLines(text, scriptName).flatMap((d) => d.args);
}
