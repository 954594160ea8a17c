/**
 * Line filling for help texts, as the two tools Flux's help comes from do it:
 * Python's textwrap.wrap (argparse: words, hyphenated words split after a
 * hyphen, long words broken) and liboptparse's get_next_segment (C commands:
 * break at the last space that fits, else break the word with a '-').
 */

// Python's textwrap.TextWrapper.wordsep_re, with its letter classes in Unicode terms
const LT = '[\\p{L}\\p{M}_]';
const WP = "[\\p{L}\\p{M}\\p{N}_!\"'&.,?]";
const WORDSEP = new RegExp(
  `(\\s+` +
    `|(?<=${WP})-{2,}(?=\\w)` +
    `|\\S+?(?:-(?:(?<=${LT}{2}-)|(?<=${LT}-${LT}-))(?=${LT}-?${LT})|(?=\\s|$)|(?<=${WP})(?=-{2,}\\w)))`,
  'uy',
);

function chunks(text: string): string[] {
  const out: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    // sticky, on the whole text: the lookbehinds see what precedes, as Python's split does
    WORDSEP.lastIndex = pos;
    const m = WORDSEP.exec(text);
    if (!m || m[0].length === 0) {
      out.push(text.slice(pos));
      break;
    }
    out.push(m[0]);
    pos += m[0].length;
  }
  return out;
}

/** textwrap.wrap(text, width) for text whose whitespace is already single spaces. */
export function pyWrap(text: string, width: number): string[] {
  const cs = chunks(text).reverse();
  const lines: string[] = [];
  while (cs.length > 0) {
    const line: string[] = [];
    let len = 0;
    if (lines.length > 0 && cs[cs.length - 1]!.trim() === '') cs.pop();
    while (cs.length > 0) {
      const l = cs[cs.length - 1]!.length;
      if (len + l > width) break;
      line.push(cs.pop()!);
      len += l;
    }
    if (cs.length > 0 && cs[cs.length - 1]!.length > width) {
      // a word longer than a line: break it (after a hyphen when one fits)
      const chunk = cs[cs.length - 1]!;
      const space = width < 1 ? 1 : width - len;
      let end = space;
      const hyphen = chunk.lastIndexOf('-', space - 1);
      if (hyphen > 0 && [...chunk.slice(0, hyphen)].some((c) => c !== '-')) end = hyphen + 1;
      line.push(chunk.slice(0, end));
      cs[cs.length - 1] = chunk.slice(end);
    }
    if (line.length > 0 && line[line.length - 1]!.trim() === '') line.pop();
    if (line.length > 0) lines.push(line.join(''));
  }
  return lines;
}

/** argparse's _split_lines: collapse whitespace, then wrap. */
export function pySplitLines(text: string, width: number): string[] {
  return pyWrap(text.replace(/\s+/g, ' ').trim(), width);
}

/** liboptparse's segments of at most `width` characters. */
export function optparseSegments(text: string, width: number): string[] {
  const out: string[] = [];
  const space = (c: string | undefined) => c !== undefined && /\s/.test(c);
  let rest = text;
  while (rest.length > 0) {
    if (rest.length <= width) {
      out.push(rest);
      break;
    }
    let p = width;
    while (p > 0 && !space(rest[p])) p--;
    const next = p + 1;
    while (p > 0 && space(rest[p])) p--;
    if (p === 0) {
      out.push(rest.slice(0, width - 1) + '-');
      rest = rest.slice(width - 1);
      continue;
    }
    out.push(rest.slice(0, p + 1));
    rest = rest.slice(next);
  }
  return out;
}
