// The pure parts of the CLI output: transcript assembly, subtitle cues and times, the
// json line, the progress bar (rendering and its 10-per-second throttle), hotwords.
import { describe, expect, it } from 'vitest';
import type { AsrResult } from '../../../asr/text/asr-result.js';
import { parseHotword } from '../../../server/commands/transcribe-options.js';
import { transcriptCues } from '../../../server/output/cues.js';
import { cueTime, formatJson, formatSrt, formatTxt, formatVtt } from '../../../server/output/formats.js';
import { ProgressBar, renderProgress } from '../../../server/output/progress-bar.js';
import { TranscriptBuilder } from '../../../server/output/transcript.js';

function result(words: [string, number, number][]): AsrResult {
  return {
    text: words.map((w) => w[0]).join(' '),
    tokens: words.map((_, i) => i),
    timestamps: words.map((w) => w[1]),
    words: words.map(([word, start, end]) => ({ word, start, end, confidence: 0.987654 })),
  };
}

describe('TranscriptBuilder', () => {
  it('assembles segments in order, skips empty ones and keeps times from going backwards', () => {
    const b = new TranscriptBuilder('a.wav');
    expect(b.add(result([]), { start: 0, end: 1 })).toBeUndefined();
    b.add(
      result([
        ['one', 0.5, 0.9],
        ['two', 1.0, 1.3],
      ]),
      { start: 0, end: 2 },
    );
    // A second segment whose first word overlaps the first segment's end.
    b.add(result([['three', 1.2, 1.6]]), { start: 1.1, end: 2 });
    const t = b.finish(2.5);
    expect(t.text).toBe('one two three');
    expect(t.segments.map((s) => [s.id, s.start, s.end])).toEqual([
      [0, 0.5, 1.3],
      [1, 1.3, 1.6],
    ]);
    expect(t.words.map((w) => w.word)).toEqual(['one', 'two', 'three']);
    expect(formatTxt(t)).toBe('one two\nthree\n');
    const json = formatJson(t);
    expect(json.endsWith('\n')).toBe(true);
    expect(json.trim()).not.toContain('\n');
    expect(JSON.parse(json)).toMatchObject({
      file: 'a.wav',
      text: 'one two three',
      duration: 2.5,
      words: [{ word: 'one', start: 0.5, end: 0.9, confidence: 0.9877 }, {}, {}],
      segments: [
        { id: 0, text: 'one two' },
        { id: 1, text: 'three' },
      ],
    });
  });
});

describe('subtitle cues', () => {
  it('formats times', () => {
    expect(cueTime(0, ',')).toBe('00:00:00,000');
    expect(cueTime(3723.5, ',')).toBe('01:02:03,500');
    expect(cueTime(59.9996, '.')).toBe('00:01:00.000');
  });

  it('one cue per short segment; long segments split between words, within limits', () => {
    const b = new TranscriptBuilder('x');
    b.add(result([['hello', 0, 0.5]]), { start: 0, end: 1 });
    const many: [string, number, number][] = [];
    for (let i = 0; i < 40; i++) many.push([`word${i}`, 2 + i * 0.4, 2 + i * 0.4 + 0.3]);
    b.add(result(many), { start: 2, end: 20 });
    const cues = transcriptCues(b.finish(20));
    expect(cues[0]).toEqual({ start: 0, end: 0.5, text: 'hello' });
    expect(cues.length).toBeGreaterThan(3);
    expect(
      cues
        .slice(1)
        .map((c) => c.text)
        .join(' '),
    ).toBe(many.map((w) => w[0]).join(' '));
    for (const c of cues) {
      expect(c.text.length).toBeLessThanOrEqual(84);
      expect(c.end - c.start).toBeLessThanOrEqual(7);
    }
    const srt = formatSrt(cues);
    expect(srt.startsWith('1\n00:00:00,000 --> 00:00:00,500\nhello\n\n2\n00:00:02,000 --> ')).toBe(true);
    const vtt = formatVtt(cues);
    expect(vtt.startsWith('WEBVTT\n\n00:00:00.000 --> 00:00:00.500\nhello\n\n')).toBe(true);
    expect(formatVtt([])).toBe('WEBVTT\n\n');
    expect(formatSrt([])).toBe('');
  });
});

describe('progress bar', () => {
  it('renders a percentage from the known duration, seconds otherwise, within the width', () => {
    expect(renderProgress('talk.mp3', 0, 100, 60)).toMatch(/^talk\.mp3 \[\.+\] {3}0% {2}0\.0\/100\.0 s$/);
    const half = renderProgress('talk.mp3', 50, 100, 60);
    expect(half).toContain(' 50%');
    expect(half.length).toBeLessThan(60);
    expect(renderProgress('talk.mp3', 150, 100, 60)).toContain('100%');
    expect(renderProgress('stdin', 12.34, undefined)).toBe('stdin  12.3 s');
    expect(renderProgress('a'.repeat(200), 1, 2, 50).length).toBeLessThan(50);
  });

  it('redraws at most every 100 ms and clears its line when done', () => {
    const written: string[] = [];
    let now = 0;
    const bar = new ProgressBar(
      { write: (s: string) => written.push(s), columns: 60 },
      {
        label: 'f',
        totalSeconds: 10,
        now: () => now,
      },
    );
    for (let i = 0; i < 100; i++) {
      bar.update(i / 10);
      now += 7;
    }
    // 700 ms of updates: a redraw at most every 100 ms.
    expect(written.length).toBeLessThanOrEqual(8);
    expect(written.length).toBeGreaterThanOrEqual(6);
    expect(written.every((w) => w.startsWith('\r'))).toBe(true);
    bar.done();
    expect(written.at(-1)).toBe('\r\x1b[K');
  });
});

describe('--hotword', () => {
  it('parses PHRASE[:boost]', () => {
    expect(parseHotword('nine one one')).toEqual({ phrase: 'nine one one' });
    expect(parseHotword('nine one one:2.5')).toEqual({ phrase: 'nine one one', boost: 2.5 });
    expect(parseHotword('ratio 3:4x')).toEqual({ phrase: 'ratio 3:4x' });
    expect(() => parseHotword(':3')).toThrow(/has no phrase/);
  });
});
