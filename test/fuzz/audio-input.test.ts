// Fuzzing every byte path from a client to model audio: the incremental WAV parser
// (random bytes, generated and mutated headers, random chunk splits), headerless PCM and
// G.711 frames, and LiveAudioInput (random formats, frame lengths, NaN/Inf floats). The
// outcome is always samples that satisfy the invariants, or a coded SpeechError: never
// another exception, never a non-finite sample, and never a different answer for a
// different chunking of the same bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../common/errors.js';
import { decodeAlaw, decodeMulaw, encodeAlaw, encodeMulaw } from '../../streaming/audio/g711.js';
import { decodeRawPcm, RAW_PCM_ENCODINGS } from '../../streaming/audio/raw-pcm.js';
import { LinearResampler } from '../../streaming/audio/resampler.js';
import { MAX_FLOAT_SAMPLE } from '../../streaming/audio/sample-codec.js';
import { WavParser } from '../../streaming/audio/wav-parser.js';
import { LiveAudioInput } from '../../streaming/live-audio-input.js';
import { checkedChunks, codeOf, splitAt } from './fuzz-helpers.js';

const WAV_CODES: readonly ErrorCode[] = [
  'AUDIO_WAV_NOT_RIFF',
  'AUDIO_WAV_TRUNCATED',
  'AUDIO_WAV_MALFORMED',
  'AUDIO_WAV_UNSUPPORTED',
];

type WavOutcome =
  | { readonly ok: true; readonly channels: Float32Array[]; readonly frames: number }
  | { readonly ok: false; readonly code: ErrorCode };

/** Feeds `bytes` in the given pieces; checks every push's frames as they come. */
function parseWav(bytes: Uint8Array, cuts: readonly number[], allowTruncated: boolean): WavOutcome {
  const parser = new WavParser({ allowTruncated });
  const parts: Float32Array[][] = [];
  let frames = 0;
  try {
    for (const piece of splitAt(bytes, cuts)) {
      const out = parser.push(piece);
      if (out === undefined) continue;
      const format = parser.format!;
      expect(out.length).toBe(format.channels);
      const n = out[0]!.length;
      expect(n).toBeGreaterThan(0);
      for (const ch of out) {
        expect(ch.length).toBe(n);
        for (const x of ch) if (!Number.isFinite(x)) throw new Error(`non-finite sample ${x}`);
      }
      frames += n;
      parts.push(out);
    }
    const status = parser.end();
    expect(status.frames).toBe(frames);
    expect(parser.frames).toBe(frames);
    const { dataBytes, blockAlign } = status.format;
    if (dataBytes !== undefined) {
      expect(frames * blockAlign).toBeLessThanOrEqual(dataBytes);
      // Everything that was declared and arrived is decoded: only a partial frame is left out.
      if (!status.truncated) expect(frames).toBe(Math.floor(dataBytes / blockAlign));
    }
    const channels = Array.from({ length: status.format.channels }, (_, c) => {
      const all = new Float32Array(frames);
      let at = 0;
      for (const p of parts) {
        all.set(p[c]!, at);
        at += p[c]!.length;
      }
      return all;
    });
    return { ok: true, channels, frames };
  } catch (err) {
    const code = codeOf(err);
    if (!WAV_CODES.includes(code as ErrorCode)) throw err;
    return { ok: false, code: code as ErrorCode };
  }
}

/** The same bytes whole and in random pieces: the same samples, or the same error code. */
function expectChunkingInvariant(bytes: Uint8Array, cuts: readonly number[], allowTruncated: boolean): void {
  const whole = parseWav(bytes, [], allowTruncated);
  const split = parseWav(bytes, cuts, allowTruncated);
  if (!whole.ok || !split.ok) {
    expect(split.ok).toBe(whole.ok);
    if (!whole.ok && !split.ok) expect(split.code).toBe(whole.code);
    return;
  }
  expect(split.frames).toBe(whole.frames);
  expect(split.channels).toEqual(whole.channels);
}

// --- WAV file generator ----------------------------------------------------------------------

const ascii4 = fc.stringMatching(/^[ -~]{4}$/);

interface WavSpec {
  container: 'RIFF' | 'RIFX' | 'RF64' | 'BW64';
  before: { id: string; body: Uint8Array }[];
  tag: number;
  channels: number;
  rate: number;
  bits: number;
  blockAlign: number | undefined;
  extensibleTag: number;
  declared: 'exact' | 'zero' | 'streamed' | 'short' | 'long' | number;
  data: Uint8Array;
  after: { id: string; body: Uint8Array }[];
}

