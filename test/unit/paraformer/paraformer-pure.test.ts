// Pure pieces of the Paraformer runtime, with hand-computed expectations: the streaming
// CIF, token timing from BiCif peaks, sherpa's float32 endpoint test, and the float32
// CMVN / position encoding against the float64 versions in asr/features.
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENDPOINT_CONFIG, mergeEndpointConfig } from '../../../asr/endpoint.js';
import { addSinusoidalPositionEncoding, applyCmvn } from '../../../asr/features/index.js';
import {
  addPositionEncodingFloat32,
  applyCmvnFloat32,
  cifPeakIndices,
  cifStep,
  createCifState,
  tokenFrames,
} from '../../../asr/paraformer/index.js';
import { sherpaEndpoint } from '../../../asr/paraformer/sherpa-endpoint.js';
import { rng } from './helpers.js';

const f32 = (xs: readonly number[]) => Float32Array.from(xs);

describe('streaming CIF (cifStep)', () => {
  // Two-dimensional encoder frames h_i = (i + 1, 10 (i + 1)).
  const enc = f32([1, 10, 2, 20, 3, 30, 4, 40, 5, 50]);

  it('fires when the integrated weight reaches 1, splitting the crossing frame', () => {
    const state = createCifState(2);
    const fires = cifStep(state, enc, f32([0.4, 0.4, 0.4, 0.9, 0.1]));
    expect(fires.frames).toEqual([2, 3]);
    // 0.4 h0 + 0.4 h1 + 0.2 h2, then 0.2 h2 + 0.8 h3.
    const want = [0.4 * 1 + 0.4 * 2 + 0.2 * 3, 0.2 * 3 + 0.8 * 4];
    expect(fires.embeds[0]).toBeCloseTo(want[0]!, 5);
    expect(fires.embeds[1]).toBeCloseTo(10 * want[0]!, 4);
    expect(fires.embeds[2]).toBeCloseTo(want[1]!, 5);
    expect(fires.embeds[3]).toBeCloseTo(10 * want[1]!, 4);
    // Remainder 0.1 of h3, plus 0.1 of h4.
    expect(state.integrate).toBeCloseTo(0.2, 6);
    expect(state.hidden[0]).toBeCloseTo(0.1 * 4 + 0.1 * 5, 5);
  });

  it('gives the same fires whether the frames come in one call or several', () => {
    const next = rng(5);
    const dim = 3;
    const t = 40;
    const h = Float32Array.from({ length: t * dim }, () => next() * 2 - 1);
    const a = Float32Array.from({ length: t }, () => next() * 0.7);
    const whole = cifStep(createCifState(dim), h, a);
    const state = createCifState(dim);
    const frames: number[] = [];
    const embeds: number[] = [];
    for (const [start, end] of [
      [0, 7],
      [7, 8],
      [8, 25],
      [25, 40],
    ] as const) {
      const part = cifStep(state, h.subarray(start * dim, end * dim), a.subarray(start, end));
      frames.push(...part.frames.map((f) => f + start));
      embeds.push(...part.embeds);
    }
    expect(frames).toEqual(whole.frames);
    expect(embeds).toEqual(Array.from(whole.embeds));
    expect(whole.frames.length).toBeGreaterThan(5);
  });

  it('fires at most once per frame, as sherpa does, carrying the excess', () => {
    const state = createCifState(2);
    const fires = cifStep(state, enc.subarray(0, 4), f32([1.5, 0.2]));
    expect(fires.frames).toEqual([0]);
    expect(state.integrate).toBeCloseTo(0.7, 6);
  });
});

describe('token timing from BiCif peaks', () => {
  const peaks = f32([0.2, 0.5, 0.99995, 0.3, 0.9998, 1.2, 0.1, 1.0, 0.4]);

  it('finds fires where the peak exceeds 1 - 1e-4', () => {
    expect(cifPeakIndices(peaks)).toEqual([2, 5, 7]);
  });

  it('maps decoder position j to fire j, in LFR frames (3 peak indices each)', () => {
    expect(tokenFrames([0, 1], peaks, 3, 3)).toEqual({ source: 'cif-peaks', frames: [2 / 3, 5 / 3] });
    expect(tokenFrames([1, 2], peaks, 3, 3).frames).toEqual([5 / 3, 7 / 3]);
  });

  it('spreads tokens evenly when there are no peaks or too few', () => {
    expect(tokenFrames([0, 1, 2], undefined, 4, 20)).toEqual({ source: 'even-spread', frames: [0, 5, 10] });
    expect(tokenFrames([0, 3], peaks, 4, 8)).toEqual({ source: 'even-spread', frames: [0, 6] });
  });
});

