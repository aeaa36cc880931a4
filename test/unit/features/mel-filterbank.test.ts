import { describe, expect, it } from 'vitest';
import {
  htkMel,
  htkMelToHz,
  kaldiMelFilterbank,
  type MelFilterbank,
  slaneyMel,
  slaneyMelFilterbank,
  slaneyMelToHz,
} from '../../../asr/features/index.js';
import { isSpeechError } from '../../../common/errors.js';

const base = { numFilters: 80, sampleRate: 16000, fftSize: 512, lowFreq: 20, highFreq: -400 };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isSpeechError(err) ? err.code : 'not a SpeechError';
  }
  return undefined;
}

/** Highest FFT bin with a non-zero weight in any filter. */
function lastBin(bank: MelFilterbank): number {
  let last = 0;
  for (let i = 0; i < bank.numFilters; i++)
    last = Math.max(last, bank.firstBin[i]! + bank.start[i + 1]! - bank.start[i]! - 1);
  return last;
}

describe('mel scales', () => {
  it('round-trip and hit their anchor points', () => {
    for (const hz of [0, 100, 999, 1000, 4000, 8000]) {
      expect(htkMelToHz(htkMel(hz))).toBeCloseTo(hz, 9);
      expect(slaneyMelToHz(slaneyMel(hz))).toBeCloseTo(hz, 9);
    }
    expect(slaneyMel(1000)).toBeCloseTo(15, 12); // linear part: 3f/200
    expect(slaneyMel(6400)).toBeCloseTo(15 + 27, 12); // log part: 27 mels per factor 6.4
    expect(htkMel(700)).toBeCloseTo(1127 * Math.log(2), 12);
  });
});

describe('kaldiMelFilterbank', () => {
  it('reads bins 0..N/2-1 only and honours high <= 0 as Nyquist + high', () => {
    const bank = kaldiMelFilterbank(base);
    expect(bank.numFilters).toBe(80);
    expect(bank.numFftBins).toBe(257);
    // 7600 Hz / 31.25 Hz per bin = 243.2: no weight may reach bin 244.
    expect(lastBin(bank)).toBe(243);
    const full = kaldiMelFilterbank({ ...base, highFreq: 0 });
    expect(lastBin(full)).toBe(255); // never the Nyquist bin 256
    expect(bank.firstBin[0]).toBe(1); // 20 Hz lower edge: bin 0 (0 Hz) is outside
  });

  it('builds triangles in the mel domain with peak weights below 1 and no normalisation', () => {
    const bank = kaldiMelFilterbank(base);
    for (const w of bank.weights) {
      expect(w).toBeGreaterThanOrEqual(0);
      expect(w).toBeLessThanOrEqual(1);
    }
    // Weight of a bin = its distance in mel from the filter's left edge over the half width.
    const delta = (htkMel(7600) - htkMel(20)) / 81;
    const i = 40;
    const left = htkMel(20) + i * delta;
    const k = bank.firstBin[i]!;
    expect(bank.weights[bank.start[i]!]).toBeCloseTo((htkMel(k * 31.25) - left) / delta, 12);
  });

  it('applies sparsely exactly like the dense matrix', () => {
    const bank = kaldiMelFilterbank(base);
    const dense = bank.toDense();
    const power = Float64Array.from({ length: 257 }, (_, k) => Math.abs(Math.sin(k * 0.37)) + k / 100);
    const out = new Float64Array(80);
    bank.apply(power, out);
    for (let i = 0; i < 80; i++) {
      let ref = 0;
      for (let k = 0; k < 257; k++) ref += dense[i * 257 + k]! * power[k]!;
      expect(out[i]).toBeCloseTo(ref, 12);
    }
  });

  it('rejects bad bands and too many bins with FEATURE_BAD_OPTIONS', () => {
    expect(codeOf(() => kaldiMelFilterbank({ ...base, lowFreq: 8000 }))).toBe('FEATURE_BAD_OPTIONS');
    expect(codeOf(() => kaldiMelFilterbank({ ...base, highFreq: 9000 }))).toBe('FEATURE_BAD_OPTIONS');
    expect(codeOf(() => kaldiMelFilterbank({ ...base, lowFreq: 7700 }))).toBe('FEATURE_BAD_OPTIONS');
    expect(codeOf(() => kaldiMelFilterbank({ ...base, numFilters: 2 }))).toBe('FEATURE_BAD_OPTIONS');
    expect(codeOf(() => kaldiMelFilterbank({ ...base, numFilters: 200 }))).toBe('FEATURE_BAD_OPTIONS');
  });
});

describe('slaneyMelFilterbank', () => {
  const opts = { ...base, lowFreq: 0, highFreq: 8000 };

  it('includes the Nyquist bin and normalises each triangle to unit area in Hz', () => {
    const bank = slaneyMelFilterbank(opts);
    expect(bank.numFftBins).toBe(257);
    // Area of a slaney-normalised triangle is 1; the discrete sum times the bin width approximates it
    // for the wide upper filters (the narrow low ones are under-sampled by a 31.25 Hz grid).
    for (let i = 60; i < 80; i++) {
      let sum = 0;
      for (let j = bank.start[i]!; j < bank.start[i + 1]!; j++) sum += bank.weights[j]!;
      expect(sum * 31.25).toBeCloseTo(1, 1);
    }
  });

  it('without norm peaks near 1 and differs from slaney only by 2/(right-left)', () => {
    const plain = slaneyMelFilterbank(opts, 'none');
    const normed = slaneyMelFilterbank(opts, 'slaney');
    const melLow = slaneyMel(0);
    const delta = (slaneyMel(8000) - melLow) / 81;
    for (const i of [0, 40, 79]) {
      const width = slaneyMelToHz(melLow + (i + 2) * delta) - slaneyMelToHz(melLow + i * delta);
      const j = normed.start[i]!;
      expect(normed.weights[j]! / plain.weights[j]!).toBeCloseTo(2 / width, 12);
    }
    expect(Math.max(...plain.weights)).toBeLessThanOrEqual(1);
  });
});