const chunkArb = fc.record({
  id: ascii4.filter((id) => id !== 'fmt ' && id !== 'data' && id !== 'ds64'),
  body: fc.uint8Array({ maxLength: 21 }),
});

const declaredArb = fc.oneof(
  fc.constantFrom('exact', 'exact', 'zero', 'streamed', 'short', 'long'),
  fc.integer({ min: 0, max: 0xffffffff }),
) as fc.Arbitrary<WavSpec['declared']>;

/** Headers a real writer could produce: a supported encoding with consistent fields. */
const consistentSpecArb: fc.Arbitrary<WavSpec> = fc
  .record({
    container: fc.constantFrom('RIFF', 'RIFF', 'RIFX', 'RF64', 'BW64'),
    before: fc.array(chunkArb, { maxLength: 2 }),
    encoding: fc.constantFrom([1, 8], [1, 16], [1, 24], [1, 32], [3, 32], [3, 64], [6, 8], [7, 8]),
    extensible: fc.boolean(),
    channels: fc.integer({ min: 1, max: 3 }),
    rate: fc.constantFrom(8000, 16000, 44100, 48000),
    declared: declaredArb,
    data: fc.uint8Array({ maxLength: 96 }),
    after: fc.array(chunkArb, { maxLength: 1 }),
  })
  .map(({ encoding: [tag, bits], extensible, ...rest }) => ({
    ...rest,
    tag: extensible ? 0xfffe : tag!,
    extensibleTag: tag!,
    bits: bits!,
    blockAlign: undefined,
  })) as fc.Arbitrary<WavSpec>;

/** Any field values at all. */
const randomSpecArb: fc.Arbitrary<WavSpec> = fc.record({
  container: fc.constantFrom('RIFF', 'RIFF', 'RIFX', 'RF64', 'BW64'),
  before: fc.array(chunkArb, { maxLength: 2 }),
  tag: fc.oneof(fc.constantFrom(1, 3, 6, 7, 0xfffe, 2, 0x55), fc.integer({ min: 0, max: 0xffff })),
  channels: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0xffff })),
  rate: fc.oneof(fc.constantFrom(0, 16000), fc.integer({ min: 0, max: 0xffffffff })),
  bits: fc.oneof(fc.constantFrom(0, 8, 16, 24, 32, 64), fc.integer({ min: 0, max: 0xffff })),
  blockAlign: fc.option(fc.integer({ min: 0, max: 0xffff }), { freq: 2 }),
  extensibleTag: fc.constantFrom(1, 3, 6, 7, 2),
  declared: declaredArb,
  data: fc.uint8Array({ maxLength: 96 }),
  after: fc.array(chunkArb, { maxLength: 1 }),
}) as fc.Arbitrary<WavSpec>;

const wavSpecArb = fc.oneof(
  { arbitrary: consistentSpecArb, weight: 2 },
  { arbitrary: randomSpecArb, weight: 1 },
);

/** A WAV file from the spec; fields are written as given, consistent or not. */
function buildWav(spec: WavSpec): Uint8Array {
  const le = spec.container !== 'RIFX';
  const bytes: number[] = [];
  const u16 = (v: number) => {
    const b = [v & 0xff, (v >>> 8) & 0xff];
    bytes.push(...(le ? b : b.reverse()));
  };
  const u32 = (v: number) => {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    bytes.push(...(le ? b : b.reverse()));
  };
  const id = (s: string) => {
    for (let i = 0; i < 4; i++) bytes.push(s.charCodeAt(i));
  };
  const chunk = (name: string, body: ArrayLike<number>, size = body.length) => {
    id(name);
    u32(size);
    for (let i = 0; i < body.length; i++) bytes.push(body[i]!);
    if (body.length % 2 === 1) bytes.push(0);
  };
  const rf64 = spec.container === 'RF64' || spec.container === 'BW64';
  id(spec.container);
  u32(rf64 ? 0xffffffff : 0);
  id('WAVE');
  const dataSize =
    spec.declared === 'exact'
      ? spec.data.length
      : spec.declared === 'zero'
        ? 0
        : spec.declared === 'streamed'
          ? 0xffffffff
          : spec.declared === 'short'
            ? Math.max(0, spec.data.length - 3)
            : spec.declared === 'long'
              ? spec.data.length + 1000
              : spec.declared;
  if (rf64) {
    const ds64 = new Uint8Array(28);
    const view = new DataView(ds64.buffer);
    view.setUint32(8, dataSize, true);
    chunk('ds64', ds64);
  }
  for (const c of spec.before) chunk(c.id, c.body);
  const extensible = spec.tag === 0xfffe;
  const bytesPerSample = Math.ceil(spec.bits / 8);
  const blockAlign = spec.blockAlign ?? (spec.channels * bytesPerSample) & 0xffff;
  const fmt: number[] = [];
  const fmtStart = bytes.length;
  u16(spec.tag);
  u16(spec.channels);
  u32(spec.rate);
  u32((spec.rate * blockAlign) >>> 0);
  u16(blockAlign);
  u16(spec.bits);
  if (extensible) {
    u16(22);
    u16(spec.bits);
    u32(0);
    u16(spec.extensibleTag);
    bytes.push(0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71);
  }
  fmt.push(...bytes.splice(fmtStart));
  chunk('fmt ', fmt);
  chunk('data', spec.data, rf64 ? 0xffffffff : dataSize);
  for (const c of spec.after) chunk(c.id, c.body);
  const out = Uint8Array.from(bytes);
  if (!rf64) new DataView(out.buffer).setUint32(4, out.length - 8, le);
  return out;
}

