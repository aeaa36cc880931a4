import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { isSpeechError } from '../../../common/errors.js';
import { LinearResampler } from '../../../streaming/audio/resampler.js';
import { readWav } from '../../../streaming/audio/wav-reader.js';
import { clip, maxAbsDiff, randomChunking, rng } from './helpers.js';

// sherpa-onnx's LinearResampler is Kaldi's resample.cc compiled to native code: the
// independent reference this implementation must reproduce.
const require = createRequire(import.meta.url);
const sherpa = require('sherpa-onnx-node') as {
  LinearResampler: new (
    inRate: number,
    outRate: number,
  ) => { resample(x: Float32Array): Float32Array; flush(x: Float32Array): Float32Array; reset(): void };
};

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Real speech; the resampler does not care which rate the samples were recorded at. */
const speech8k = readWav(readFileSync(clip('speech-8k-169s.wav'))).channels[0]!.subarray(0, 8000 * 20);
const speech16k = readWav(readFileSync(clip('jfk.wav'))).channels[0]!;

const PAIRS: [number, number][] = [
  [8000, 16000],
  [44100, 16000],
  [48000, 16000],
  [16000, 8000],
  [22050, 24000],
  [11025, 16000],
  [16000, 44100],
];

function runChunked(
  r: { resample(x: Float32Array, flush?: boolean): Float32Array },
  x: Float32Array,
  sizes: number[],
) {
  const parts: Float32Array[] = [];
  let pos = 0;
  sizes.forEach((n, i) => {
    parts.push(r.resample(x.subarray(pos, pos + n), i === sizes.length - 1));
    pos += n;
  });
  return concat(parts);
}

describe.each(PAIRS)('LinearResampler %d -> %d', (inRate, outRate) => {
  const input = inRate === 8000 ? speech8k : speech16k;

  it('matches sherpa-onnx (Kaldi) on real speech, whole signal and chunked', () => {
    const ref = new sherpa.LinearResampler(inRate, outRate);
    const expected = ref.flush(input);
    const ours = new LinearResampler(inRate, outRate).resample(input, true);
    expect(ours.length).toBe(expected.length);
    expect(maxAbsDiff(ours, expected)).toBeLessThanOrEqual(1e-5);

    // Same chunking on both sides, including sherpa's own non-flush outputs.
    const sizes = randomChunking(input.length, 5000, rng(inRate + outRate));
    const refParts: Float32Array[] = [];
    let pos = 0;
    sizes.forEach((n, i) => {
      const piece = input.subarray(pos, pos + n);
      refParts.push(i === sizes.length - 1 ? ref.flush(piece) : ref.resample(piece));
      pos += n;
    });
    const oursChunked = runChunked(new LinearResampler(inRate, outRate), input, sizes);
    expect(maxAbsDiff(oursChunked, concat(refParts))).toBeLessThanOrEqual(1e-5);
  });

  it('gives bit-identical output for any chunking (1 sample .. seconds)', () => {
    const whole = new LinearResampler(inRate, outRate).resample(input.subarray(0, inRate * 3), true);
    const x = input.subarray(0, inRate * 3);
    const random = rng(outRate * 3 + inRate);
    for (const maxChunk of [1, 7, 160, 4000, inRate * 2]) {
      const got = runChunked(
        new LinearResampler(inRate, outRate),
        x,
        randomChunking(x.length, maxChunk, random),
      );
      expect(maxAbsDiff(got, whole), `chunks up to ${maxChunk}`).toBe(0);
    }
  });

  it('flush emits every output sample before the end of input: ceil(n * out / in) in total', () => {
    for (const n of [0, 1, 5, 999, inRate + 3]) {
      const r = new LinearResampler(inRate, outRate);
      const total = r.resample(input.subarray(0, n)).length + r.flush().length;
      expect(total, `n = ${n}`).toBe(Math.ceil((n * outRate) / inRate));
    }
  });
});

