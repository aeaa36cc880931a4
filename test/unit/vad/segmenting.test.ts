// Offline segmentation without a VAD: the quietest-cut rule and the streaming energy
// segmenter (bounded pieces that cover the input exactly, whatever the chunking).
import { describe, expect, it } from 'vitest';
import { EnergySegmenter } from '../../../asr/segmenting/energy-segmenter.js';
import { findQuietestCut } from '../../../asr/segmenting/quietest-cut.js';
import { speechSegments } from '../../../asr/segmenting/speech-segments.js';

const RATE = 8000;

/** A tone with quiet gaps at the given seconds (each `gap` long). */
function toneWithGaps(seconds: number, gaps: readonly number[], gap = 0.3): Float32Array {
  const out = new Float32Array(Math.round(seconds * RATE));
  for (let i = 0; i < out.length; i++) {
    const t = i / RATE;
    const quiet = gaps.some((g) => t >= g && t < g + gap);
    out[i] = (quiet ? 0.001 : 0.5) * Math.sin(2 * Math.PI * 220 * t);
  }
  return out;
}

function chunks(samples: Float32Array, sizes: readonly number[]): Float32Array[] {
  const out: Float32Array[] = [];
  let at = 0;
  let k = 0;
  while (at < samples.length) {
    const n = sizes[k++ % sizes.length]!;
    out.push(samples.subarray(at, at + n));
    at += n;
  }
  return out;
}

function sameSamples(a: Float32Array, b: Float32Array): boolean {
  return (
    a.length === b.length &&
    Buffer.compare(
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    ) === 0
  );
}

describe('findQuietestCut', () => {
  it('cuts inside the quiet stretch', () => {
    const audio = toneWithGaps(20, [13]);
    const cut = findQuietestCut(audio, { from: 5 * RATE, to: 20 * RATE, frameSamples: 80 });
    expect(cut / RATE).toBeGreaterThan(13);
    expect(cut / RATE).toBeLessThan(13.3);
  });

  it('stays within [from, to) and prefers the latest of equal candidates', () => {
    const silent = new Float32Array(RATE * 4);
    const cut = findQuietestCut(silent, { from: RATE, to: 3 * RATE, frameSamples: 80 });
    expect(cut).toBeGreaterThanOrEqual(RATE);
    expect(cut).toBeLessThan(3 * RATE);
    expect(cut).toBeGreaterThan(2.8 * RATE);
    expect(findQuietestCut(silent, { from: 100, to: 120, frameSamples: 80 })).toBe(120);
  });
});

describe('EnergySegmenter', () => {
  it('cuts long audio into pieces no longer than max, at the quiet points, covering it exactly', () => {
    const audio = toneWithGaps(50, [8, 17, 31, 44]);
    const segmenter = new EnergySegmenter({ sampleRate: RATE, maxSeconds: 10, minSeconds: 2 });
    const pieces = chunks(audio, [1, 4000, 777, 20000]).flatMap((c) => segmenter.push(c));
    const last = segmenter.finish();
    if (last) pieces.push(last);
    expect(pieces.length).toBeGreaterThanOrEqual(5);
    let at = 0;
    for (const p of pieces) {
      expect(p.start).toBe(at);
      expect(p.samples.length).toBeLessThanOrEqual(10 * RATE);
      expect(sameSamples(p.samples, audio.subarray(at, at + p.samples.length))).toBe(true);
      at += p.samples.length;
    }
    expect(at).toBe(audio.length);
    // The first cuts fall in the gaps.
    expect(pieces[1]!.start / RATE).toBeGreaterThan(8);
    expect(pieces[1]!.start / RATE).toBeLessThan(8.3);
    expect(pieces[2]!.start / RATE).toBeGreaterThan(17);
    expect(pieces[2]!.start / RATE).toBeLessThan(17.3);
  });

  it('gives the same pieces whatever the chunking', async () => {
    const audio = toneWithGaps(35, [6, 19, 27]);
    const cuts = async (sizes: number[]) => {
      const out: number[] = [];
      for await (const p of speechSegments(chunks(audio, sizes), { sampleRate: RATE, maxSeconds: 10 }))
        out.push(p.start);
      return out;
    };
    const a = await cuts([8000]);
    expect(await cuts([3, 9999, 123])).toEqual(a);
    expect(a.length).toBeGreaterThanOrEqual(4);
  });

  it('returns nothing for no input', () => {
    expect(new EnergySegmenter({ sampleRate: RATE }).finish()).toBeUndefined();
  });
});
