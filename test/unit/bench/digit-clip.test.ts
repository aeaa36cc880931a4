// The load bench's digit string: word times come from the audio itself, so they must sit
// on the speech, in order, and the clip must be the same on every run.
import { describe, expect, it } from 'vitest';
import { buildDigitClip, speechSpan } from '../../bench/digit-clip.js';
import { haveData } from '../asr/helpers/clips.js';

describe('speechSpan', () => {
  it('finds the loud stretch between quiet ones, in 10 ms frames', () => {
    const x = new Float32Array(16000);
    for (let i = 4000; i < 9600; i++) x[i] = 0.5 * Math.sin(i / 5);
    for (let i = 0; i < x.length; i++) x[i]! += 0.001 * Math.sin(i * 1.3);
    expect(speechSpan(x)).toEqual({ first: 25, last: 59 });
  });
});

describe.runIf(haveData())('buildDigitClip', () => {
  it('places ordered words on speech, separated by silence, deterministically', async () => {
    const a = await buildDigitClip(12, 3);
    const b = await buildDigitClip(12, 3);
    expect(a.words).toEqual(b.words);
    expect(a.samples).toEqual(b.samples);
    expect(a.words).toHaveLength(12);
    const rms = (from: number, to: number) => {
      const s = a.samples.subarray(Math.round(from * 16000), Math.round(to * 16000));
      return Math.sqrt(s.reduce((n, v) => n + v * v, 0) / s.length);
    };
    let previousEnd = 0;
    for (const w of a.words) {
      expect(w.start).toBeGreaterThan(previousEnd);
      expect(w.end).toBeGreaterThan(w.start + 0.1);
      // Speech inside the word, silence in the pause before it.
      expect(rms(w.start, w.end)).toBeGreaterThan(0.001);
      expect(rms(previousEnd + 0.04, w.start - 0.04)).toBeLessThan(rms(w.start, w.end) / 20);
      previousEnd = w.end;
    }
    expect(a.samples.length / 16000).toBeGreaterThan(previousEnd + 0.45);
  });
});
