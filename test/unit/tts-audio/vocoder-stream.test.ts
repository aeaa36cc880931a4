import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSpeechError } from '../../../common/errors.js';
import { VocoderModel } from '../../../models/tts/vocoder-model.js';
import { type MelVocoder, VocoderStream } from '../../../tts/audio/vocoder-stream.js';
import { computeLogMel } from '../../../tts/mel-spec.js';
import { maxAbsDiff, melGoldenInput } from './mel-golden.js';
import { embeddedVocoder } from './vocoder-fixture.js';

/** xorshift32 in [0, 1), for reproducible random chunkings. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** Cuts `numFrames` into chunks of 1..maxChunk frames. */
function chunking(numFrames: number, maxChunk: number, random: () => number): number[] {
  const sizes: number[] = [];
  for (let left = numFrames; left > 0; ) {
    const n = Math.min(left, 1 + Math.floor(random() * maxChunk));
    sizes.push(n);
    left -= n;
  }
  return sizes;
}

async function streamed(
  vocoder: MelVocoder,
  logMel: Float32Array,
  sizes: number[],
  check?: (stream: VocoderStream) => void,
): Promise<Float32Array> {
  const stream = new VocoderStream(vocoder, { maxFramesPerRun: 16 });
  const parts: Float32Array[] = [];
  let at = 0;
  for (const n of sizes) {
    parts.push(await stream.push(logMel.subarray(at * 80, (at + n) * 80)));
    at += n;
    check?.(stream);
  }
  parts.push(await stream.flush());
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * A pure stand-in with exactly the declared dependency structure, and a switch that makes
 * it look one frame further ahead than it declares (which streaming must then get wrong).
 * Frame value g(t) = Σ_j c_j · mel[t - j][m_j] over j <= R (zero before the window), then a
 * Hann-weighted overlap-add normalised by its window-local envelope, like an iSTFT.
 */
function fakeVocoder(receptiveLeftFrames: number, hiddenLookahead = 0): MelVocoder & { calls: number[] } {
  const calls: number[] = [];
  return {
    hopLength: 320,
    numMels: 80,
    receptiveLeftFrames,
    lookaheadFrames: 2,
    calls,
    async synthesize(logMel, numFrames) {
      calls.push(numFrames);
      const g = new Float64Array(numFrames);
      for (let t = 0; t < numFrames; t++) {
        let v = 0;
        for (let j = 0; j <= receptiveLeftFrames && j <= t; j++)
          v += Math.cos(j + 1) * logMel[(t - j) * 80 + (j % 80)]!;
        if (hiddenLookahead > 0 && t + hiddenLookahead < numFrames) v += logMel[(t + hiddenLookahead) * 80]!;
        g[t] = v;
      }
      const out = new Float32Array(numFrames * 320);
      for (let n = 0; n < out.length; n++) {
        let num = 0;
        let den = 0;
        for (let t = Math.max(0, Math.floor((n - 511) / 320)); t < numFrames && 320 * t - 512 <= n; t++) {
          const i = n - 320 * t + 512;
          if (i < 0 || i >= 1024) continue;
          const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / 1024);
          num += w * w * g[t]!;
          den += w * w;
        }
        out[n] = den > 1e-11 ? num / den : 0;
      }
      return out;
    },
  };
}

const speech = computeLogMel(melGoldenInput('jfk-3s')); // 151 frames of real speech

