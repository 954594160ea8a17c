/**
 * `flux top`'s loop: a stack of instances (the one started in, then each
 * child descended into with Enter), the selected job of each, a refresh every
 * `intervalMs`, and the keys: up/down (or k/j) move, Enter opens the selected
 * job when it is a Flux instance, q goes back up a level and quits at the top,
 * Ctrl-C quits. Resolves with the exit code once the terminal is restored.
 */
import { Client } from '../api/client';
import { encodeF58 } from '../../lib/formats/fluid';
import { instanceUri, usable } from '../uri/resolve';
import { HEADER_LINES, screenLines } from './render';
import { takeSnapshot, type Snapshot } from './snapshot';
import type { TopKey, TopScreen } from './screen';

interface Level {
  client: Client;
  /** job ids from the first instance down to this one */
  path: string[];
  /** only the first level is filtered by --queue */
  queue?: string;
  selected: number;
  /** the first job row on screen */
  first: number;
  snapshot?: Snapshot;
}

export interface TopOptions {
  queue?: string;
  intervalMs: number;
  /** the job ids that lead to the first instance (when TARGET named one) */
  path: string[];
}

export class TopApp {
  private readonly stack: Level[];
  private timer: NodeJS.Timeout | undefined;
  private finish!: (code: number) => void;
  private failure: string | undefined;
  private busy = false;

  constructor(
    private readonly screen: TopScreen,
    root: Client,
    private readonly opts: TopOptions,
  ) {
    this.stack = [{ client: root, path: opts.path, ...(opts.queue !== undefined ? { queue: opts.queue } : {}), selected: 0, first: 0 }];
  }

  /** the error line to print after the screen is restored, if any */
  get error(): string | undefined {
    return this.failure;
  }

  run(): Promise<number> {
    const done = new Promise<number>((resolve) => (this.finish = resolve));
    this.screen.start(
      // a key's work that fails (an instance gone mid-descent) ends top with its line, the terminal restored
      (k) =>
        void this.onKey(k).catch((e: Error) => {
          this.failure = e.message;
          this.finish(1);
        }),
      () => this.draw(),
    );
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.opts.intervalMs);
    return done.finally(async () => {
      clearInterval(this.timer);
      for (const l of this.stack) l.client.close();
      await this.screen.stop();
    });
  }

  private get level(): Level {
    return this.stack[this.stack.length - 1]!;
  }

  private async refresh(): Promise<void> {
    const l = this.level;
    try {
      l.snapshot = await takeSnapshot(l.client, l.queue);
    } catch (e) {
      if (l !== this.level) return;
      if (this.stack.length > 1) {
        // the child instance went away: back to its parent
        this.pop();
        return this.refresh();
      }
      this.failure = (e as Error).message;
      this.finish(1);
      return;
    }
    if (l !== this.level) return;
    const n = l.snapshot.jobs.length;
    l.selected = Math.max(0, Math.min(l.selected, n - 1));
    this.draw();
  }

  private draw(): void {
    const l = this.level;
    if (!l.snapshot) return;
    const rows = Math.max(1, this.screen.height - HEADER_LINES);
    if (l.selected < l.first) l.first = l.selected;
    if (l.selected >= l.first + rows) l.first = l.selected - rows + 1;
    const lines = screenLines(l.snapshot, l.path, this.screen.width, this.screen.height, l.first);
    const sel = l.snapshot.jobs.length > 0 ? HEADER_LINES + l.selected - l.first : undefined;
    this.screen.draw(lines, sel);
  }

  private pop(): void {
    this.stack.pop()?.client.close();
  }

  private async onKey(k: TopKey): Promise<void> {
    const l = this.level;
    const n = l.snapshot?.jobs.length ?? 0;
    switch (k) {
      case 'interrupt':
        this.finish(0);
        return;
      case 'quit':
        if (this.stack.length === 1) this.finish(0);
        else {
          this.pop();
          await this.refresh();
        }
        return;
      case 'up':
        l.selected = Math.max(0, l.selected - 1);
        this.draw();
        return;
      case 'down':
        l.selected = Math.max(0, Math.min(n - 1, l.selected + 1));
        this.draw();
        return;
      case 'enter':
        await this.descend(l);
        return;
    }
  }

  /** Open the selected job's instance, if it is one (a job that is not stays selected, as in Flux). */
  private async descend(l: Level): Promise<void> {
    const job = l.snapshot?.jobs[l.selected];
    if (!job || this.busy) return;
    this.busy = true;
    try {
      const r = await instanceUri(l.client, job.id);
      if (!('uri' in r) || l !== this.level) return;
      const client = await Client.connect(usable(r.uri)).catch(() => undefined);
      if (!client) return;
      this.stack.push({ client, path: [...l.path, encodeF58(job.id)], selected: 0, first: 0 });
      await this.refresh();
    } finally {
      this.busy = false;
    }
  }
}
