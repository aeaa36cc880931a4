import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSpeechError } from '../../../common/errors.js';
import { WavParser } from '../../../streaming/audio/wav-parser.js';
import { readWav, readWavStream } from '../../../streaming/audio/wav-reader.js';
import { clip, ffmpeg, ffmpegDecodePlanar, makeTmpDir, maxAbsDiff, randomChunking, rng } from './helpers.js';

const tmp = makeTmpDir('wav-parser');
afterAll(() => tmp.cleanup());

/** Distinct content per channel (tones plus noise) so a channel mix-up cannot pass. */
function signalArgs(channels: number, rate: number, seconds = 0.25): string[] {
  const exprs = Array.from(
    { length: channels },
    (_, c) => `0.5*sin(2*PI*${220 * (c + 1)}*t)+0.35*(random(${c})*2-1)`,
  ).join('|');
  return ['-f', 'lavfi', '-i', `aevalsrc=exprs=${exprs}:s=${rate}:d=${seconds}`];
}

interface Case {
  name: string;
  channels: number;
  make: (path: string) => void;
  /** The independent decoder used as reference (ffmpeg reads RIFX wrongly or not at all). */
  reference?: 'ffmpeg' | 'sox';
}

/** sox's own decode of a file to planar float32. */
function soxDecodePlanar(path: string, channels: number): Float32Array[] {
  const r = spawnSync('sox', [path, '-t', 'raw', '-e', 'floating-point', '-b', '32', '-L', '-'], {
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`sox failed: ${r.stderr}`);
  const raw = r.stdout;
  const interleaved = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const frames = interleaved.length / channels;
  return Array.from({ length: channels }, (_, c) =>
    Float32Array.from({ length: frames }, (_, f) => interleaved[f * channels + c]!),
  );
}

const ffmpegCase = (codec: string, channels: number, rate: number, extra: string[] = []): Case => ({
  name: `${codec} ${channels}ch ${rate} Hz ${extra.join(' ')}`.trim(),
  channels,
  make: (path) => {
    ffmpeg([...signalArgs(channels, rate), '-acodec', codec, ...extra, '-y', path]);
  },
});

const soxRifx = (encoding: string, bits: number, channels: number): Case => ({
  name: `RIFX (big-endian) ${encoding} ${bits}-bit ${channels}ch via sox`,
  channels,
  reference: 'sox',
  make: (path) => {
    const src = `${path}.src.wav`;
    ffmpeg([...signalArgs(channels, 16000), '-acodec', 'pcm_f32le', '-y', src]);
    const r = spawnSync('sox', [src, '-e', encoding, '-b', String(bits), '-B', path]);
    if (r.status !== 0) throw new Error(`sox failed: ${r.stderr}`);
  },
});

const cases: Case[] = [
  ffmpegCase('pcm_u8', 1, 8000),
  ffmpegCase('pcm_s16le', 2, 16000),
  ffmpegCase('pcm_s24le', 2, 44100),
  ffmpegCase('pcm_s32le', 1, 48000),
  ffmpegCase('pcm_f32le', 6, 22050), // ffmpeg writes WAVE_FORMAT_EXTENSIBLE (float GUID)
  ffmpegCase('pcm_s16le', 3, 11025), // WAVE_FORMAT_EXTENSIBLE (PCM GUID)
  ffmpegCase('pcm_f64le', 2, 96000),
  ffmpegCase('pcm_mulaw', 1, 8000),
  ffmpegCase('pcm_alaw', 2, 8000),
  ffmpegCase('pcm_s24le', 1, 32000, ['-rf64', 'always']), // RF64 with a ds64 chunk
  soxRifx('signed-integer', 16, 2),
  soxRifx('signed-integer', 24, 1),
  soxRifx('floating-point', 32, 2),
];

const files = new Map<string, string>();
beforeAll(() => {
  cases.forEach((c, i) => {
    const path = join(tmp.dir, `case-${i}.wav`);
    c.make(path);
    files.set(c.name, path);
  });
});

function feed(
  bytes: Uint8Array,
  sizes: number[],
  options = {},
): { channels: Float32Array[]; parser: WavParser } {
  const parser = new WavParser(options);
  const parts: Float32Array[][] = [];
  let pos = 0;
  for (const n of sizes) {
    const frames = parser.push(bytes.subarray(pos, pos + n));
    if (frames) parts.push(frames);
    pos += n;
  }
  parser.end();
  const channelCount = parser.format!.channels;
  const channels = Array.from({ length: channelCount }, (_, c) => {
    const total = parts.reduce((s, p) => s + p[c]!.length, 0);
    const out = new Float32Array(total);
    let o = 0;
    for (const p of parts) {
      out.set(p[c]!, o);
      o += p[c]!.length;
    }
    return out;
  });
  return { channels, parser };
}

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isSpeechError(err) ? err.code : `not a SpeechError: ${String(err)}`;
  }
  return undefined;
}

