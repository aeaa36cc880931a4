/**
 * The transcript of one input file, assembled segment by segment as recognition
 * proceeds, in the shape every output format is written from. Times are seconds from
 * the start of the file.
 */
import type { AsrResult } from '../../asr/text/asr-result.js';
import type { AsrWord } from '../../asr/text/words.js';

export interface TranscriptSegment {
  readonly id: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly words: readonly AsrWord[];
}

export interface Transcript {
  /** The input as given ('-' for stdin). */
  readonly file: string;
  readonly text: string;
  /** Seconds of audio decoded. */
  readonly duration: number;
  readonly words: readonly AsrWord[];
  readonly segments: readonly TranscriptSegment[];
}

export class TranscriptBuilder {
  readonly #segments: TranscriptSegment[] = [];

  constructor(readonly file: string) {}

  get segmentCount(): number {
    return this.#segments.length;
  }

  /**
   * One recognised segment, times already in file seconds. `span` bounds a segment
   * without words (its audio); with words, the segment spans its words. Empty text adds
   * nothing.
   */
  add(
    result: AsrResult,
    span: { readonly start: number; readonly end: number },
  ): TranscriptSegment | undefined {
    const text = result.text.trim();
    if (text === '') return undefined;
    const words = result.words;
    const first = words[0];
    const last = words[words.length - 1];
    const previousEnd = this.#segments.at(-1)?.end ?? 0;
    // Keep segments in order even when a recognizer's timing is off by a frame.
    const start = Math.max(previousEnd, first?.start ?? span.start);
    const end = Math.max(start, last?.end ?? span.end);
    const segment = { id: this.#segments.length, start, end, text, words };
    this.#segments.push(segment);
    return segment;
  }

  finish(durationSeconds: number): Transcript {
    const segments = this.#segments;
    return {
      file: this.file,
      text: segments.map((s) => s.text).join(' '),
      duration: durationSeconds,
      words: segments.flatMap((s) => s.words),
      segments,
    };
  }
}
