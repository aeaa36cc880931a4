import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RealFft } from '../../../asr/features/real-fft.js';
import { reflectIndex, Stft } from '../../../tts/audio/stft.js';
import { maxAbsDiff, melGoldenInput } from './mel-golden.js';

/** Textbook inverse DFT of bins 0..n/2 of a real signal (numpy irfft), the independent reference. */
function naiveIrfft(re: Float64Array, im: Float64Array, n: number): Float64Array {
  const x = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let s = re[0]! + re[n / 2]! * (t % 2 === 0 ? 1 : -1);
    for (let k = 1; k < n / 2; k++) {
      const a = (2 * Math.PI * k * t) / n;
      s += 2 * (re[k]! * Math.cos(a) - im[k]! * Math.sin(a));
    }
    x[t] = s / n;
  }
  return x;
}

describe('RealFft.inverse', () => {
  it.each([2, 4, 8, 64, 256, 1024])('matches the naive inverse DFT for n = %i', (n) => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n + 2, maxLength: n + 2 }),
        (values) => {
          const re = Float64Array.from(values.slice(0, n / 2 + 1));
          const im = Float64Array.from(values.slice(n / 2 + 1, n + 2));
          const out = new Float64Array(n);
          new RealFft(n).inverse(re, im, out);
          expect(maxAbsDiff(out, naiveIrfft(re, im, n))).toBeLessThan(1e-9 * n);
        },
      ),
      { numRuns: n >= 256 ? 5 : 30 },
    );
  });

  it('undoes forward', () => {
    const n = 512;
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + 0.25 * Math.cos(i * 2.1) - 0.1);
    const fft = new RealFft(n);
    const re = new Float64Array(n / 2 + 1);
    const im = new Float64Array(n / 2 + 1);
    fft.forward(x, re, im);
    const y = new Float64Array(n);
    fft.inverse(re, im, y);
    expect(maxAbsDiff(x, y)).toBeLessThan(1e-12);
  });
});

describe('reflectIndex', () => {
  it("follows torch's 'reflect' padding (edge not repeated)", () => {
    // torch.nn.functional.pad(arange(5), (3, 3), mode='reflect') = [3,2,1,0,1,2,3,4,3,2,1]
    expect([-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7].map((i) => reflectIndex(i, 5))).toEqual([
      3, 2, 1, 0, 1, 2, 3, 4, 3, 2, 1,
    ]);
    expect(reflectIndex(-7, 1)).toBe(0);
    // Past one reflection it keeps bouncing: period 2(n-1).
    expect([8, 9, -5, -9].map((i) => reflectIndex(i, 5))).toEqual([0, 1, 3, 1]);
  });
});

describe('Stft (contract geometry)', () => {
  const stft = new Stft({ nFft: 1024, winLength: 1024, hopLength: 320 });

  it('inverse(forward(x)) = x on real speech, for F·hop and other lengths', () => {
    const x = melGoldenInput('jfk-3s').subarray(0, 16000);
    const spec = stft.forward(x);
    expect(spec.numFrames).toBe(51);
    const y = stft.inverse(spec, x.length);
    expect(maxAbsDiff(x, y)).toBeLessThan(1e-6);
    // A frame count's natural length (F·hop) runs 320 samples past the signal; the rest still matches.
    const z = stft.inverse(spec);
    expect(z.length).toBe(51 * 320);
    expect(maxAbsDiff(x, z.subarray(0, x.length))).toBeLessThan(1e-6);
  });

  it('frame t equals the DFT of the reflect-padded, windowed samples centred on t·hop', () => {
    const x = melGoldenInput('jfk-odd-length');
    const spec = stft.forward(x);
    expect(spec.numFrames).toBe(1 + Math.floor(x.length / 320));
    for (const t of [0, 1, 7, spec.numFrames - 1]) {
      let re = 0;
      let im = 0;
      const k = 37;
      for (let i = 0; i < 1024; i++) {
        const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / 1024);
        const v = x[reflectIndex(t * 320 - 512 + i, x.length)]! * w;
        re += v * Math.cos((-2 * Math.PI * k * i) / 1024);
        im += v * Math.sin((-2 * Math.PI * k * i) / 1024);
      }
      expect(spec.re[t * 513 + k]).toBeCloseTo(re, 9);
      expect(spec.im[t * 513 + k]).toBeCloseTo(im, 9);
    }
  });

  it('rejects an empty signal and a mismatched spectrum', () => {
    expect(() => stft.forward(new Float32Array(0))).toThrow(/empty/);
    const small = new Stft({ nFft: 16, winLength: 16, hopLength: 4 });
    expect(() => stft.inverse(small.forward(new Float32Array(20)))).toThrow(/bins/);
  });
});
