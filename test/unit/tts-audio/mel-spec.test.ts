import { describe, expect, it } from 'vitest';
import { computeLogMel, melFrameCount, ttsMelFilterbank, ttsMelSpec } from '../../../tts/mel-spec.js';
import { maxAbsDiff, melGoldenCases, melGoldenContract, melGoldenFilterbank } from './mel-golden.js';

// Golden values: test/fixtures/tts/mel-golden.{json,f32}, written by
//   /usr/bin/python3 models/py/tts/mel_spec.py
// from torch.stft + torchaudio's melscale_fbanks in float64 (no code shared with tts/mel-spec.ts).
// Log-domain features: 1e-3 against that reference (float64 there, float32 data).
const tolerance = 1e-3;

describe('TTS log-mel', () => {
  it('has every golden case (real speech, festival speech, odd and very short lengths)', () => {
    expect(melGoldenCases().map((c) => [c.name, c.logMel.numFrames])).toEqual([
      ['jfk-3s', 151],
      ['hifitts-2s', 101],
      ['festival-kal', 111],
      ['jfk-odd-length', 14],
      ['jfk-short', 3],
    ]);
  });

  it('declares the same contract as models/py/tts/mel_spec.py', () => {
    const py = melGoldenContract();
    expect({
      sampleRate: ttsMelSpec.sampleRate,
      nFft: ttsMelSpec.nFft,
      winLength: ttsMelSpec.winLength,
      hopLength: ttsMelSpec.hopLength,
      nMels: ttsMelSpec.numMels,
      fMin: ttsMelSpec.fMin,
      fMax: ttsMelSpec.fMax,
      logFloor: ttsMelSpec.logFloor,
    }).toEqual(py);
  });

  it("uses torchaudio's Slaney filterbank", () => {
    const golden = melGoldenFilterbank();
    const dense = ttsMelFilterbank().toDense();
    expect([golden.rows, golden.cols]).toEqual([80, 513]);
    // Area-normalised weights peak near 0.027, so 1e-6 is a tight absolute bound.
    expect(maxAbsDiff(dense, golden.data)).toBeLessThan(1e-6);
  });

  it.each(melGoldenCases().map((c) => [c.name, c] as const))('matches the torch log-mel on %s', (_, c) => {
    const ours = computeLogMel(c.samples);
    expect(ours.numFrames).toBe(c.logMel.numFrames);
    expect(ours.numFrames).toBe(melFrameCount(c.samples.length));
    expect(ours.dim).toBe(80);
    expect(maxAbsDiff(ours.data, c.logMel.data)).toBeLessThanOrEqual(tolerance);
  });

  it('gives the floor for silence', () => {
    const m = computeLogMel(new Float32Array(3200));
    expect(m.numFrames).toBe(11);
    expect(maxAbsDiff(m.data, new Float32Array(m.data.length).fill(Math.log(1e-5)))).toBeLessThan(1e-6);
  });
});
