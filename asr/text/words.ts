import { Utf8Builder } from './utf8-builder.js';
import type { WordPiece } from './word-piece.js';

export interface AsrWord {
  readonly word: string;
  /** Seconds: start of the frame of the word's first token. */
  readonly start: number;
  /**
   * Seconds: start of the frame after the word's last token, but never past the start of
   * the next word (a transducer can emit two words on one frame) nor before `start`.
   */
  readonly end: number;
  /**
   * exp(min token log-prob) over the word's tokens: a word is as uncertain as its least
   * certain piece (a mean would let a long word hide one doubtful piece).
   */
  readonly confidence: number;
}

export interface WordTiming {
  readonly secondsPerFrame: number;
  /** Added to every time (e.g. the segment's start in the stream); default 0. */
  readonly timeOffset?: number;
}

interface OpenWord {
  text: Utf8Builder;
  firstFrame: number;
  lastFrame: number;
  minLogProb: number;
}

/**
 * Groups per-token pieces into words. `frames` and `logProbs` are parallel to `pieces`
 * (the decoder's arrays); skipped pieces (specials) belong to no word.
 */
export function groupWords(
  pieces: readonly WordPiece[],
  frames: readonly number[],
  logProbs: readonly number[],
  timing: WordTiming,
): AsrWord[] {
  const open: OpenWord[] = [];
  let current: OpenWord | undefined;
  pieces.forEach((p, i) => {
    if (p.kind === 'skip') return;
    const frame = frames[i] ?? 0;
    const lp = logProbs[i] ?? 0;
    if (current === undefined || (p.kind === 'text' && p.startsWord)) {
      current = { text: new Utf8Builder(), firstFrame: frame, lastFrame: frame, minLogProb: lp };
      open.push(current);
    } else {
      current.lastFrame = frame;
      if (lp < current.minLogProb) current.minLogProb = lp;
    }
    if (p.kind === 'byte') current.text.appendByte(p.byte);
    else current.text.appendText(p.text);
  });

  const { secondsPerFrame: spf } = timing;
  const offset = timing.timeOffset ?? 0;
  const kept = open.map((w) => ({ ...w, word: w.text.toString() })).filter((w) => w.word.length > 0);
  return kept.map((w, i) => {
    const start = offset + w.firstFrame * spf;
    const next = kept[i + 1];
    let end = offset + (w.lastFrame + 1) * spf;
    if (next !== undefined) end = Math.min(end, offset + next.firstFrame * spf);
    return { word: w.word, start, end: Math.max(start, end), confidence: Math.exp(w.minLogProb) };
  });
}
