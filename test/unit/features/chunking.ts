import fc from 'fast-check';
import type { FeatureMatrix, OnlineFeatureExtractor } from '../../../asr/features/index.js';

/** Chunk sizes from 1 sample to 2 s at 16 kHz, weighted so tiny, frame-sized and huge chunks all occur. */
export const chunkSizes = fc.array(
  fc.oneof(
    fc.integer({ min: 1, max: 7 }),
    fc.integer({ min: 1, max: 480 }),
    fc.integer({ min: 1, max: 32000 }),
  ),
  { minLength: 1, maxLength: 60 },
);

/**
 * Feeds `samples` in chunks (cycling through `sizes`), reading and discarding frames as a
 * real consumer would (every frame is read once, then freed, sometimes lagging behind),
 * and returns the max abs difference from `whole` plus the peak memory held.
 */
export function streamAndCompare(
  extractor: OnlineFeatureExtractor & { buffered: { samples: number; frames: number } },
  samples: Float32Array,
  sizes: readonly number[],
  whole: FeatureMatrix,
  lag = 0,
): { maxDiff: number; frames: number; peakFrames: number; peakSamples: number } {
  let maxDiff = 0;
  let next = 0;
  let peakFrames = 0;
  let peakSamples = 0;
  const check = () => {
    for (; next < extractor.numFramesReady; next++) {
      const got = extractor.frame(next);
      if (next >= whole.numFrames) {
        maxDiff = Number.POSITIVE_INFINITY;
        return;
      }
      for (let d = 0; d < whole.dim; d++) {
        const diff = Math.abs(got[d]! - whole.data[next * whole.dim + d]!);
        if (!(diff <= maxDiff)) maxDiff = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff;
      }
    }
    extractor.discardBefore(next - lag);
    peakFrames = Math.max(peakFrames, extractor.buffered.frames);
    peakSamples = Math.max(peakSamples, extractor.buffered.samples);
  };
  let pos = 0;
  for (let i = 0; pos < samples.length; i++) {
    const n = sizes[i % sizes.length]!;
    extractor.acceptWaveform(samples.subarray(pos, Math.min(samples.length, pos + n)));
    pos += n;
    check();
  }
  extractor.inputFinished();
  check();
  return { maxDiff, frames: extractor.numFramesReady, peakFrames, peakSamples };
}
