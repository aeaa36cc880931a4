import { describe, expect, it } from 'vitest';
import { computeNemoMel, normalizePerFeature, resolveNemoMelOptions } from '../../../asr/features/index.js';
import { isSpeechError } from '../../../common/errors.js';
import { goldenInput } from './golden-fixture.js';

describe('computeNemoMel', () => {
  const jfk = goldenInput('jfk-2.5s').samples;

  it('gives floor(N/160) frames (NeMo masks the last STFT frame)', () => {
    for (const n of [0, 159, 160, 161, 319, 320, 40117]) {
      expect(computeNemoMel(jfk.subarray(0, n), { normalize: 'none' }).numFrames).toBe(Math.floor(n / 160));
    }
  });

  it('per_feature equals the un-normalised features normalised with the unbiased std + 1e-5', () => {
    const raw = computeNemoMel(jfk, { normalize: 'none' });
    const norm = computeNemoMel(jfk, { normalize: 'per_feature' });
    const dim = raw.dim;
    for (const d of [0, 37, 79]) {
      let mean = 0;
      for (let t = 0; t < raw.numFrames; t++) mean += raw.data[t * dim + d]!;
      mean /= raw.numFrames;
      let ss = 0;
      for (let t = 0; t < raw.numFrames; t++) ss += (raw.data[t * dim + d]! - mean) ** 2;
      const std = Math.sqrt(ss / (raw.numFrames - 1)) + 1e-5;
      for (const t of [0, 100, raw.numFrames - 1]) {
        expect(norm.data[t * dim + d]).toBeCloseTo((raw.data[t * dim + d]! - mean) / std, 4);
      }
    }
  });

  it('takes the feature dimension from numMelBins (128 for parakeet-tdt-0.6b)', () => {
    expect(computeNemoMel(jfk.subarray(0, 8000), { numMelBins: 128 }).dim).toBe(128);
  });

  it('rejects a window longer than n_fft', () => {
    let caught: unknown;
    try {
      resolveNemoMelOptions({ windowLength: 600 });
    } catch (err) {
      caught = err;
    }
    expect(isSpeechError(caught, 'FEATURE_BAD_OPTIONS')).toBe(true);
  });
});

describe('normalizePerFeature', () => {
  const matrix = () => ({ data: Float32Array.from([1, 10, 2, 20, 3, 60]), numFrames: 3, dim: 2 });

  it('uses T-1 for unbiased and T for population variance', () => {
    const unbiased = matrix();
    normalizePerFeature(unbiased, { variance: 'unbiased', epsilon: 0 });
    // Column 0: mean 2, unbiased std 1 -> [-1, 0, 1].
    expect(Array.from(unbiased.data.filter((_, i) => i % 2 === 0))).toEqual([-1, 0, 1]);
    const population = matrix();
    normalizePerFeature(population, { variance: 'population', epsilon: 0 });
    const s = Math.sqrt(2 / 3);
    expect(population.data[0]).toBeCloseTo(-1 / s, 6);
    // Column 1: mean 30, unbiased std sqrt(700).
    expect(unbiased.data[5]).toBeCloseTo(30 / Math.sqrt(700), 6);
  });

  it('adds epsilon to the std, and maps a single frame to 0 rather than NaN', () => {
    const m = { data: Float32Array.from([5, 5, 5, 5]), numFrames: 2, dim: 2 };
    normalizePerFeature(m, { variance: 'unbiased' });
    expect(Array.from(m.data)).toEqual([0, 0, 0, 0]);
    const one = { data: Float32Array.from([3, -4]), numFrames: 1, dim: 2 };
    normalizePerFeature(one, { variance: 'unbiased' });
    expect(Array.from(one.data)).toEqual([0, 0]);
  });
});