const mutationsArb = (max: number) =>
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: max });

function mutate(bytes: Uint8Array, mutations: readonly [number, number][], cut: number | null): Uint8Array {
  const copy = bytes.slice(0, cut === null ? bytes.length : cut % (bytes.length + 1));
  for (const [at, value] of mutations) if (copy.length > 0) copy[at % copy.length] = value;
  return copy;
}

const cutsArb = fc.array(fc.nat({ max: 400 }), { maxLength: 12 });

describe('WavParser fuzz', () => {
  it('random bytes: frames or a coded AUDIO_WAV_* error, the same for any chunking', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), cutsArb, fc.boolean(), (bytes, cuts, allowTruncated) => {
        expectChunkingInvariant(bytes, cuts, allowTruncated);
      }),
      { numRuns: 2000 },
    );
  });

  it('random bytes behind a valid RIFF/WAVE magic reach the chunk parser and still fail coded', () => {
    const magic = Uint8Array.of(0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x41, 0x56, 0x45);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), cutsArb, (tail, cuts) => {
        const bytes = new Uint8Array(magic.length + tail.length);
        bytes.set(magic);
        bytes.set(tail, magic.length);
        expectChunkingInvariant(bytes, cuts, true);
      }),
      { numRuns: 2000 },
    );
  });

  it('generated headers (any fmt fields, sizes, containers, extra chunks) parse or fail coded', () => {
    let decoded = 0;
    fc.assert(
      fc.property(wavSpecArb, cutsArb, fc.boolean(), (spec, cuts, allowTruncated) => {
        const bytes = buildWav(spec);
        const outcome = parseWav(bytes, cuts, allowTruncated);
        if (outcome.ok) decoded++;
        expectChunkingInvariant(bytes, cuts, allowTruncated);
      }),
      { numRuns: 2500 },
    );
    // The generator must reach the decoding stage often, or the fuzz proves little.
    expect(decoded).toBeGreaterThan(250);
  });

  it('generated headers with bytes overwritten and the file cut anywhere parse or fail coded', () => {
    fc.assert(
      fc.property(
        wavSpecArb,
        mutationsArb(6),
        fc.option(fc.nat(), { freq: 2 }),
        cutsArb,
        fc.boolean(),
        (spec, mutations, cut, cuts, allowTruncated) => {
          const bytes = mutate(buildWav(spec), mutations, cut);
          expectChunkingInvariant(bytes, cuts, allowTruncated);
        },
      ),
      { numRuns: 2500 },
    );
  });

  it('a declared data size is honoured: never more frames than declared, all of them when present', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 3),
        fc.constantFrom(16, 24, 32),
        fc.uint8Array({ maxLength: 200 }),
        fc.integer({ min: 0, max: 220 }),
        cutsArb,
        (channels, bits, data, declared, cuts) => {
          const spec: WavSpec = {
            container: 'RIFF',
            before: [],
            tag: bits === 32 ? 3 : 1,
            channels,
            rate: 16000,
            bits,
            blockAlign: undefined,
            extensibleTag: 1,
            declared,
            data,
            after: [],
          };
          const outcome = parseWav(buildWav(spec), cuts, true);
          // parseWav checks frames * blockAlign <= declared and completeness itself. A 0 size
          // means "streamed": everything to the end is data, the odd-size pad byte included.
          const padded = data.length + (data.length % 2);
          if (declared === 0)
            expect(outcome.ok && outcome.frames).toBe(Math.floor(padded / (channels * (bits / 8))));
          expectChunkingInvariant(buildWav(spec), cuts, false);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

// --- headerless PCM, G.711 -------------------------------------------------------------------------

const floatBytes = (values: readonly number[]) => {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    view.setFloat32(i * 4, v, true);
  });
  return out;
};

