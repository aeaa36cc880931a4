import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSpeechError } from '../../../common/errors.js';
import { SAMPLE_ENCODINGS, type SampleEncoding } from '../../../streaming/audio/sample-codec.js';
import { readWav } from '../../../streaming/audio/wav-reader.js';
import { encodeWav, encodeWavData, patchWavSizes, wavHeader } from '../../../streaming/audio/wav-writer.js';
import { ffmpeg, ffmpegDecodePlanar, makeTmpDir, rng } from './helpers.js';

const tmp = makeTmpDir('wav-writer');
afterAll(() => tmp.cleanup());

/** ffmpeg's name for the codec each of our encodings must be read as. */
const FFMPEG_CODEC: Record<SampleEncoding, string> = {
  pcm8: 'pcm_u8',
  pcm16: 'pcm_s16le',
  pcm24: 'pcm_s24le',
  pcm32: 'pcm_s32le',
  float32: 'pcm_f32le',
  float64: 'pcm_f64le',
  mulaw: 'pcm_mulaw',
  alaw: 'pcm_alaw',
};

/** Largest error the encoding may introduce for samples in [-1, 1). */
const TOLERANCE: Record<SampleEncoding, number> = {
  pcm8: 0.5 / 128 + 1e-7,
  pcm16: 0.5 / 32768 + 1e-7,
  pcm24: 0.5 / 8388608 + 1e-7,
  pcm32: 1e-7,
  float32: 0,
  float64: 0,
  mulaw: 1024 / 32768, // coarsest mu-law step near full scale
  alaw: 1024 / 32768,
};

function testSignal(channels: number, frames: number, seed: number): Float32Array[] {
  const random = rng(seed);
  return Array.from({ length: channels }, (_, c) =>
    Float32Array.from(
      { length: frames },
      (_, f) => 0.6 * Math.sin((f * (c + 1)) / 7) + 0.35 * (random() * 2 - 1),
    ),
  );
}

function describeFile(path: string): string {
  // ffmpeg prints the stream description on stderr for `-i` without output.
  return spawnSync('ffmpeg', ['-hide_banner', '-i', path]).stderr.toString();
}

describe.each(SAMPLE_ENCODINGS.flatMap((format) => [1, 2, 6].map((channels) => ({ format, channels }))))(
  'encodeWav $format, $channels channel(s)',
  ({ format, channels }) => {
    it('is read back by ffmpeg with the right codec, rate, channels and samples', () => {
      const input = testSignal(channels, 1001, channels * 31 + format.length);
      const bytes = encodeWav({ sampleRate: 22050, channels: input }, { format });
      const path = join(tmp.dir, `${format}-${channels}.wav`);
      writeFileSync(path, bytes);
      const info = describeFile(path);
      expect(info).toContain(FFMPEG_CODEC[format]);
      expect(info).toContain('22050 Hz');
      const decoded = ffmpegDecodePlanar(path, channels);
      expect(decoded.length).toBe(channels);
      for (let c = 0; c < channels; c++) {
        expect(decoded[c]!.length).toBe(1001);
        let worst = 0;
        for (let f = 0; f < 1001; f++) worst = Math.max(worst, Math.abs(decoded[c]![f]! - input[c]![f]!));
        expect(worst, `channel ${c}`).toBeLessThanOrEqual(TOLERANCE[format]);
      }
      // Our own reader sees the same samples ffmpeg does.
      expect(readWav(bytes).channels).toEqual(decoded);
    });
  },
);

