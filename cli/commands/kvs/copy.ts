/**
 * flux kvs copy [-S NS] [-D NS] SRC DST: DST becomes what SRC is (a value,
 * an eventlog with its entries, a link, or a directory with everything below
 * it). What DST held goes. `flux kvs move` (move.ts) also unlinks SRC. Within
 * one namespace either is one kvs transaction (kvs.commit): a failure leaves
 * SRC and DST as they were. Across namespaces (-S/-D, each FLUX_KVS_NAMESPACE
 * or primary by default) the copy is one transaction in DST's and a move's
 * unlink of SRC a second one in SRC's, as in Flux.
 */
import * as opt from './options';
import { KvsCommand } from './kvs-command';

export class KvsCopyCommand extends KvsCommand {
  static override spec = opt.copySpec('copy', 'Copy source key to destination key');

  /** move.ts: unlink the source in the same transaction */
  protected readonly removeSource: boolean = false;

  protected override whatFailed(): string {
    return this.removeSource ? 'flux_kvs_move' : 'flux_kvs_copy';
  }

  protected async main(): Promise<number> {
    const src = this.key(this.args.operands[0]!);
    const dst = this.key(this.args.operands[1]!);
    const from = this.namespaceOption('src-namespace') ?? 'primary';
    const to = this.namespaceOption('dst-namespace') ?? 'primary';
    const same = from === to;
    if (same && (dst === src || dst.startsWith(src + '.'))) this.fail(`${dst}: Invalid argument`);
    if ((await this.h.rpc<{ kind?: string }>('kvs.dir', { key: src, extras: true, namespace: from })).kind === undefined) this.fail(`${src}: No such file or directory`);
    const ops: object[] = [{ op: 'copy', src, dst, ...(same ? {} : { from }) }];
    if (this.removeSource && same) ops.push({ op: 'unlink', key: src, recursive: true });
    await this.rpcOrFail('kvs.commit', { ops, namespace: to }, dst);
    if (this.removeSource && !same) await this.rpcOrFail('kvs.commit', { ops: [{ op: 'unlink', key: src, recursive: true }], namespace: from }, src);
    return 0;
  }
}
