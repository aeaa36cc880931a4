import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSpeechError } from '../../../common/errors.js';
import { decodeMulaw } from '../../../streaming/audio/g711.js';
import { decodeRawPcm, decodeRawPcmMono } from '../../../streaming/audio/raw-pcm.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isSpeechError(err) ? err.code : `not a SpeechError: ${String(err)}`;
  }
  return undefined;
}

describe('decodeRawPcm', () => {
  it('linear16: little-endian int16 / 32768, interleaved channels (checked against Buffer.readInt16LE)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.uint8Array({ maxLength: 256 }), (channels, raw) => {
        const frameBytes = 2 * channels;
        const bytes = raw.subarray(0, raw.length - (raw.length % frameBytes));
        const { channels: out } = decodeRawPcm(bytes, { encoding: 'linear16', channels });
        const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
        for (let f = 0; f < bytes.length / frameBytes; f++) {
          for (let c = 0; c < channels; c++)
            expect(out[c]![f]).toBe(buf.readInt16LE(f * frameBytes + 2 * c) / 32768);
        }
      }),
    );
  });

  it('linear16 works from an unaligned view into a larger buffer', () => {
    const backing = new Uint8Array(9);
    const view = backing.subarray(1, 5);
    new DataView(backing.buffer).setInt16(1, -12345, true);
    new DataView(backing.buffer).setInt16(3, 321, true);
    expect(Array.from(decodeRawPcm(view, { encoding: 'linear16' }).channels[0]!)).toEqual([
      -12345 / 32768,
      321 / 32768,
    ]);
  });

  it('linear32 is float32 LE; NaN/Inf are cleaned (NaN -> 0, +-Inf -> +-1) and counted', () => {
    const values = [0.25, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5, -0.125];
    const buf = Buffer.alloc(values.length * 4);
    for (const [i, v] of values.entries()) buf.writeFloatLE(v, i * 4);
    const decoded = decodeRawPcm(new Uint8Array(buf), { encoding: 'linear32' });
    expect(Array.from(decoded.channels[0]!)).toEqual([0.25, 0, 1, -1, 1.5, -0.125]);
    expect(decoded.replacedSamples).toBe(3);
  });

  it('mulaw / alaw decode one byte per sample', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(decodeRawPcm(bytes, { encoding: 'mulaw' }).channels[0]).toEqual(decodeMulaw(bytes));
    expect(decodeRawPcm(bytes, { encoding: 'alaw', channels: 2 }).channels.map((c) => c.length)).toEqual([
      128, 128,
    ]);
  });

  it('rejects misaligned frames, unknown encodings and bad channel counts with AUDIO_BAD_FORMAT', () => {
    expect(codeOf(() => decodeRawPcm(new Uint8Array(3), { encoding: 'linear16' }))).toBe('AUDIO_BAD_FORMAT');
    expect(codeOf(() => decodeRawPcm(new Uint8Array(6), { encoding: 'linear32' }))).toBe('AUDIO_BAD_FORMAT');
    expect(codeOf(() => decodeRawPcm(new Uint8Array(6), { encoding: 'linear16', channels: 2 }))).toBe(
      'AUDIO_BAD_FORMAT',
    );
    expect(codeOf(() => decodeRawPcm(new Uint8Array(3), { encoding: 'mulaw', channels: 2 }))).toBe(
      'AUDIO_BAD_FORMAT',
    );
    expect(codeOf(() => decodeRawPcm(new Uint8Array(4), { encoding: 'opus' as never }))).toBe(
      'AUDIO_BAD_FORMAT',
    );
    expect(codeOf(() => decodeRawPcm(new Uint8Array(4), { encoding: 'linear16', channels: 0 }))).toBe(
      'AUDIO_BAD_FORMAT',
    );
    expect(codeOf(() => decodeRawPcm(new Uint8Array(0), { encoding: 'linear16' }))).toBeUndefined();
  });

  it('decodeRawPcmMono averages the channels', () => {
    const buf = Buffer.alloc(8);
    buf.writeInt16LE(1000, 0);
    buf.writeInt16LE(3000, 2);
    buf.writeInt16LE(-400, 4);
    buf.writeInt16LE(0, 6);
    expect(Array.from(decodeRawPcmMono(new Uint8Array(buf), { encoding: 'linear16', channels: 2 }))).toEqual([
      2000 / 32768,
      -200 / 32768,
    ]);
  });
});
