import { describe, expect, it } from 'vitest';
import type { FeatureMatrix } from '../../../asr/features/feature-matrix.js';
import { griffinLim, griffinLimMagnitude, ttsMelInverse } from '../../../tts/audio/griffin-lim.js';
import { computeLogMel, ttsMelFilterbank, ttsStft } from '../../../tts/mel-spec.js';
import { maxAbsDiff, melGoldenInput } from './mel-golden.js';

/** ||S - Ŝ||_F / ||S||_F of the contract STFT magnitudes. */
function spectralConvergence(reference: Float32Array, estimate: Float32Array): number {
  const a = ttsStft().magnitude(reference).data;
  const b = ttsStft().magnitude(estimate.subarray(0, reference.length)).data;
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += a[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

/** Mean |log-mel(reference) - log-mel(estimate)|, nats. */
function logMelDistance(reference: FeatureMatrix, estimate: Float32Array, length: number): number {
  const b = computeLogMel(estimate.subarray(0, length));
  let s = 0;
  for (let i = 0; i < reference.data.length; i++) s += Math.abs(reference.data[i]! - b.data[i]!);
  return s / reference.data.length;
}

describe('MelInverse', () => {
  it('reproduces any mel it is given where the result stays non-negative (M·pinv = I)', () => {
    const inv = ttsMelInverse();
    const dense = ttsMelFilterbank().toDense();
    // A smooth positive mel whose least-squares pre-image is positive: a flat one.
    const logMel = { data: new Float32Array(80).fill(Math.log(0.01)), numFrames: 1, dim: 80 };
    const lin = inv.magnitude(logMel);
    expect(Math.min(...lin)).toBeGreaterThanOrEqual(0);
    const mel = new Float64Array(80);
    for (let i = 0; i < 80; i++) for (let k = 0; k < 513; k++) mel[i]! += dense[i * 513 + k]! * lin[k]!;
    expect(maxAbsDiff(mel, new Float64Array(80).fill(0.01))).toBeLessThan(1e-9);
  });

  it('rejects a log-mel of the wrong width', () => {
    expect(() => ttsMelInverse().magnitude({ data: new Float32Array(64), numFrames: 1, dim: 64 })).toThrow(
      /80 bins/,
    );
  });
});

describe('griffinLim', () => {
  const cases = ['jfk-3s', 'festival-kal'] as const;

  it.each(cases)('copy-synthesises %s: mel distance and spectral convergence within bounds', (name) => {
    const x = melGoldenInput(name);
    const logMel = computeLogMel(x);
    const y = griffinLim(logMel);
    expect(y.length).toBe(logMel.numFrames * 320);
    // Measured 0.37 (jfk) / 0.32 (festival) SC and 0.11 / 0.13 nats; the mel inversion bounds SC.
    expect(spectralConvergence(x, y)).toBeLessThan(0.45);
    expect(logMelDistance(logMel, y, x.length)).toBeLessThan(0.15);
    // The iterations are what gets it there: random phase alone is far off.
    const noIterations = griffinLim(logMel, { iterations: 0 });
    expect(logMelDistance(logMel, noIterations, x.length)).toBeGreaterThan(0.4);
  });

  it('converges close to the signal given the true linear magnitude (the oracle case)', () => {
    const x = melGoldenInput('jfk-3s');
    const mag = ttsStft().magnitude(x);
    const y = griffinLimMagnitude(mag.data, mag.numFrames, { iterations: 64 });
    // Classic GL (momentum 0) converges slower than the fast variant.
    const slow = griffinLimMagnitude(mag.data, mag.numFrames, { iterations: 64, momentum: 0 });
    const fast = spectralConvergence(x, y);
    expect(fast).toBeLessThan(0.1); // measured 0.03 (momentum 0: 0.06)
    expect(fast).toBeLessThan(spectralConvergence(x, slow));
  });

  it('is deterministic for a seed and depends on it', () => {
    const logMel = computeLogMel(melGoldenInput('jfk-short'));
    expect(griffinLim(logMel, { seed: 3 })).toEqual(griffinLim(logMel, { seed: 3 }));
    expect(maxAbsDiff(griffinLim(logMel, { seed: 3 }), griffinLim(logMel, { seed: 4 }))).toBeGreaterThan(0);
    expect(griffinLim(logMel, { init: 'zeros' }).length).toBe(3 * 320);
  });

  it('rejects bad options', () => {
    const logMel = computeLogMel(melGoldenInput('jfk-short'));
    expect(() => griffinLim(logMel, { momentum: 1 })).toThrow(/momentum/);
    expect(() => griffinLim(logMel, { iterations: -1 })).toThrow(/iterations/);
    expect(() => griffinLim({ data: new Float32Array(0), numFrames: 0, dim: 80 })).toThrow(/at least one/);
  });
});
