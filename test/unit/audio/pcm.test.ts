import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSpeechError } from '../../../common/errors.js';
import {
  deinterleave,
  downmixToMono,
  float32ToInt16,
  float32ToInt24,
  float32ToInt32,
  int16ToFloat32,
  int24ToFloat32,
  int32ToFloat32,
  interleave,
  sanitizeSamples,
} from '../../../streaming/audio/pcm.js';

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(isSpeechError(err), String(err)).toBe(true);
    expect((err as { code: string }).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe('int <-> float conversion', () => {
  it('int16 round-trips exactly for all 65536 values, with scale 1/32768', () => {
    const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    const f = int16ToFloat32(all);
    expect(f[0]).toBe(-1);
    expect(f[32768]).toBe(0);
    expect(f[65535]).toBe(32767 / 32768);
    expect(float32ToInt16(f)).toEqual(all);
  });

  it('int24 round-trips exactly across its range', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -8388608, max: 8388607 }), { maxLength: 200 }), (values) => {
        const ints = Int32Array.from(values);
        const f = int24ToFloat32(ints);
        for (let i = 0; i < ints.length; i++) expect(f[i]).toBe(Math.fround(ints[i]! / 8388608));
        expect(float32ToInt24(f)).toEqual(ints);
      }),
    );
  });

  it('int32 round-trips exactly for values float32 can hold (24 significant bits)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -8388608, max: 8388607 }), { maxLength: 200 }), (values) => {
        const ints = Int32Array.from(values, (v) => v * 256); // 24 significant bits
        expect(float32ToInt32(int32ToFloat32(ints))).toEqual(ints);
      }),
    );
  });

  it('clips on the way back to int, rounds to nearest and maps NaN to 0', () => {
    const x = Float32Array.of(
      1,
      -1,
      1.5,
      -7,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      0.5 / 32768 + 1e-9,
      -0.4 / 32768,
    );
    expect(Array.from(float32ToInt16(x))).toEqual([32767, -32768, 32767, -32768, 0, 32767, 1, 0]);
    expect(Array.from(float32ToInt24(Float32Array.of(1, -1, 2)))).toEqual([8388607, -8388608, 8388607]);
    expect(Array.from(float32ToInt32(Float32Array.of(1, -1, 0.5)))).toEqual([
      2147483647, -2147483648, 1073741824,
    ]);
  });
});

describe('interleave / deinterleave', () => {
  it('are inverse for any channel count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 50 }), (channels, frames) => {
        const planar = Array.from({ length: channels }, (_, c) =>
          Float32Array.from({ length: frames }, (_, f) => c * 1000 + f),
        );
        const inter = interleave(planar);
        expect(inter.length).toBe(channels * frames);
        if (frames > 1) expect(inter[channels]).toBe(1); // frame 1, channel 0
        expect(deinterleave(inter, channels)).toEqual(planar);
      }),
    );
  });

  it('rejects misaligned lengths, bad channel counts and ragged channels', () => {
    expectCode(() => deinterleave(new Float32Array(5), 2), 'AUDIO_BAD_FORMAT');
    expectCode(() => deinterleave(new Float32Array(4), 0), 'AUDIO_BAD_FORMAT');
    expectCode(() => interleave([new Float32Array(2), new Float32Array(3)]), 'AUDIO_BAD_FORMAT');
    expectCode(() => interleave([]), 'AUDIO_BAD_FORMAT');
  });
});

describe('downmixToMono', () => {
  it('is the per-frame mean of the channels', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 6, maxLength: 60 }),
        (channels, values) => {
          const frames = Math.floor(values.length / channels);
          const planar = Array.from({ length: channels }, (_, c) =>
            Float32Array.from({ length: frames }, (_, f) => values[f * channels + c]!),
          );
          const mono = downmixToMono(planar);
          for (let f = 0; f < frames; f++) {
            let sum = 0;
            for (let c = 0; c < channels; c++) sum += planar[c]![f]!;
            expect(mono[f]).toBeCloseTo(sum / channels, 6);
          }
        },
      ),
    );
  });

  it('returns a single channel as is', () => {
    const only = Float32Array.of(0.1, 0.2);
    expect(downmixToMono([only])).toBe(only);
  });
});

describe('sanitizeSamples', () => {
  it('replaces NaN and infinities, keeps finite values (even beyond +-1), counts replacements', () => {
    const x = Float32Array.of(0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 3, -2);
    expect(sanitizeSamples(x)).toBe(3);
    expect(Array.from(x)).toEqual([0.5, 0, 1, -1, 3, -2]);
  });
});
