import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeNemoMel, createOnlineExtractor, OnlineNemoMel } from '../../../asr/features/index.js';
import { isSpeechError } from '../../../common/errors.js';
import { chunkSizes, streamAndCompare } from './chunking.js';
import { goldenInput } from './golden-fixture.js';

const jfk = goldenInput('jfk-2.5s').samples;
const digit = goldenInput('fsdd-7-george-16k').samples;

describe('OnlineNemoMel', () => {
  const whole = computeNemoMel(jfk, { normalize: 'none' });

  it('gives the whole-utterance NeMo frames for any chunking', () => {
    fc.assert(
      fc.property(chunkSizes, fc.integer({ min: 0, max: 30 }), (sizes, lag) => {
        const r = streamAndCompare(new OnlineNemoMel(), jfk, sizes, whole, lag);
        return r.frames === whole.numFrames && r.maxDiff <= 1e-6;
      }),
      { numRuns: 25 },
    );
  });

  it('is what the streaming preset creates', () => {
    const ref = computeNemoMel(digit, { normalize: 'none' });
    const r = streamAndCompare(
      createOnlineExtractor('nemo-native-streaming') as OnlineNemoMel,
      digit,
      [333],
      ref,
    );
    expect(r.frames).toBe(ref.numFrames);
    expect(r.maxDiff).toBeLessThanOrEqual(1e-6);
  });

  it('looks ahead only by the right half of the window and ends at floor(N/160) frames', () => {
    // Frame f covers samples [160f - 200, 160f + 200) of the pre-emphasised signal.
    const x = new OnlineNemoMel();
    x.acceptWaveform(jfk.subarray(0, 199));
    expect(x.numFramesReady).toBe(0);
    x.acceptWaveform(jfk.subarray(199, 200));
    expect(x.numFramesReady).toBe(1);
    x.acceptWaveform(jfk.subarray(200, 1000));
    expect(x.numFramesReady).toBe(6); // frame 5 ends at 1000
    x.inputFinished();
    expect(x.numFramesReady).toBe(6); // floor(1000 / 160); the last STFT frame is NeMo's masked one
  });

  it('refuses per_feature normalisation, which needs the whole utterance', () => {
    let caught: unknown;
    try {
      new OnlineNemoMel({ normalize: 'per_feature' });
    } catch (err) {
      caught = err;
    }
    expect(isSpeechError(caught, 'FEATURE_BAD_OPTIONS')).toBe(true);
  });

  it('keeps memory bounded when frames are discarded', () => {
    const x = new OnlineNemoMel();
    for (let i = 0; i < 3000; i++) {
      const start = (i * 1600) % (jfk.length - 1600);
      x.acceptWaveform(jfk.subarray(start, start + 1600));
      x.discardBefore(x.numFramesReady);
      expect(x.buffered.samples).toBeLessThanOrEqual(400 + 160 + 1600);
    }
    expect(x.buffered.sampleCapacity).toBeLessThanOrEqual(8192);
    expect(x.buffered.frameCapacity).toBeLessThanOrEqual(128);
  });
});