describe('VocoderStream (pure stand-in vocoder)', () => {
  it('equals whole-utterance synthesis for random chunkings of 1-25 frames', async () => {
    const fake = fakeVocoder(30);
    const whole = await fake.synthesize(speech.data, speech.numFrames);
    const random = rng(7);
    for (let trial = 0; trial < 6; trial++) {
      const sizes = chunking(speech.numFrames, trial < 3 ? 4 : 25, random);
      const out = await streamed(fake, speech.data, sizes);
      expect(out.length).toBe(whole.length);
      expect(maxAbsDiff(out, whole)).toBeLessThan(1e-5);
    }
  });

  it('fails that check when the model looks further ahead than it declares', async () => {
    const cheat = fakeVocoder(30, 3);
    const whole = await cheat.synthesize(speech.data, speech.numFrames);
    const out = await streamed(cheat, speech.data, chunking(speech.numFrames, 4, rng(3)));
    expect(maxAbsDiff(out, whole)).toBeGreaterThan(1e-3);
  });

  it('emits every block as soon as its look-ahead has arrived, with bounded context', async () => {
    const fake = fakeVocoder(30);
    const seen: number[] = [];
    await streamed(fake, speech.data, chunking(speech.numFrames, 9, rng(11)), (stream) => {
      expect(stream.samplesEmitted).toBe(Math.max(0, stream.framesReceived - 2) * 320);
      seen.push(stream.framesBuffered);
    });
    // Context 1 + 30 frames, look-ahead 2, one run of at most 16 new frames.
    expect(Math.max(...seen)).toBeLessThanOrEqual(31 + 2 + 16);
    expect(Math.max(...fake.calls)).toBeLessThanOrEqual(31 + 2 + 16);
  });

  it('returns nothing for an empty utterance, and is reusable after reset()', async () => {
    const fake = fakeVocoder(4);
    const stream = new VocoderStream(fake);
    expect((await stream.flush()).length).toBe(0);
    await expect(stream.push(speech.data.subarray(0, 80))).rejects.toThrow(/after flush/);
    await stream.reset();
    const first = await stream.push(speech.data.subarray(0, 80 * 10));
    expect(first.length).toBe(8 * 320);
    expect((await stream.flush()).length).toBe(2 * 320);
  });

  it('serialises pushes made without waiting', async () => {
    const fake = fakeVocoder(30);
    const whole = await fake.synthesize(speech.data, speech.numFrames);
    const stream = new VocoderStream(fake);
    const pending: Promise<Float32Array>[] = [];
    for (let t = 0; t < speech.numFrames; t += 7) {
      pending.push(stream.push(speech.data.subarray(t * 80, Math.min(speech.numFrames, t + 7) * 80)));
    }
    pending.push(stream.flush());
    const parts = await Promise.all(pending);
    const out = new Float32Array(whole.length);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    expect(o).toBe(whole.length);
    expect(maxAbsDiff(out, whole)).toBeLessThan(1e-5);
  });

  it('rejects a chunk that is not whole frames', async () => {
    const stream = new VocoderStream(fakeVocoder(4));
    await expect(stream.push(new Float32Array(81))).rejects.toSatisfy((e) =>
      isSpeechError(e, 'MODEL_FEED_INVALID'),
    );
    expect(() => new VocoderStream(fakeVocoder(4), { maxFramesPerRun: 0 })).toThrow(/maxFramesPerRun/);
  });
});

describe('VocoderStream (embedded tts-vocoder)', () => {
  let model: VocoderModel;
  beforeAll(async () => {
    model = await VocoderModel.load(embeddedVocoder, { intraOpThreads: 1 });
  });
  afterAll(async () => {
    await model?.release();
  });

  it('equals whole-utterance synthesis for random chunkings of 4-25 frames', async () => {
    const whole = await model.synthesize(speech.data, speech.numFrames);
    let peak = 0;
    for (const v of whole) peak = Math.max(peak, Math.abs(v));
    expect(peak).toBeGreaterThan(0.01);
    const random = rng(2024);
    // Chunks of 4-25 frames (the last one may be shorter) that add up to the utterance.
    for (let trial = 0; trial < 6; trial++) {
      const sizes: number[] = [];
      for (let left = speech.numFrames; left > 0; ) {
        const n = Math.min(left, 4 + Math.floor(random() * 22));
        sizes.push(n);
        left -= n;
      }
      const out = await streamed(model, speech.data, sizes);
      expect(out.length).toBe(whole.length);
      expect(maxAbsDiff(out, whole)).toBeLessThan(1e-4);
    }
  });
});