describe('WAV writer details', () => {
  it('pads an odd-sized data chunk and keeps the RIFF size consistent', () => {
    const bytes = encodeWav(
      { sampleRate: 8000, channels: [Float32Array.of(0.5, -0.5, 0.25)] },
      { format: 'pcm8' },
    );
    const view = new DataView(bytes.buffer);
    expect(bytes.length % 2).toBe(0);
    expect(view.getUint32(4, true)).toBe(bytes.length - 8);
    expect(readWav(bytes).channels[0]).toEqual(Float32Array.of(0.5, -0.5, 0.25));
  });

  it('uses WAVE_FORMAT_EXTENSIBLE above two channels or on request, plain tags otherwise', () => {
    const tagOf = (b: Uint8Array) => new DataView(b.buffer).getUint16(20, true);
    const mono = [new Float32Array(4)];
    expect(tagOf(encodeWav({ sampleRate: 8000, channels: mono }))).toBe(1);
    expect(tagOf(encodeWav({ sampleRate: 8000, channels: mono }, { format: 'float32' }))).toBe(3);
    expect(tagOf(encodeWav({ sampleRate: 8000, channels: mono }, { extensible: true }))).toBe(0xfffe);
    const six = Array.from({ length: 6 }, () => new Float32Array(4));
    expect(tagOf(encodeWav({ sampleRate: 8000, channels: six }))).toBe(0xfffe);
    expect(tagOf(encodeWav({ sampleRate: 8000, channels: six }, { extensible: false }))).toBe(1);
    expect(
      readWav(encodeWav({ sampleRate: 8000, channels: mono }, { extensible: true, format: 'mulaw' })).format
        .encoding,
    ).toBe('mulaw');
  });

  it('streams: a header with unknown sizes plus data chunks is read to the end by ffmpeg and by us', () => {
    const input = testSignal(2, 3000, 7);
    const header = wavHeader({ sampleRate: 16000, channelCount: 2, format: 'pcm16' });
    const view = new DataView(header.buffer);
    expect(view.getUint32(4, true)).toBe(0xffffffff);
    expect(view.getUint32(header.length - 4, true)).toBe(0xffffffff);
    const parts = [header];
    for (let start = 0; start < 3000; start += 1000) {
      parts.push(
        encodeWavData(
          input.map((c) => c.subarray(start, start + 1000)),
          'pcm16',
        ),
      );
    }
    const bytes = Buffer.concat(parts);
    const path = join(tmp.dir, 'streamed.wav');
    writeFileSync(path, bytes);
    const reference = ffmpegDecodePlanar(path, 2);
    expect(reference[0]!.length).toBe(3000);
    const ours = readWav(new Uint8Array(bytes));
    expect(ours.format.dataBytes).toBeUndefined();
    expect(ours.channels).toEqual(reference);
  });

  it('patchWavSizes fixes a streamed header up once the length is known (float: fact chunk too)', () => {
    const input = testSignal(1, 777, 9);
    const data = encodeWavData(input, 'float32');
    const header = wavHeader({ sampleRate: 8000, channelCount: 1, format: 'float32' });
    patchWavSizes(header, data.length);
    const bytes = Buffer.concat([header, data]);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(view.getUint32(4, true)).toBe(bytes.length - 8);
    expect(view.getUint32(header.length - 4, true)).toBe(data.length);
    // fact chunk: 'fact', size 4, frame count, right before 'data'.
    expect(bytes.subarray(header.length - 20, header.length - 16).toString('latin1')).toBe('fact');
    expect(view.getUint32(header.length - 12, true)).toBe(777);
    expect(readWav(new Uint8Array(bytes)).format.dataBytes).toBe(data.length);
    expect(
      Buffer.compare(
        bytes,
        Buffer.from(encodeWav({ sampleRate: 8000, channels: input }, { format: 'float32' })),
      ),
    ).toBe(0);
    const path = join(tmp.dir, 'patched.wav');
    writeFileSync(path, bytes);
    expect(ffmpegDecodePlanar(path, 1)[0]).toEqual(input[0]);
  });

  it('keeps the "streamed" sizes when the data does not fit 32 bits', () => {
    const header = wavHeader({ sampleRate: 48000, channelCount: 2, format: 'pcm16' });
    patchWavSizes(header, 5_000_000_000);
    const view = new DataView(header.buffer);
    expect(view.getUint32(4, true)).toBe(0xffffffff);
    expect(view.getUint32(header.length - 4, true)).toBe(0xffffffff);
  });

  it('rejects bad rates, channel layouts and headers with coded errors', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return isSpeechError(err) ? err.code : String(err);
      }
      return undefined;
    };
    expect(codeOf(() => wavHeader({ sampleRate: 0, channelCount: 1 }))).toBe('AUDIO_BAD_SAMPLE_RATE');
    expect(codeOf(() => wavHeader({ sampleRate: 8000.5, channelCount: 1 }))).toBe('AUDIO_BAD_SAMPLE_RATE');
    expect(codeOf(() => wavHeader({ sampleRate: 8000, channelCount: 0 }))).toBe('AUDIO_BAD_FORMAT');
    expect(codeOf(() => encodeWav({ sampleRate: 8000, channels: [] }))).toBe('AUDIO_BAD_FORMAT');
    expect(
      codeOf(() => encodeWav({ sampleRate: 8000, channels: [new Float32Array(2), new Float32Array(3)] })),
    ).toBe('AUDIO_BAD_FORMAT');
    expect(codeOf(() => patchWavSizes(new Uint8Array(44), 10))).toBe('AUDIO_WAV_NOT_RIFF');
    expect(codeOf(() => wavHeader({ sampleRate: 8000, channelCount: 1, format: 'opus' as never }))).toBe(
      'AUDIO_BAD_FORMAT',
    );
  });
});

describe('ffmpeg-written WAVs round-trip through our writer', () => {
  it('re-encoding what we read from ffmpeg gives ffmpeg the same samples back', () => {
    const path = join(tmp.dir, 'src.wav');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=f=300:d=0.2:r=12000', '-acodec', 'pcm_s24le', '-y', path]);
    const decoded = ffmpegDecodePlanar(path, 1);
    const bytes = encodeWav({ sampleRate: 12000, channels: decoded }, { format: 'pcm24' });
    const again = join(tmp.dir, 'again.wav');
    writeFileSync(again, bytes);
    expect(ffmpegDecodePlanar(again, 1)).toEqual(decoded);
  });
});
