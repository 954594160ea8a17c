/**
 * User names to uids for the commands' --user options, from /etc/passwd (as
 * getpwnam(3) would, without a native binding). The current user is known
 * without reading it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

/** the uid of user `name`, or undefined when there is no such user */
export function passwdUid(name: string): number | undefined {
  const me = os.userInfo();
  if (name === me.username) return me.uid;
  let text: string;
  try {
    text = fs.readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[2] !== undefined && /^\d+$/.test(f[2])) return Number(f[2]);
  }
  return undefined;
}