describe.each(cases)('WavParser on $name', ({ name, channels, reference: decoder = 'ffmpeg' }) => {
  it(`decodes exactly what ${decoder} decodes`, () => {
    const path = files.get(name)!;
    const ours = readWav(readFileSync(path));
    expect(ours.channels.length).toBe(channels);
    const reference =
      decoder === 'sox' ? soxDecodePlanar(path, channels) : ffmpegDecodePlanar(path, channels);
    for (let c = 0; c < channels; c++) {
      expect(ours.channels[c]!.length).toBeGreaterThan(1000);
      expect(maxAbsDiff(ours.channels[c]!, reference[c]!), `channel ${c}`).toBe(0);
    }
  });

  it('gives the same frames whatever the chunking (1 byte, random sizes)', () => {
    const bytes = new Uint8Array(readFileSync(files.get(name)!));
    const whole = readWav(bytes).channels;
    const random = rng(name.length * 7919);
    for (const sizes of [
      randomChunking(bytes.length, 7, random),
      randomChunking(bytes.length, 1000, random),
      randomChunking(bytes.length, 1, random),
    ]) {
      expect(feed(bytes, sizes).channels).toEqual(whole);
    }
  });
});

// --- hand-built files --------------------------------------------------------------------

function chunk(id: string, body: Uint8Array, declaredSize = body.length): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length & 1));
  for (let i = 0; i < 4; i++) out[i] = id.charCodeAt(i);
  new DataView(out.buffer).setUint32(4, declaredSize, true);
  out.set(body, 8);
  return out;
}

function fmtBody(
  tag: number,
  channels: number,
  rate: number,
  blockAlign: number,
  bits: number,
  extra?: number[],
) {
  const body = new Uint8Array(16 + (extra?.length ?? 0));
  const v = new DataView(body.buffer);
  v.setUint16(0, tag, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, rate, true);
  v.setUint32(8, rate * blockAlign, true);
  v.setUint16(12, blockAlign, true);
  v.setUint16(14, bits, true);
  if (extra) body.set(extra, 16);
  return body;
}

