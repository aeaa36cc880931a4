/**
 * `speechstream listen` on a terminal: the current partial on one line, rewritten in
 * place (\r), and each final on its own line with its times, replacing the partial.
 * Not a terminal (piped): finals only, one per line. Pure: returns the text to write.
 */

export interface ListenRenderOptions {
  /** Whether stdout is a terminal (partials are shown only there). */
  readonly tty: boolean;
  readonly columns?: number;
}

const CLEAR_LINE = '\r\x1b[K';

/** 83.25 -> '01:23.25'; past an hour '1:01:23.25'. */
export function clockTime(seconds: number): string {
  const centis = Math.max(0, Math.round(seconds * 100));
  const h = Math.floor(centis / 360_000);
  const m = Math.floor((centis % 360_000) / 6000);
  const s = (centis % 6000) / 100;
  const mm = String(m).padStart(2, '0');
  const ss = s.toFixed(2).padStart(5, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export class ListenRenderer {
  readonly #tty: boolean;
  readonly #columns: number;
  #partialShown = false;

  constructor(options: ListenRenderOptions) {
    this.#tty = options.tty;
    this.#columns = Math.max(20, options.columns ?? 80);
  }

  partial(text: string, segmentStart: number): string {
    if (!this.#tty) return '';
    if (text === '') return this.clear();
    this.#partialShown = true;
    const line = `[${clockTime(segmentStart)}] ${text}`;
    // Keep the tail (the newest words) when the line is wider than the terminal.
    const max = this.#columns - 1;
    return `${CLEAR_LINE}${line.length <= max ? line : `…${line.slice(line.length - max + 1)}`}`;
  }

  final(text: string, start: number, end: number): string {
    const clear = this.clear();
    if (text === '') return clear;
    return `${clear}[${clockTime(start)} -> ${clockTime(end)}] ${text}\n`;
  }

  /** Removes a partial still on screen (end of the session). */
  clear(): string {
    if (!this.#partialShown) return '';
    this.#partialShown = false;
    return CLEAR_LINE;
  }
}