describe('raw PCM and G.711 fuzz', () => {
  it('decodeRawPcm: channels of the right shape, or AUDIO_BAD_FORMAT exactly when the format or length is wrong', () => {
    const bytesPer = { linear16: 2, linear32: 4, mulaw: 1, alaw: 1 } as Record<string, number>;
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 256 }),
        fc.oneof(fc.constantFrom(...RAW_PCM_ENCODINGS), fc.constantFrom('linear8', 'flac', '', 'LINEAR16')),
        fc.oneof(
          fc.integer({ min: 1, max: 8 }),
          fc.constantFrom(0, -1, 65, 1.5, Number.NaN, Number.POSITIVE_INFINITY),
        ),
        (bytes, encoding, channels) => {
          const frameBytes = (bytesPer[encoding] ?? 0) * channels;
          const valid =
            bytesPer[encoding] !== undefined &&
            Number.isInteger(channels) &&
            channels >= 1 &&
            channels <= 64 &&
            bytes.length % frameBytes === 0;
          let decoded: ReturnType<typeof decodeRawPcm>;
          try {
            decoded = decodeRawPcm(bytes, { encoding: encoding as 'linear16', channels });
          } catch (err) {
            expect(codeOf(err)).toBe('AUDIO_BAD_FORMAT');
            expect(valid).toBe(false);
            return;
          }
          expect(valid).toBe(true);
          expect(decoded.channels.length).toBe(channels);
          for (const ch of decoded.channels) {
            expect(ch.length).toBe(bytes.length / frameBytes);
            for (const x of ch) expect(Number.isFinite(x)).toBe(true);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('linear32 with NaN, infinities, subnormals and huge values: bounded finite output, replacements counted', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.float(),
            fc.constantFrom(Number.NaN, Infinity, -Infinity, 3e38, -0, 65536, -65537, 1.5),
          ),
          { maxLength: 64 },
        ),
        fc.constantFrom(1, 2, 4),
        (values, channels) => {
          const usable = values.slice(0, values.length - (values.length % channels));
          const out = decodeRawPcm(floatBytes(usable), { encoding: 'linear32', channels });
          // Kept as sent up to +-MAX_FLOAT_SAMPLE; NaN -> 0; infinities and beyond -> +-1.
          const kept = (f: number) => Math.abs(f) <= MAX_FLOAT_SAMPLE;
          expect(out.replacedSamples).toBe(usable.filter((v) => !kept(Math.fround(v))).length);
          usable.forEach((v, i) => {
            const got = out.channels[i % channels]![Math.floor(i / channels)]!;
            const f = Math.fround(v);
            expect(got).toBe(kept(f) ? f : Number.isNaN(f) ? 0 : Math.sign(f));
          });
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('G.711: any byte decodes into [-1, 1]; any float (NaN, Inf) encodes and decodes back within one step', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 128 }),
        fc.array(fc.oneof(fc.float(), fc.constantFrom(Number.NaN, Infinity, -Infinity)), { maxLength: 64 }),
        (bytes, floats) => {
          for (const decode of [decodeMulaw, decodeAlaw]) {
            for (const x of decode(bytes)) expect(Math.abs(x)).toBeLessThanOrEqual(1);
          }
          const samples = Float32Array.from(floats);
          for (const [encode, decode] of [
            [encodeMulaw, decodeMulaw],
            [encodeAlaw, decodeAlaw],
          ] as const) {
            const back = decode(encode(samples));
            expect(back.length).toBe(samples.length);
            samples.forEach((x, i) => {
              const clipped = Number.isNaN(x) ? 0 : Math.max(-1, Math.min(1, x));
              // G.711's coarsest step is 1/32 of full scale (mu-law 8159/32124 segment 7).
              expect(Math.abs(back[i]! - clipped)).toBeLessThanOrEqual(0.032);
            });
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

// --- LiveAudioInput ----------------------------------------------------------------------------

const COMMON_RATES = [8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000, 96000, 384000];

describe('LiveAudioInput fuzz', () => {
  it('any declared format is accepted or refused with a coded error naming the problem', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...RAW_PCM_ENCODINGS), fc.constantFrom('opus', 'linear24', '')),
        fc.oneof(
          fc.constantFrom(...COMMON_RATES),
          fc.integer({ min: 1, max: 64 }),
          fc.constantFrom(0, -1, -16000, 384001, 1e9, 16000.5, Number.NaN, Infinity, -Infinity),
        ),
        fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constantFrom(0, -2, 65, 2.5, Number.NaN)),
        (encoding, sampleRate, channels) => {
          let input: LiveAudioInput;
          try {
            input = new LiveAudioInput({ encoding: encoding as 'linear16', sampleRate, channels }, 16000);
          } catch (err) {
            expect(['AUDIO_BAD_FORMAT', 'AUDIO_BAD_SAMPLE_RATE']).toContain(codeOf(err));
            const rateOk = Number.isInteger(sampleRate) && sampleRate >= 1 && sampleRate <= 384000;
            const channelsOk = Number.isInteger(channels) && channels >= 1 && channels <= 64;
            expect(RAW_PCM_ENCODINGS.includes(encoding as 'linear16') && rateOk && channelsOk).toBe(false);
            return;
          }
          expect(input.frameBytes).toBeGreaterThan(0);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('random frames (misaligned, empty, NaN/Inf floats): finite audio of the right length, or AUDIO_BAD_FORMAT that leaves the input usable', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RAW_PCM_ENCODINGS),
        fc.constantFrom(8000, 16000, 22050, 44100, 48000),
        fc.integer({ min: 1, max: 3 }),
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 400 }),
            fc.array(fc.oneof(fc.float(), fc.constantFrom(Number.NaN, Infinity, -Infinity, 3.4e38, -3e38)), {
              maxLength: 60,
            }),
          ),
          { maxLength: 12 },
        ),
        (encoding, sampleRate, channels, frames) => {
          const input = new LiveAudioInput({ encoding, sampleRate, channels }, 16000);
          let accepted = 0;
          let out = 0;
          for (const f of frames) {
            const bytes = f instanceof Uint8Array ? f : floatBytes(f);
            let samples: Float32Array;
            try {
              samples = input.push(bytes);
            } catch (err) {
              expect(codeOf(err)).toBe('AUDIO_BAD_FORMAT');
              expect(bytes.length % input.frameBytes).not.toBe(0);
              continue;
            }
            expect(bytes.length % input.frameBytes).toBe(0);
            accepted += bytes.length / input.frameBytes;
            for (const x of samples) expect(Number.isFinite(x)).toBe(true);
            out += samples.length;
          }
          const tail = input.flush();
          for (const x of tail) expect(Number.isFinite(x)).toBe(true);
          out += tail.length;
          expect(input.seconds).toBeCloseTo(accepted / sampleRate, 9);
          // Every input sample is represented once the tail is flushed: ceil(n * out / in).
          expect(out).toBe(sampleRate === 16000 ? accepted : Math.ceil((accepted * 16000) / sampleRate));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('pathological rate pairs are refused quickly instead of building a huge filter', () => {
    // 383999 Hz has no common divisor with 16 kHz: its filter table would have 16000
    // phases of ~290 taps (4.6 M taps, ~90 MB and half a second of CPU per connection).
    for (const rate of [383999, 191999, 96001]) {
      expect(codeOf(() => new LinearResampler(rate, 16000))).toBe('AUDIO_BAD_SAMPLE_RATE');
      expect(
        codeOf(() => new LiveAudioInput({ encoding: 'linear16', sampleRate: rate, channels: 1 }, 16000)),
      ).toBe('AUDIO_BAD_SAMPLE_RATE');
    }
    for (const rate of [...COMMON_RATES, 16001, 1, 7]) {
      expect(
        new LiveAudioInput({ encoding: 'linear16', sampleRate: rate, channels: 1 }, 16000).frameBytes,
      ).toBe(2);
    }
  });
});

// Keeps the helper honest: a split that dropped or repeated bytes would make every
// chunking-invariance property above vacuous.
describe('fuzz helpers', () => {
  it('splitAt returns pieces that concatenate to the input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 50 }), cutsArb, (bytes, cuts) => {
        expect(checkedChunks(bytes, cuts)).toEqual(Array.from(bytes));
      }),
      { numRuns: 200 },
    );
  });
});
