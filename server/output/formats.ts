/**
 * The output formats of `speechstream transcribe`:
 * - txt:  the text, one line per segment;
 * - json: one JSON object per input on one line (file, text, duration, words, segments);
 * - srt / vtt: subtitle cues (see cues.ts).
 */
import { type Cue, transcriptCues } from './cues.js';
import type { Transcript } from './transcript.js';

export const outputFormats = ['txt', 'json', 'srt', 'vtt'] as const;
export type OutputFormat = (typeof outputFormats)[number];

export function formatTranscript(transcript: Transcript, format: OutputFormat): string {
  switch (format) {
    case 'txt':
      return formatTxt(transcript);
    case 'json':
      return formatJson(transcript);
    case 'srt':
      return formatSrt(transcriptCues(transcript));
    case 'vtt':
      return formatVtt(transcriptCues(transcript));
  }
}

export function formatTxt(transcript: Transcript): string {
  return transcript.segments.map((s) => `${s.text}\n`).join('');
}

const ms = (t: number) => Math.round(t * 1000) / 1000;

export function formatJson(transcript: Transcript): string {
  const word = (w: Transcript['words'][number]) => ({
    word: w.word,
    start: ms(w.start),
    end: ms(w.end),
    confidence: Math.round(w.confidence * 10000) / 10000,
  });
  return `${JSON.stringify({
    file: transcript.file,
    text: transcript.text,
    duration: ms(transcript.duration),
    words: transcript.words.map(word),
    segments: transcript.segments.map((s) => ({
      id: s.id,
      start: ms(s.start),
      end: ms(s.end),
      text: s.text,
      words: s.words.map(word),
    })),
  })}\n`;
}

/** 3723.5 -> '01:02:03,500' (srt) or '01:02:03.500' (vtt). */
export function cueTime(seconds: number, separator: ',' | '.'): string {
  const total = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const s = Math.floor((total % 60_000) / 1000);
  const milli = total % 1000;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(h)}:${two(m)}:${two(s)}${separator}${String(milli).padStart(3, '0')}`;
}

export function formatSrt(cues: readonly Cue[]): string {
  return cues
    .map((c, i) => `${i + 1}\n${cueTime(c.start, ',')} --> ${cueTime(c.end, ',')}\n${c.text}\n\n`)
    .join('');
}

export function formatVtt(cues: readonly Cue[]): string {
  const body = cues.map((c) => `${cueTime(c.start, '.')} --> ${cueTime(c.end, '.')}\n${c.text}\n\n`).join('');
  return `WEBVTT\n\n${body}`;
}