describe('LinearResampler state', () => {
  it('flush and reset start a new signal: the same input gives the same output again', () => {
    const r = new LinearResampler(44100, 16000);
    const x = speech16k.subarray(0, 30000);
    const first = concat([r.resample(x), r.flush()]);
    const second = concat([r.resample(x), r.flush()]);
    expect(second).toEqual(first);
    r.resample(speech16k.subarray(50000, 60000)); // unflushed state...
    r.reset(); // ...forgotten
    expect(concat([r.resample(x), r.flush()])).toEqual(first);
  });

  it('equal rates pass samples through unchanged', () => {
    const r = new LinearResampler(16000, 16000);
    const x = speech16k.subarray(0, 100);
    expect(r.resample(x)).toBe(x);
    expect(r.flush().length).toBe(0);
  });

  it('rejects rates that are not integers in 1..384000, and bad filter settings', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return isSpeechError(err) ? err.code : String(err);
      }
      return undefined;
    };
    for (const rate of [0, -8000, 8000.5, 500000, Number.NaN]) {
      expect(codeOf(() => new LinearResampler(rate, 16000))).toBe('AUDIO_BAD_SAMPLE_RATE');
      expect(codeOf(() => new LinearResampler(16000, rate))).toBe('AUDIO_BAD_SAMPLE_RATE');
    }
    expect(codeOf(() => new LinearResampler(16000, 8000, { cutoffHz: 5000 }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => new LinearResampler(16000, 8000, { filterWidth: 0 }))).toBe('CONFIG_INVALID');
  });
});

/** Amplitude of the `hz` component of x (single-bin DFT over whole periods), in dB re 1. */
function toneLevelDb(x: Float32Array, rate: number, hz: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < x.length; i++) {
    const w = (2 * Math.PI * hz * i) / rate;
    re += x[i]! * Math.cos(w);
    im -= x[i]! * Math.sin(w);
  }
  return 20 * Math.log10((2 * Math.hypot(re, im)) / x.length);
}

function tone(hz: number, rate: number, seconds: number, amplitude = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(rate * seconds) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate),
  );
}

/** The steady-state middle of an output (edges see the zero padding), whole seconds long. */
function middle(y: Float32Array, rate: number): Float32Array {
  return y.subarray(rate, 2 * rate);
}

describe('LinearResampler quality', () => {
  it.each([
    [44100, 16000, 1000],
    [48000, 16000, 3000],
    [8000, 16000, 2500], // Kaldi's 6-zero filter droops past ~70% of Nyquist (-0.13 dB at 3 kHz)
    [16000, 8000, 2500],
    [22050, 24000, 6000],
  ])('%d -> %d passes a %d Hz sine within 0.1 dB', (inRate, outRate, hz) => {
    const y = new LinearResampler(inRate, outRate).resample(tone(hz, inRate, 3), true);
    const level = toneLevelDb(middle(y, outRate), outRate, hz);
    expect(Math.abs(level - 20 * Math.log10(0.5))).toBeLessThan(0.1);
  });

  it.each([
    [44100, 16000, 10000],
    [48000, 16000, 12000],
    [16000, 8000, 5000],
  ])('%d -> %d attenuates a %d Hz tone (above the new Nyquist) by more than 40 dB', (inRate, outRate, hz) => {
    const y = new LinearResampler(inRate, outRate).resample(tone(hz, inRate, 3), true);
    const out = middle(y, outRate);
    // After decimation the tone can only appear at its alias; measure the whole output's
    // RMS, which covers every alias, relative to the input amplitude.
    const rms = Math.sqrt(out.reduce((s, v) => s + v * v, 0) / out.length);
    expect(20 * Math.log10(rms / (0.5 / Math.SQRT2))).toBeLessThan(-40);
  });

  it('8000 -> 16000 leaves no image of a 3 kHz tone at 5 kHz (> 40 dB down)', () => {
    const y = middle(new LinearResampler(8000, 16000).resample(tone(3000, 8000, 3), true), 16000);
    expect(toneLevelDb(y, 16000, 3000) - toneLevelDb(y, 16000, 5000)).toBeGreaterThan(40);
  });
});
