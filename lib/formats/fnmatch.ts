/**
 * fnmatch(3) without flags, as flux-archive(1) matches a PATTERN against the
 * paths of an archive: `*` and `?` match any character (`/` too), `[...]` a
 * set (`!` or `^` negates it, ranges allowed), a backslash quotes the next
 * character. An unclosed `[` is an ordinary character.
 */

const special = /[.*+?^${}()|[\]\\/-]/g;

/** the pattern as an anchored regular expression */
export function fnmatchRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(special, '\\$&');
    else if (c === '[') {
      const end = setEnd(pattern, i);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      let neg = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        neg = true;
        body = body.slice(1);
      }
      // inside a set only these are special to a RegExp
      re += `[${neg ? '^' : ''}${body.replace(/[\\\]^]/g, (m, off: number) => (m === ']' && off === 0 ? '\\]' : `\\${m}`))}]`;
      i = end;
    } else re += c.replace(special, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** index of the `]` that closes the set opened at `open`, or -1 */
function setEnd(p: string, open: number): number {
  let j = open + 1;
  if (p[j] === '!' || p[j] === '^') j++;
  if (p[j] === ']') j++;
  for (; j < p.length; j++) if (p[j] === ']') return j;
  return -1;
}

export function fnmatch(pattern: string, text: string): boolean {
  return fnmatchRegex(pattern).test(text);
}
