/**
 * A one-line progress bar on stderr for long files: redrawn in place with \r at most
 * every `intervalMs` (10 times a second by default), cleared when done. Only for a
 * terminal: the command does not create one when stderr is not a TTY or with --quiet.
 */
import type { TextSink } from './cli-io.js';

/** `label [#####.....]  42%  12.0/28.5 s`, or seconds only when the total is unknown. Pure. */
export function renderProgress(
  label: string,
  doneSeconds: number,
  totalSeconds: number | undefined,
  columns = 80,
): string {
  const seconds =
    totalSeconds === undefined || !(totalSeconds > 0)
      ? `${doneSeconds.toFixed(1)} s`
      : `${Math.min(doneSeconds, totalSeconds).toFixed(1)}/${totalSeconds.toFixed(1)} s`;
  if (totalSeconds === undefined || !(totalSeconds > 0)) return clipLine(`${label}  ${seconds}`, columns);
  const fraction = Math.max(0, Math.min(1, doneSeconds / totalSeconds));
  const percent = `${String(Math.floor(fraction * 100)).padStart(3)}%`;
  const tail = ` ${percent}  ${seconds}`;
  const width = Math.max(10, Math.min(40, columns - tail.length - 4 - Math.min(label.length, 30)));
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  return clipLine(`${shorten(label, columns - bar.length - tail.length - 2)} ${bar}${tail}`, columns);
}

function shorten(text: string, max: number): string {
  if (max <= 1) return '';
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}

function clipLine(line: string, columns: number): string {
  return line.length < columns ? line : line.slice(0, Math.max(0, columns - 1));
}

export interface ProgressBarOptions {
  readonly label: string;
  readonly totalSeconds: number | undefined;
  readonly intervalMs?: number;
  readonly now?: () => number;
}

export class ProgressBar {
  readonly #sink: TextSink;
  readonly #options: ProgressBarOptions;
  readonly #now: () => number;
  #last = Number.NEGATIVE_INFINITY;
  #drawn = false;

  constructor(sink: TextSink, options: ProgressBarOptions) {
    this.#sink = sink;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  update(doneSeconds: number): void {
    const now = this.#now();
    if (now - this.#last < (this.#options.intervalMs ?? 100)) return;
    this.#last = now;
    const columns = this.#sink.columns ?? 80;
    this.#sink.write(
      `\r${renderProgress(this.#options.label, doneSeconds, this.#options.totalSeconds, columns)}\x1b[K`,
    );
    this.#drawn = true;
  }

  /** Clears the line so the next output starts clean. */
  done(): void {
    if (this.#drawn) this.#sink.write('\r\x1b[K');
    this.#drawn = false;
  }
}
