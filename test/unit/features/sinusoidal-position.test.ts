import { describe, expect, it } from 'vitest';
import { addSinusoidalPositionEncoding } from '../../../asr/features/index.js';

describe('addSinusoidalPositionEncoding', () => {
  it('adds sin to the first half and cos to the second, with absolute positions', () => {
    const dim = 8;
    const m = { data: new Float32Array(2 * dim), numFrames: 2, dim };
    addSinusoidalPositionEncoding(m, 11);
    // d = 0 has frequency 1: sin(p), cos(p); d = h-1 has frequency 1/10000.
    expect(m.data[0]).toBeCloseTo(Math.sin(11), 6);
    expect(m.data[4]).toBeCloseTo(Math.cos(11), 6);
    expect(m.data[dim]).toBeCloseTo(Math.sin(12), 6);
    expect(m.data[3]).toBeCloseTo(Math.sin(11 / 10000), 6);
    expect(m.data[7]).toBeCloseTo(Math.cos(11 / 10000), 6);
  });

  it('encodes a chunk exactly like the same rows of a longer sequence', () => {
    const dim = 560;
    const whole = { data: new Float32Array(20 * dim).fill(0.5), numFrames: 20, dim };
    addSinusoidalPositionEncoding(whole, 1);
    const tail = { data: new Float32Array(10 * dim).fill(0.5), numFrames: 10, dim };
    addSinusoidalPositionEncoding(tail, 11);
    expect(Array.from(tail.data)).toEqual(Array.from(whole.data.subarray(10 * dim)));
  });

  it('refuses an odd dimension', () => {
    expect(() =>
      addSinusoidalPositionEncoding({ data: new Float32Array(5), numFrames: 1, dim: 5 }, 1),
    ).toThrow(/even/);
  });
});
