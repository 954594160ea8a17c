/**
 * flux kvs copy SRC DST: DST becomes what SRC is (a value, an eventlog with
 * its entries, a link, or a directory with everything below it), key by key.
 * What DST held goes first. `flux kvs move` (move.ts) then unlinks SRC.
 */
import * as opt from './options';
import { KvsCommand } from './kvs-command';
import type { Entry } from './format';

export class KvsCopyCommand extends KvsCommand {
  static override spec = opt.kvsSpec(
    ['copy'],
    'Copy source key to destination key',
    '[-S src-ns] [-D dst-ns] source destination',
    [opt.SRC_NS, opt.DST_NS],
    [
      { name: 'source', nargs: '1' },
      { name: 'destination', nargs: '1' },
    ],
  );

  /** move.ts: unlink the source once it is copied */
  protected readonly removeSource: boolean = false;

  protected async main(): Promise<number> {
    const src = this.key(this.args.operands[0]!);
    const dst = this.key(this.args.operands[1]!);
    if (dst === src || dst.startsWith(src + '.')) this.fail(`${dst}: Invalid argument`);
    const kind = await this.kind(src);
    if (kind === undefined) this.fail(`${src}: No such file or directory`);
    if (kind === 'dir') {
      await this.rpcOrFail('kvs.mkdir', { key: dst }, dst);
      const r = (await this.rpcOrFail('kvs.dir', { key: src, extras: true }, src)) as { keys: string[]; links?: Record<string, string>; dirs?: string[] };
      for (const d of r.dirs ?? []) await this.rpcOrFail('kvs.mkdir', { key: dst + d.slice(src.length) }, dst);
      for (const k of r.keys) await this.copyOne(k, dst + k.slice(src.length), r.links?.[k] !== undefined ? 'link' : await this.kind(k));
    } else await this.copyOne(src, dst, kind);
    if (this.removeSource) await this.rpcOrFail('kvs.unlink', { key: src, recursive: true }, src);
    return 0;
  }

  private async copyOne(from: string, to: string, kind: string | undefined): Promise<void> {
    if (kind === 'link') {
      const r = (await this.rpcOrFail('kvs.readlink', { key: from }, from)) as { target: string };
      await this.rpcOrFail('kvs.link', { key: to, target: r.target }, to);
    } else if (kind === 'log') {
      const text = (await this.rpcOrFail('kvs.get', { key: from }, from)) as { value: string };
      const entries = text.value
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Entry);
      await this.rpcOrFail('kvs.unlink', { key: to, recursive: true }, to);
      if (entries.length > 0) await this.rpcOrFail('kvs.eventlog-append', { key: to, entries }, to);
    } else {
      const v = (await this.rpcOrFail('kvs.get', { key: from }, from)) as { value: unknown };
      await this.rpcOrFail('kvs.put', { key: to, value: v.value }, to);
    }
  }
}