describe("sherpa's float32 endpoint test", () => {
  const rule2At = (seconds: number) => mergeEndpointConfig({ rule2: { minTrailingSilence: seconds } });

  it('does not count 60 frames of 10 ms as 0.6 s (float32), 61 frames it does', () => {
    const config = rule2At(0.6);
    expect(sherpaEndpoint(config, 200, 60, 0.01)).toBeNull();
    expect(sherpaEndpoint(config, 200, 61, 0.01)).toBe('rule2');
  });

  it('treats an utterance as containing speech only when it is longer than its silence', () => {
    const config = rule2At(0.5);
    // Everything decoded is trailing silence: rule2 (speech required) cannot fire.
    expect(sherpaEndpoint(config, 100, 100, 0.01)).toBeNull();
    expect(sherpaEndpoint(config, 101, 100, 0.01)).toBe('rule2');
  });

  it('applies rule1 (silence only) and rule3 (length cap) with the default numbers', () => {
    expect(sherpaEndpoint(DEFAULT_ENDPOINT_CONFIG, 241, 241, 0.01)).toBe('rule1');
    expect(sherpaEndpoint(DEFAULT_ENDPOINT_CONFIG, 239, 239, 0.01)).toBeNull();
    expect(sherpaEndpoint(DEFAULT_ENDPOINT_CONFIG, 2000, 0, 0.01)).toBe('rule3');
    expect(sherpaEndpoint(DEFAULT_ENDPOINT_CONFIG, 1999, 0, 0.01)).toBeNull();
  });
});

describe('float32 CMVN and position encoding', () => {
  const next = rng(9);
  const dim = 560;
  const frames = 12;
  const data = () => Float32Array.from({ length: frames * dim }, () => Math.fround(next() * 30 - 5));
  const negMean = Float32Array.from({ length: dim }, () => Math.fround(-10 - next() * 8));
  const invStddev = Float32Array.from({ length: dim }, () => Math.fround(0.2 + next() * 0.4));

  it('computes (x + neg_mean) * inv_stddev with float32 rounding at each step', () => {
    const x = data();
    const ours = { data: x.slice(), numFrames: frames, dim };
    applyCmvnFloat32(ours, { negMean, invStddev }, 8);
    const scaled = invStddev.map((v) => Math.fround(v * 8));
    for (let i = 0; i < x.length; i += 97) {
      const d = i % dim;
      expect(ours.data[i]).toBe(Math.fround(Math.fround(x[i]! + negMean[d]!) * scaled[d]!));
    }
    // And stays within float32 rounding of the float64 version in asr/features.
    const wide = { data: x.slice(), numFrames: frames, dim };
    applyCmvn(wide, { negMean, invStddev }, 8);
    for (let i = 0; i < x.length; i++) {
      expect(Math.abs(ours.data[i]! - wide.data[i]!)).toBeLessThanOrEqual(
        4e-7 * Math.abs(wide.data[i]!) + 1e-7,
      );
    }
  });

  it('adds the sinusoidal encoding at 1-based positions like the float64 version, to float32 accuracy', () => {
    for (const offset of [0, 10, 2800]) {
      const base = new Float32Array(frames * dim);
      const ours = { data: base.slice(), numFrames: frames, dim };
      const wide = { data: base.slice(), numFrames: frames, dim };
      addPositionEncodingFloat32(ours, offset);
      addSinusoidalPositionEncoding(wide, offset + 1);
      let worst = 0;
      for (let i = 0; i < base.length; i++) worst = Math.max(worst, Math.abs(ours.data[i]! - wide.data[i]!));
      // float32 angles p·e_d carry an error of about p·2^-24.
      expect(worst).toBeLessThanOrEqual(2e-7 * (offset + frames + 1) + 1e-6);
      if (offset === 0) {
        // Position 1, dim 0: sin(1), cos(1).
        expect(ours.data[0]).toBeCloseTo(Math.sin(1), 6);
        expect(ours.data[dim / 2]).toBeCloseTo(Math.cos(1), 6);
      }
    }
  });
});
