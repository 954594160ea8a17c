/** flux kvs put [-N ns] [-s] [-r|-t] [-n] [-A] KEY=VALUE...: store values. */
import * as opt from './options';
import { KvsCommand } from './kvs-command';
import { valueText } from './format';
import { fromTreeobj } from './treeobj';
import { FluxError } from '../../../lib/errors';
import { Errno } from '../../../lib/errno';
import { MAX_FRAME } from '../../../kernel/message/limits';
import { readAtMost } from '../../read-stream';

const APPEND = { name: 'append', short: 'A', description: 'Append the value to what the key holds' };
const TREEOBJ = { name: 'treeobj', short: 't', description: 'The value is an RFC 11 treeobj: a val (its data stored) or a symlink (a link made)' };
const NO_MERGE = { name: 'no-merge', short: 'n', description: 'Do not merge with other commits (flux-ts never merges: each command has its own version)' };

export class KvsPutCommand extends KvsCommand {
  static override spec = opt.kvsSpec(
    ['put'],
    'Store value(s) for key(s)',
    '[-N ns] [-s] [-r|-t] [-n] [-A] key=value [key=value...]',
    [opt.NAMESPACE, opt.SEQUENCE, opt.TREEOBJ_ROOT, opt.BLOBREF, opt.RAW, TREEOBJ, NO_MERGE, APPEND],
    [{ name: 'key=value', nargs: '+' }],
  );

  protected override whatFailed(): string {
    return this.commitCall();
  }

  /** every key=value is one op of one transaction (one kvs version, all or none), as Flux commits the command's txn once */
  protected async main(): Promise<number> {
    const ops: object[] = [];
    /** values this command has given keys so far (-A appends to them, not to what the kvs held) */
    const given = new Map<string, string | undefined>();
    for (const arg of this.args.operands) {
      const eq = arg.indexOf('=');
      if (eq < 0) this.fail('put: you must specify a value as key=value');
      const key = this.key(arg.slice(0, eq));
      let value = arg.slice(eq + 1);
      if (this.args.has('raw') && value === '-') value = await this.stdinValue(key);
      if (this.args.has('treeobj')) {
        const t = fromTreeobj(value);
        if ('error' in t) this.fail(`${key}: put -t: ${t.error}`);
        if ('target' in t) {
          if (this.args.has('append')) this.fail(`${key}: put -t: -A cannot append to a symlink`);
          ops.push({ op: 'link', key, target: this.key(t.target) });
          given.set(key, undefined);
          continue;
        }
        value = t.value;
      }
      if (this.args.has('append')) value = (given.has(key) ? (given.get(key) ?? '') : await this.held(key)) + value;
      ops.push({ op: 'put', key, value });
      given.set(key, value);
    }
    const only = ops.length === 1 ? (ops[0] as { key: string }).key : undefined;
    let answer: { rootseq?: number };
    try {
      answer = await this.commitOps(ops);
    } catch (e) {
      if (e instanceof FluxError && e.errno === Errno.EMSGSIZE && only !== undefined) this.tooBig(only);
      if (e instanceof FluxError) this.fail(`${only ?? this.commitCall()}: ${e.message}`);
      throw e;
    }
    this.printSeq(answer);
    return 0;
  }

  /** what key holds now, as text ('' for a new key) */
  private async held(key: string): Promise<string> {
    try {
      return valueText((await this.h.rpc<{ value: unknown }>('kvs.get', { key })).value);
    } catch {
      return '';
    }
  }

  /** `key=-` with -r: stdin, read no further than one message can carry. */
  private async stdinValue(key: string): Promise<string> {
    let data: Buffer | undefined;
    try {
      data = await readAtMost(process.stdin, MAX_FRAME);
    } catch (e) {
      this.fail(`${key}: stdin: ${(e as Error).message}`);
    }
    if (data === undefined) this.tooBig(key);
    return data.toString('utf8');
  }

  private tooBig(key: string): never {
    this.fail(`${key}: value is larger than a message may carry (${MAX_FRAME} bytes)`);
  }
}
