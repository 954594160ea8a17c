/**
 * Shell-like word splitting and quoting as Flux's Python commands do it
 * (shlex): used by `flux batch` directives and `flux multi-prog` config lines.
 */

/** Quote `s` as one shell word (Python shlex.quote). */
export function shellQuote(s: string): string {
  if (s === '') return "''";
  if (!/[^\w@%+=:,./-]/.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

/** What goes wrong in the word splitter, reported as `<text>: <reason>`. */
export class SplitError extends Error {}

const WHITESPACE = ' \t\r\n';
const QUOTES = `'"`;
const PUNCTUATION = '();<>|&';

/**
 * Split text into words the way flux does: Python shlex in POSIX
 * mode with whitespace_split, punctuation_chars and both quote kinds escapable.
 * So: `'...'` and `"..."` quote (a backslash inside either escapes only the
 * quote or a backslash, and is kept before anything else), a backslash outside
 * quotes escapes any character, `#` outside quotes ends the text (even inside
 * a word), and runs of `();<>|&` are words of their own.
 */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false; // a word (possibly empty, from '' or "") is open
  let punct = false; // the open word is a run of punctuation
  let i = 0;
  const end = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
    punct = false;
  };
  while (i < text.length) {
    const c = text[i];
    if (punct) {
      if (PUNCTUATION.includes(c)) {
        word += c;
        i++;
      } else {
        end(); // the next character starts afresh (whitespace is dropped there)
      }
      continue;
    }
    if (WHITESPACE.includes(c)) {
      end();
      i++;
    } else if (c === '#') {
      break; // comment to end of text
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new SplitError('No escaped character');
      word += text[i + 1];
      inWord = true;
      i += 2;
    } else if (QUOTES.includes(c)) {
      inWord = true;
      i++;
      for (;;) {
        if (i >= text.length) throw new SplitError('No closing quotation');
        const q = text[i];
        if (q === c) {
          i++;
          break;
        }
        if (q === '\\') {
          if (i + 1 >= text.length) throw new SplitError('No escaped character');
          const next = text[i + 1];
          if (next !== c && next !== '\\') word += '\\';
          word += next;
          i += 2;
          continue;
        }
        word += q;
        i++;
      }
    } else if (PUNCTUATION.includes(c)) {
      end();
      word = c;
      inWord = true;
      punct = true;
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  end();
  return words;
}
