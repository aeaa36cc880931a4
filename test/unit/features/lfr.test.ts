import { describe, expect, it } from 'vitest';
import {
  applyLfrOffline,
  applyLfrOnline,
  type FeatureMatrix,
  numLfrFramesOnline,
} from '../../../asr/features/index.js';

/** T frames of dim 2 whose values name their frame: row t = [t, 100 + t]. */
function ramp(t: number): FeatureMatrix {
  const data = new Float32Array(2 * t);
  for (let i = 0; i < t; i++) data.set([i, 100 + i], 2 * i);
  return { data, numFrames: t, dim: 2 };
}

/** The source frame indices an LFR output row was built from (its even entries). */
function sources(m: FeatureMatrix, row: number): number[] {
  return Array.from(m.data.subarray(row * m.dim, (row + 1) * m.dim)).filter((_, i) => i % 2 === 0);
}

describe('offline LFR (FunASR apply_lfr)', () => {
  it('pads 3 copies of frame 0 in front and repeats the last frame at the end', () => {
    const out = applyLfrOffline(ramp(14));
    expect(out.numFrames).toBe(3); // ceil(14 / 6)
    expect(out.dim).toBe(14);
    expect(sources(out, 0)).toEqual([0, 0, 0, 0, 1, 2, 3]);
    expect(sources(out, 1)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(sources(out, 2)).toEqual([9, 10, 11, 12, 13, 13, 13]);
    // The second half of each 2-dim frame travels with it.
    expect(Array.from(out.data.subarray(0, 4))).toEqual([0, 100, 0, 100]);
  });

  it('gives ceil(T/6) frames for every length, including 0 and 1', () => {
    for (let t = 0; t <= 20; t++) expect(applyLfrOffline(ramp(t)).numFrames).toBe(Math.ceil(t / 6));
    expect(sources(applyLfrOffline(ramp(1)), 0)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('online LFR (sherpa streaming Paraformer)', () => {
  it('has no padding: row i is frames [6i, 6i + 7)', () => {
    const out = applyLfrOnline(ramp(61));
    expect(out.numFrames).toBe(10); // (61 - 7) / 6 + 1
    expect(sources(out, 0)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(sources(out, 9)).toEqual([54, 55, 56, 57, 58, 59, 60]);
  });

  it('counts only complete windows and can write into a caller buffer', () => {
    expect([0, 6, 7, 12, 13, 19].map((t) => numLfrFramesOnline(t))).toEqual([0, 0, 1, 1, 2, 3]);
    const buffer = new Float32Array(100);
    const out = applyLfrOnline(ramp(13), 7, 6, buffer);
    expect(out.data.buffer).toBe(buffer.buffer);
    expect(out.data.length).toBe(28);
    expect(() => applyLfrOnline(ramp(61), 7, 6, new Float32Array(10))).toThrow(/buffer/);
  });
});
