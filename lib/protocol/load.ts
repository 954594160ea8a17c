/**
 * A module manifest's protocol (ADR 0014), compiled: the document itself, or a
 * protocol file named relative to the module's file (a site module). A bad one
 * is EINVAL naming the file or the fault.
 */
import { readFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { Errno } from '../errno';
import { FluxError } from '../errors';
import { compileProtocol, compileProtocolFile, type Protocol, type ProtocolDoc } from './avro';

/**
 * A manifest's protocol: the document, or a protocol file relative to the
 * module's file. `lazy`: a document of the tree, whose schemas compile on
 * first use (compileProtocol); a site module's are all compiled now, so that
 * a bad one fails its load.
 */
export async function loadProtocol(p: ProtocolDoc | string, modulePath: string, lazy = false): Promise<Protocol> {
  let doc: ProtocolDoc;
  if (typeof p === 'string') {
    const file = nodePath.resolve(nodePath.dirname(modulePath), p);
    try {
      // compiled once per file and text: many brokers may share this process
      return compileProtocolFile(file, await readFile(file, 'utf8'), { lazy });
    } catch (e) {
      const unread = e instanceof SyntaxError || (e as NodeJS.ErrnoException).code !== undefined;
      throw new FluxError(Errno.EINVAL, `protocol${unread ? ` ${file}` : ''}: ${(e as Error).message}`);
    }
  } else {
    doc = p;
  }
  try {
    return compileProtocol(doc, { lazy });
  } catch (e) {
    throw new FluxError(Errno.EINVAL, `protocol: ${(e as Error).message}`);
  }
}
