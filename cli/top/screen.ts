/**
 * The terminal side of `flux top`, through terminal-kit: the alternate
 * screen, keys (arrows, j/k, Enter, q, Ctrl-C), resize, and drawing whole
 * lines with the selected job row in reverse video. terminal-kit is loaded
 * only here, so no other command pays for it.
 */
import type { Terminal } from 'terminal-kit';

export type TopKey = 'up' | 'down' | 'enter' | 'quit' | 'interrupt';

const KEYS: Record<string, TopKey> = {
  UP: 'up',
  k: 'up',
  DOWN: 'down',
  j: 'down',
  ENTER: 'enter',
  KP_ENTER: 'enter',
  q: 'quit',
  CTRL_C: 'interrupt',
};

/** code points, not UTF-16 units: `ƒ` takes one column */
const columns = (s: string) => [...s].length;

export class TopScreen {
  private readonly term: Terminal;
  private started = false;

  constructor() {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.term = (require('terminal-kit') as typeof import('terminal-kit')).terminal;
  }

  get width(): number {
    return this.term.width;
  }

  get height(): number {
    return this.term.height;
  }

  start(onKey: (k: TopKey) => void, onResize: () => void): void {
    this.started = true;
    this.term.fullscreen(true);
    this.term.hideCursor(true);
    this.term.grabInput(true);
    this.term.on('key', (name: string) => {
      const k = KEYS[name];
      if (k !== undefined) onKey(k);
    });
    this.term.on('resize', onResize);
  }

  /** Draw `lines` from the top; `selected` (an index into lines) in reverse video. */
  draw(lines: readonly string[], selected: number | undefined): void {
    const w = this.width;
    for (let y = 0; y < this.height; y++) {
      const text = lines[y] ?? '';
      const padded = text + ' '.repeat(Math.max(0, w - columns(text)));
      this.term.moveTo(1, y + 1);
      if (y === selected) this.term.inverse.noFormat(padded);
      else this.term.noFormat(padded);
    }
  }

  /** Give the terminal back as it was; resolves once everything written has gone out. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.term.grabInput(false);
    this.term.hideCursor(false);
    this.term.fullscreen(false);
    await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  }
}
