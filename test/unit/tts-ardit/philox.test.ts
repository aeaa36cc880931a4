import { describe, expect, it } from 'vitest';
import { isSpeechError } from '../../../common/errors.js';
import { PhiloxStream, philox4x32 } from '../../../tts/ardit/philox.js';
import { arditGolden, maxAbsDiff } from './ardit-fixture.js';

describe('Philox4x32-10', () => {
  it('gives the Random123 known answers', () => {
    expect(philox4x32([0, 0, 0, 0], [0, 0])).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
    expect(philox4x32([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff])).toEqual([
      0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd,
    ]);
    expect(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])).toEqual([
      0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1,
    ]);
  });

  it("matches Python's first words and normals (models/py/tts/ardit/philox.py)", () => {
    const { rng } = arditGolden();
    const stream = new PhiloxStream(rng.seed);
    expect([...stream.words(0, rng.words.length)]).toEqual(rng.words);
    expect([...stream.words(4 * 2 ** 32, 4)]).toEqual(rng.wordsAtBlock2e32);
    const normals = stream.normals(0, rng.normals.length);
    // Same float64 formula; libm may differ by an ulp before the float32 rounding.
    expect(maxAbsDiff(normals, rng.normals)).toBeLessThanOrEqual(1e-6);
  });

  it('is seekable: value n does not depend on what was drawn before', () => {
    const s = new PhiloxStream(42);
    expect(s.normals(320, 320)).toEqual(s.normals(0, 640).subarray(320));
    expect(s.normals(0, 7)).toEqual(s.normals(0, 8).subarray(0, 7));
  });

  it('has unit-normal moments', () => {
    const z = new PhiloxStream(5).normals(0, 20000);
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('rejects seeds that are not integers in [0, 2^53)', () => {
    for (const seed of [-1, 0.5, Number.NaN, 2 ** 53]) {
      expect(() => new PhiloxStream(seed)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    }
    expect(isSpeechError(catchError(() => new PhiloxStream(-1)))).toBe(true);
  });
});

function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  return undefined;
}
