import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeFbank,
  type FbankOptionsInput,
  featurePresets,
  OnlineFbank,
} from '../../../asr/features/index.js';
import { isSpeechError } from '../../../common/errors.js';
import { chunkSizes, streamAndCompare } from './chunking.js';
import { goldenInput } from './golden-fixture.js';

const jfk = goldenInput('jfk-2.5s').samples;
const short = goldenInput('jfk-short-250').samples;
const tiny = goldenInput('jfk-tiny-100').samples;

const configs: [string, FbankOptionsInput][] = [
  ['snip_edges off, povey, Kaldi mel', featurePresets['sherpa-online-nemo-ctc'].options],
  ['snip_edges off, hann, librosa mel', featurePresets['sherpa-online-nemo-transducer'].options],
  ['snip_edges on, hamming, x32768', featurePresets['sherpa-offline-paraformer'].options],
  ['snip_edges on, 32 ms / 12.5 ms', { frameLengthMs: 32, frameShiftMs: 12.5, snipEdges: true }],
];

describe('OnlineFbank', () => {
  describe.each(configs)('%s', (_name, options) => {
    const whole = computeFbank(jfk, options);

    it('gives the whole-clip frames for any chunking (1 sample to 2 s)', () => {
      fc.assert(
        fc.property(chunkSizes, fc.integer({ min: 0, max: 30 }), (sizes, lag) => {
          const r = streamAndCompare(new OnlineFbank(options), jfk, sizes, whole, lag);
          return r.frames === whole.numFrames && r.maxDiff <= 1e-6;
        }),
        { numRuns: 25 },
      );
    });

    it('handles clips shorter than one frame, including repeated reflection', () => {
      for (const clip of [short, tiny]) {
        const ref = computeFbank(clip, options);
        const r = streamAndCompare(new OnlineFbank(options), clip, [1, 3, 100], ref);
        expect(r.frames).toBe(ref.numFrames);
        expect(r.maxDiff).toBeLessThanOrEqual(1e-6);
      }
    });
  });

  it('holds back frames that need future samples until inputFinished (snip_edges off)', () => {
    // 400/160: frame f spans [160f - 120, 160f + 280); the total after flush rounds N/160.
    const x = new OnlineFbank({ snipEdges: false });
    x.acceptWaveform(jfk.subarray(0, 279));
    expect(x.numFramesReady).toBe(0);
    x.acceptWaveform(jfk.subarray(279, 280));
    expect(x.numFramesReady).toBe(1);
    x.acceptWaveform(jfk.subarray(280, 1000));
    expect(x.numFramesReady).toBe(5); // frame 4 ends at 920, frame 5 at 1080
    x.inputFinished();
    expect(x.numFramesReady).toBe(6); // round(1000 / 160) = floor(1080 / 160)
  });

  it('computes frames as soon as they fit with snip_edges on', () => {
    const x = new OnlineFbank({ snipEdges: true });
    x.acceptWaveform(jfk.subarray(0, 399));
    expect(x.numFramesReady).toBe(0);
    x.acceptWaveform(jfk.subarray(399, 1000));
    expect(x.numFramesReady).toBe(4); // 1 + floor(600 / 160)
    x.inputFinished();
    expect(x.numFramesReady).toBe(4);
  });

  it('keeps memory bounded on an endless stream when frames are discarded', () => {
    const x = new OnlineFbank(featurePresets['sherpa-online-nemo-ctc'].options);
    const chunk = 1600; // 100 ms
    let read = 0;
    let peakFrames = 0;
    let peakSamples = 0;
    // Ten minutes of audio, looping the clip.
    for (let i = 0; i < 6000; i++) {
      const start = (i * chunk) % (jfk.length - chunk);
      x.acceptWaveform(jfk.subarray(start, start + chunk));
      read = x.numFramesReady;
      x.discardBefore(read);
      peakFrames = Math.max(peakFrames, x.buffered.frames);
      peakSamples = Math.max(peakSamples, x.buffered.samples);
    }
    expect(read).toBe(59999); // 600 s at 100 frames/s, less the frame still waiting for samples
    expect(peakFrames).toBe(0);
    expect(peakSamples).toBeLessThanOrEqual(400 + 160 + chunk);
    expect(x.buffered.sampleCapacity).toBeLessThanOrEqual(8192);
    expect(x.buffered.frameCapacity).toBeLessThanOrEqual(128);
  });

  it('keeps absolute frame indices and refuses discarded ones with a coded error', () => {
    const x = new OnlineFbank();
    x.acceptWaveform(jfk.subarray(0, 16000));
    const ready = x.numFramesReady;
    const frame10 = Float32Array.from(x.frame(10));
    x.discardBefore(10);
    expect(x.firstAvailableFrame).toBe(10);
    expect(Array.from(x.frame(10))).toEqual(Array.from(frame10));
    expect(x.frames(10, ready - 10).length).toBe((ready - 10) * x.dim);
    let caught: unknown;
    try {
      x.frame(9);
    } catch (err) {
      caught = err;
    }
    expect(isSpeechError(caught, 'INTERNAL')).toBe(true);
    expect(() => x.frame(ready)).toThrow(/held are/);
    const dst = new Float32Array(3 * x.dim + 5);
    x.copyFrames(10, 3, dst, 5);
    expect(Array.from(dst.subarray(5, 5 + x.dim))).toEqual(Array.from(frame10));
  });

  it('rejects audio after inputFinished and starts over after reset', () => {
    const x = new OnlineFbank();
    x.acceptWaveform(jfk.subarray(0, 8000));
    x.inputFinished();
    expect(x.isInputFinished).toBe(true);
    expect(() => x.acceptWaveform(jfk.subarray(0, 10))).toThrow(/after inputFinished/);
    const first = Float32Array.from(x.frame(0));
    x.reset();
    expect(x.numFramesReady).toBe(0);
    x.acceptWaveform(jfk.subarray(0, 8000));
    expect(Array.from(x.frame(0))).toEqual(Array.from(first));
  });
});
