import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RealFft } from '../../../asr/features/index.js';
import { isSpeechError } from '../../../common/errors.js';

/** Textbook O(n²) DFT, the independent reference. */
function naiveDft(x: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = x.length;
  const re = new Float64Array(n / 2 + 1);
  const im = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) {
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * k * t) / n;
      re[k] = re[k]! + x[t]! * Math.cos(a);
      im[k] = im[k]! + x[t]! * Math.sin(a);
    }
  }
  return { re, im };
}

describe('RealFft', () => {
  it.each([2, 4, 8, 16, 64, 256, 512, 1024])('matches the naive DFT for n = %i', (n) => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
        (values) => {
          const x = Float64Array.from(values);
          const before = Float64Array.from(values);
          const fft = new RealFft(n);
          const re = new Float64Array(n / 2 + 1);
          const im = new Float64Array(n / 2 + 1);
          const power = new Float64Array(n / 2 + 1);
          fft.forward(x, re, im);
          fft.powerSpectrum(x, power);
          const ref = naiveDft(x);
          for (let k = 0; k <= n / 2; k++) {
            expect(Math.abs(re[k]! - ref.re[k]!)).toBeLessThan(1e-9 * n);
            expect(Math.abs(im[k]! - ref.im[k]!)).toBeLessThan(1e-9 * n);
            expect(Math.abs(power[k]! - (ref.re[k]! ** 2 + ref.im[k]! ** 2))).toBeLessThan(1e-8 * n);
          }
          // The input is read, never written.
          expect(x).toEqual(before);
        },
      ),
      { numRuns: n >= 512 ? 5 : 20 },
    );
  });

  it('rejects sizes that are not powers of two', () => {
    for (const n of [0, 1, 3, 400, 1.5]) {
      let caught: unknown;
      try {
        new RealFft(n);
      } catch (err) {
        caught = err;
      }
      expect(isSpeechError(caught, 'FEATURE_BAD_OPTIONS'), String(n)).toBe(true);
    }
  });
});
