import { describe, expect, it } from 'vitest';
import { makeWindow, windowTypes } from '../../../asr/features/index.js';

describe('makeWindow', () => {
  const n = 400;

  it('builds symmetric windows with the (L-1) denominator', () => {
    for (const type of ['povey', 'hamming', 'hanning', 'hann-symmetric', 'rectangular'] as const) {
      const w = makeWindow(type, n);
      for (let i = 0; i < n; i++) expect(w[i]).toBeCloseTo(w[n - 1 - i]!, 14);
    }
    expect(makeWindow('hanning', n)[0]).toBe(0);
    expect(makeWindow('hamming', n)[0]).toBeCloseTo(0.08, 14);
    expect(makeWindow('hamming', n)[n - 1]).toBeCloseTo(0.08, 14);
    expect(Array.from(makeWindow('hann-symmetric', n))).toEqual(Array.from(makeWindow('hanning', n)));
  });

  it('builds the periodic hann (knf "hann", torch.hann_window default): zero at 0, one at L/2, not symmetric', () => {
    const w = makeWindow('hann', n);
    expect(w[0]).toBe(0);
    expect(w[n / 2]).toBeCloseTo(1, 14);
    expect(w[n - 1]).toBeGreaterThan(0);
    expect(w[1]).toBeCloseTo(w[n - 1]!, 14);
    expect(w[n - 1]).toBeCloseTo(0.5 - 0.5 * Math.cos((2 * Math.PI * (n - 1)) / n), 14);
  });

  it('builds povey as the symmetric hann raised to 0.85', () => {
    const povey = makeWindow('povey', n);
    const hanning = makeWindow('hanning', n);
    for (let i = 0; i < n; i++) expect(povey[i]).toBeCloseTo(hanning[i]! ** 0.85, 14);
  });

  it('lists every supported type', () => {
    expect(windowTypes).toEqual(['povey', 'hamming', 'hanning', 'hann', 'hann-symmetric', 'rectangular']);
    expect(Array.from(makeWindow('rectangular', 4))).toEqual([1, 1, 1, 1]);
  });
});
