/**
 * The broker's `hostlist` attribute: the hosts of every rank in rank order,
 * compressed as Flux prints it (a run of one prefix and consecutive numbers
 * becomes prefix[a-b]; order is kept, so nothing is sorted or merged).
 */
/** the last list compressed: brokers sharing a process (flux start --test-in-process) share one host list */
let last: { hosts: readonly string[]; length: number; text: string } | undefined;

export function compressHostlist(hosts: readonly string[]): string {
  if (last && last.hosts === hosts && last.length === hosts.length) return last.text;
  const text = compressNow(hosts);
  last = { hosts, length: hosts.length, text };
  return text;
}

function compressNow(hosts: readonly string[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < hosts.length) {
    const m = /^(.*?)(\d+)$/.exec(hosts[i]!);
    if (!m) {
      out.push(hosts[i]!);
      i++;
      continue;
    }
    const prefix = m[1]!;
    const width = m[2]!.length;
    const ranges: Array<[number, number]> = [];
    let j = i;
    while (j < hosts.length) {
      const n = /^(.*?)(\d+)$/.exec(hosts[j]!);
      if (!n || n[1] !== prefix || (n[2]!.length !== width && n[2]![0] === '0')) break;
      const v = Number(n[2]);
      const last = ranges[ranges.length - 1];
      if (last && v === last[1] + 1) last[1] = v;
      else if (last && v <= last[1]) break;
      else ranges.push([v, v]);
      j++;
    }
    const fmt = (v: number) => String(v).padStart(width, '0');
    const body = ranges.map(([a, b]) => (a === b ? fmt(a) : `${fmt(a)}-${fmt(b)}`)).join(',');
    out.push(j - i === 1 ? hosts[i]! : `${prefix}[${body}]`);
    i = j;
  }
  return out.join(',');
}

