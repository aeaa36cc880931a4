/**
 * Subtitle cues from a transcript: one cue per segment, long segments split between
 * words so a cue stays readable (at most `maxChars` characters and `maxSeconds` long).
 * Cue times never go backwards and never overlap.
 */
import type { Transcript } from './transcript.js';

export interface Cue {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface CueOptions {
  /** Default 84: two lines of 42, the usual broadcast limit. */
  readonly maxChars?: number;
  /** Default 7 s. */
  readonly maxSeconds?: number;
}

export function transcriptCues(transcript: Transcript, options: CueOptions = {}): Cue[] {
  const maxChars = options.maxChars ?? 84;
  const maxSeconds = options.maxSeconds ?? 7;
  const raw: Cue[] = [];
  for (const segment of transcript.segments) {
    const fits = segment.text.length <= maxChars && segment.end - segment.start <= maxSeconds;
    if (fits || segment.words.length <= 1) {
      raw.push({ start: segment.start, end: segment.end, text: segment.text });
      continue;
    }
    let words: string[] = [];
    let start = 0;
    let end = 0;
    for (const w of segment.words) {
      const text = [...words, w.word].join(' ');
      if (words.length > 0 && (text.length > maxChars || w.end - start > maxSeconds)) {
        raw.push({ start, end, text: words.join(' ') });
        words = [];
      }
      if (words.length === 0) start = w.start;
      words.push(w.word);
      end = w.end;
    }
    if (words.length > 0) raw.push({ start, end, text: words.join(' ') });
  }
  const cues: Cue[] = [];
  let previousEnd = 0;
  for (const c of raw) {
    const start = Math.max(c.start, previousEnd);
    const end = Math.max(c.end, start);
    cues.push({ start, end, text: c.text });
    previousEnd = end;
  }
  return cues;
}
