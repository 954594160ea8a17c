/**
 * Where each table and key of a TOML file was written, so that a config error
 * names `file:line` (the parser gives lines for syntax errors only). A light
 * scan: table headers (`[a.b]`, `[[a]]`) and `key =` lines, with dotted and
 * quoted keys; lines inside multi-line strings are skipped. Paths are dotted,
 * with `[i]` for the i-th `[[array]]` table: `tbon.topo`, `module[2].name`.
 */

/** dotted path -> "FILE:LINE" (or "--conf" for command-line overrides) */
export type Locations = Map<string, string>;

/** Split a key expression (`a."b.c".d`) into its parts; undefined if it is not one. */
function keyParts(s: string): string[] | undefined {
  const parts: string[] = [];
  let i = 0;
  const skip = () => {
    while (s[i] === ' ' || s[i] === '\t') i++;
  };
  skip();
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"' || c === "'") {
      const end = s.indexOf(c, i + 1);
      if (end < 0) return undefined;
      parts.push(s.slice(i + 1, end));
      i = end + 1;
    } else {
      const m = /^[A-Za-z0-9_-]+/.exec(s.slice(i));
      if (!m) return undefined;
      parts.push(m[0]);
      i += m[0].length;
    }
    skip();
    if (i >= s.length) break;
    if (s[i] !== '.') return undefined;
    i++;
    skip();
  }
  return parts.length > 0 ? parts : undefined;
}

/** Record the lines of `text` (shown as `file`) into `into`; later files win, as their values do. */
export function locateToml(text: string, file: string, into: Locations): void {
  let table: string[] = [];
  const arrayCount = new Map<string, number>();
  let inString: string | undefined;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (inString) {
      if (line.includes(inString)) inString = undefined;
      continue;
    }
    const where = `${file}:${n + 1}`;
    const header = /^\s*\[(\[?)([^\]]*)\]\]?\s*(#.*)?$/.exec(line);
    if (header) {
      const parts = keyParts(header[2]!);
      if (!parts) continue;
      if (header[1]) {
        const base = parts.join('.');
        const i = arrayCount.get(base) ?? 0;
        arrayCount.set(base, i + 1);
        const last = parts.pop()!;
        table = [...parts, `${last}[${i}]`];
      } else {
        table = parts;
      }
      // the header names every table on its path that is not yet placed
      for (let k = 1; k <= table.length; k++) {
        const p = table.slice(0, k).join('.');
        if (!into.has(p) || k === table.length) into.set(p, where);
      }
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const parts = keyParts(line.slice(0, eq));
    if (!parts) continue;
    const full = [...table, ...parts];
    for (let k = table.length + 1; k <= full.length; k++) into.set(full.slice(0, k).join('.'), where);
    const rest = line.slice(eq + 1);
    for (const q of ['"""', "'''"]) {
      const first = rest.indexOf(q);
      if (first >= 0 && rest.indexOf(q, first + 3) < 0) inString = q;
    }
  }
}

/** The place of `path`, or of the nearest table above it that has one. */
export function placeOf(locations: Locations, path: string): string | undefined {
  let p = path;
  for (;;) {
    const at = locations.get(p) ?? locations.get(p.replace(/\[\d+\]/g, ''));
    if (at !== undefined) return at;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) return undefined;
    p = p.slice(0, cut);
  }
}