function riff(parts: Uint8Array[], magic = 'RIFF', riffSize?: number): Uint8Array {
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(12 + total);
  for (let i = 0; i < 4; i++) out[i] = magic.charCodeAt(i);
  new DataView(out.buffer).setUint32(4, riffSize ?? 4 + total, true);
  out.set([0x57, 0x41, 0x56, 0x45], 8); // WAVE
  let o = 12;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function int16Bytes(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const v = new DataView(out.buffer);
  for (const [i, x] of values.entries()) v.setInt16(i * 2, x, true);
  return out;
}

const stereoSamples = [1000, -1000, 32767, -32768, 12345, -4321, 7, 0, -9, 300];
const stereoFmt = fmtBody(1, 2, 16000, 4, 16);
const expectedLeft = Float32Array.from([1000, 32767, 12345, 7, -9], (x) => x / 32768);
const expectedRight = Float32Array.from([-1000, -32768, -4321, 0, 300], (x) => x / 32768);

describe('WavParser chunk handling', () => {
  it('skips unknown chunks before, between and after, with odd sizes and pad bytes (ffmpeg agrees)', () => {
    const bytes = riff([
      chunk('JUNK', Uint8Array.of(1, 2, 3, 4, 5)),
      chunk('fmt ', stereoFmt),
      chunk('odd ', Uint8Array.of(9, 9, 9)),
      chunk('fact', Uint8Array.of(5, 0, 0, 0)),
      chunk('data', int16Bytes(stereoSamples)),
      chunk('LIST', Uint8Array.of(0x49, 0x4e, 0x46, 0x4f, 0, 0, 0, 0, 0, 0, 0)), // 'INFO', odd size
      Uint8Array.of(0xde, 0xad), // trailing garbage after the last chunk
    ]);
    const ours = readWav(bytes);
    expect(ours.channels).toEqual([expectedLeft, expectedRight]);
    const path = join(tmp.dir, 'odd-chunks.wav');
    writeFileSync(path, bytes);
    expect(ffmpegDecodePlanar(path, 2)).toEqual([expectedLeft, expectedRight]);
  });

  it('finds chunk boundaries wherever the input is split (every 2- and 3-way split)', () => {
    // 24-bit stereo: a split can fall inside a sample as well as inside any header field.
    const data = new Uint8Array(5 * 6).map((_, i) => (i * 37 + 11) & 0xff);
    const bytes = riff([
      chunk('LIST', Uint8Array.of(1)),
      chunk('fmt ', fmtBody(1, 2, 8000, 6, 24)),
      chunk('data', data),
    ]);
    const whole = readWav(bytes).channels;
    expect(whole[0]!.length).toBe(5);
    for (let a = 0; a <= bytes.length; a++) {
      for (let b = a; b <= bytes.length; b++) {
        const got = feed(bytes, [a, b - a, bytes.length - b]).channels;
        expect(got, `split at ${a}, ${b}`).toEqual(whole);
      }
    }
  });

  it.each([0, 0xffffffff])('reads a data chunk declared as %d bytes to EOF', (declared) => {
    const bytes = riff(
      [chunk('fmt ', stereoFmt), chunk('data', int16Bytes(stereoSamples), declared)],
      'RIFF',
      declared,
    );
    const parser = new WavParser();
    const frames = parser.push(bytes);
    expect(parser.format?.dataBytes).toBeUndefined();
    const status = parser.end();
    expect(frames).toEqual([expectedLeft, expectedRight]);
    expect(status.truncated).toBe(false);
  });

  it('truncates a data size that is not a multiple of the block align to whole frames, and says so', () => {
    const data = int16Bytes([...stereoSamples, 555]); // 22 bytes: 5 frames + 2 bytes
    const bytes = riff([chunk('fmt ', stereoFmt), chunk('data', data), chunk('LIST', new Uint8Array(4))]);
    const parser = new WavParser();
    const frames = parser.push(bytes);
    const status = parser.end();
    expect(frames).toEqual([expectedLeft, expectedRight]);
    expect(status.droppedBytes).toBe(2);
    expect(status.frames).toBe(5);
  });

  it('reports a trailing partial frame of a streamed data chunk as dropped bytes', () => {
    const data = int16Bytes([...stereoSamples, 555]);
    const bytes = riff([chunk('fmt ', stereoFmt), chunk('data', data, 0xffffffff)]);
    const parser = new WavParser();
    parser.push(bytes);
    expect(parser.end().droppedBytes).toBe(2);
  });

  it('reads BW64 like RF64 (same layout, other magic)', () => {
    const rf64 = new Uint8Array(readFileSync(files.get(cases[9]!.name)!));
    const bw64 = rf64.slice();
    bw64.set([0x42, 0x57, 0x36, 0x34], 0);
    const a = readWav(rf64);
    const b = readWav(bw64);
    expect(a.format.container).toBe('RF64');
    expect(b.format.container).toBe('BW64');
    expect(b.channels).toEqual(a.channels);
    expect(a.format.dataBytes).toBeGreaterThan(0);
  });

  it('replaces non-finite float samples and counts them', () => {
    const data = new Uint8Array(16);
    const v = new DataView(data.buffer);
    for (const [i, x] of [0.5, Number.NaN, Number.NEGATIVE_INFINITY, -0.25].entries())
      v.setFloat32(i * 4, x, true);
    const got = readWav(riff([chunk('fmt ', fmtBody(3, 1, 8000, 4, 32)), chunk('data', data)]));
    expect(Array.from(got.channels[0]!)).toEqual([0.5, 0, -1, -0.25]);
    expect(got.replacedSamples).toBe(2);
  });
});

describe('readWavStream', () => {
  it('yields the frames of an async byte source as they complete, then returns the end status', async () => {
    const bytes = new Uint8Array(readFileSync(files.get(cases[1]!.name)!));
    const whole = readWav(bytes);
    async function* source() {
      for (let pos = 0; pos < bytes.length; pos += 777) yield bytes.subarray(pos, pos + 777);
    }
    const stream = readWavStream(source());
    const left: Float32Array[] = [];
    let result = await stream.next();
    while (!result.done) {
      expect(result.value.format.sampleRate).toBe(16000);
      expect(result.value.channels.length).toBe(2);
      left.push(result.value.channels[0]!);
      result = await stream.next();
    }
    expect(result.value.frames).toBe(whole.channels[0]!.length);
    expect(left.length).toBeGreaterThan(10);
    expect(Float32Array.from(left.flatMap((c) => Array.from(c)))).toEqual(whole.channels[0]);
  });
});

describe('WavParser errors', () => {
  const valid = riff([
    chunk('fmt ', stereoFmt),
    chunk('LIST', Uint8Array.of(1, 2, 3)),
    chunk('data', int16Bytes(stereoSamples)),
  ]);

  it('AUDIO_WAV_TRUNCATED for every proper prefix of a file, AUDIO_WAV_NOT_RIFF never', () => {
    for (let k = 0; k < valid.length; k++) {
      expect(
        errorCode(() => readWav(valid.subarray(0, k))),
        `prefix of ${k} bytes`,
      ).toBe('AUDIO_WAV_TRUNCATED');
    }
    expect(errorCode(() => readWav(valid))).toBeUndefined();
  });

  it('a short data chunk throws at end() with the sizes, or is accepted with allowTruncated', () => {
    const cut = valid.subarray(0, valid.length - 6);
    try {
      readWav(cut);
      throw new Error('no error');
    } catch (err) {
      expect(isSpeechError(err, 'AUDIO_WAV_TRUNCATED')).toBe(true);
      expect((err as { details: unknown }).details).toEqual({ declaredBytes: 20, receivedBytes: 14 });
    }
    const lenient = readWav(cut, { allowTruncated: true });
    expect(lenient.truncated).toBe(true);
    expect(lenient.channels[0]).toEqual(expectedLeft.subarray(0, 3));
    expect(lenient.droppedBytes).toBe(2);
  });

  it('AUDIO_WAV_NOT_RIFF on the first byte that cannot start a WAV', () => {
    const mp3 = new Uint8Array(readFileSync(clip('jfk.mp3')));
    const parser = new WavParser();
    expect(errorCode(() => parser.push(mp3.subarray(0, 1)))).toBe('AUDIO_WAV_NOT_RIFF');
    expect(errorCode(() => readWav(new TextEncoder().encode('hello world, not audio')))).toBe(
      'AUDIO_WAV_NOT_RIFF',
    );
    const avi = riff([chunk('LIST', new Uint8Array(4))]);
    avi.set([0x41, 0x56, 0x49, 0x20], 8); // 'AVI '
    expect(errorCode(() => readWav(avi))).toBe('AUDIO_WAV_NOT_RIFF');
  });

  it.each([
    ['0 channels', riff([chunk('fmt ', fmtBody(1, 0, 8000, 2, 16)), chunk('data', new Uint8Array(4))])],
    ['0 Hz', riff([chunk('fmt ', fmtBody(1, 1, 0, 2, 16)), chunk('data', new Uint8Array(4))])],
    [
      'block align mismatch',
      riff([chunk('fmt ', fmtBody(1, 2, 8000, 3, 16)), chunk('data', new Uint8Array(6))]),
    ],
    [
      'bits larger than container',
      riff([chunk('fmt ', fmtBody(1, 1, 8000, 2, 24)), chunk('data', new Uint8Array(6))]),
    ],
    [
      'float with 3-byte container',
      riff([chunk('fmt ', fmtBody(3, 1, 8000, 3, 24)), chunk('data', new Uint8Array(6))]),
    ],
    ['data before fmt', riff([chunk('data', new Uint8Array(4)), chunk('fmt ', stereoFmt)])],
    ['fmt of 14 bytes', riff([chunk('fmt ', stereoFmt.subarray(0, 14)), chunk('data', new Uint8Array(4))])],
    ['fmt of 0 bytes', riff([chunk('fmt ', new Uint8Array(0)), chunk('data', new Uint8Array(4))])],
    ['huge fmt', riff([chunk('fmt ', new Uint8Array(5000)), chunk('data', new Uint8Array(4))])],
    [
      'EXTENSIBLE with cbSize 0',
      riff([chunk('fmt ', fmtBody(0xfffe, 1, 8000, 2, 16, [0, 0])), chunk('data', new Uint8Array(4))]),
    ],
  ])('AUDIO_WAV_MALFORMED: %s', (_name, bytes) => {
    expect(errorCode(() => readWav(bytes))).toBe('AUDIO_WAV_MALFORMED');
  });

  it('AUDIO_WAV_UNSUPPORTED for ADPCM (made by ffmpeg), 64-bit PCM and unknown sub-format GUIDs', () => {
    const adpcm = join(tmp.dir, 'adpcm.wav');
    ffmpeg([...signalArgs(1, 8000), '-acodec', 'adpcm_ms', '-y', adpcm]);
    expect(errorCode(() => readWav(readFileSync(adpcm)))).toBe('AUDIO_WAV_UNSUPPORTED');
    const pcm64 = riff([chunk('fmt ', fmtBody(1, 1, 8000, 8, 64)), chunk('data', new Uint8Array(8))]);
    expect(errorCode(() => readWav(pcm64))).toBe('AUDIO_WAV_UNSUPPORTED');
    const ext = (guid: number[]) => [22, 0, 16, 0, 4, 0, 0, 0, ...guid];
    const pcmGuid = [1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71];
    const okExt = riff([
      chunk('fmt ', fmtBody(0xfffe, 1, 8000, 2, 16, ext(pcmGuid))),
      chunk('data', int16Bytes([5])),
    ]);
    expect(readWav(okExt).channels[0]).toEqual(Float32Array.of(5 / 32768));
    const badGuid = pcmGuid.slice();
    badGuid[15] = 0x72;
    const unknown = riff([
      chunk('fmt ', fmtBody(0xfffe, 1, 8000, 2, 16, ext(badGuid))),
      chunk('data', new Uint8Array(2)),
    ]);
    expect(errorCode(() => readWav(unknown))).toBe('AUDIO_WAV_UNSUPPORTED');
  });

  it('never throws anything but a coded error on mutated files, and never yields non-finite samples', () => {
    const base = new Uint8Array(readFileSync(files.get(cases[2]!.name)!)).subarray(0, 600);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(599), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(600),
        (mutations, cut) => {
          const bytes = base.slice(0, cut);
          for (const [pos, value] of mutations) if (pos < bytes.length) bytes[pos] = value;
          try {
            const got = readWav(bytes, { allowTruncated: true });
            for (const ch of got.channels) for (const x of ch) expect(Number.isFinite(x)).toBe(true);
          } catch (err) {
            expect(isSpeechError(err), String(err)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses push() after end() or after an error', () => {
    const parser = new WavParser();
    parser.push(valid);
    parser.end();
    expect(errorCode(() => parser.push(valid))).toBe('INTERNAL');
    const broken = new WavParser();
    expect(errorCode(() => broken.push(new TextEncoder().encode('ID3')))).toBe('AUDIO_WAV_NOT_RIFF');
    expect(errorCode(() => broken.push(valid))).toBe('INTERNAL');
  });
});
