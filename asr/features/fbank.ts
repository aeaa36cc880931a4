import { FbankComputer } from './fbank-computer.js';
import type { FbankOptions, FbankOptionsInput } from './fbank-options.js';
import type { FeatureMatrix } from './feature-matrix.js';
import { firstSampleOfFrame, gatherReflected, numFrames } from './frame-layout.js';

/**
 * Whole-utterance knf filterbank: the same frames OnlineFbank gives after
 * `inputFinished()`, computed in one pass. Pass a computer to reuse its buffers.
 */
export function computeFbank(
  samples: Float32Array,
  options: FbankOptionsInput | Readonly<FbankOptions> | FbankComputer = {},
): FeatureMatrix {
  const computer = options instanceof FbankComputer ? options : new FbankComputer(options);
  const g = computer.geometry;
  const count = numFrames(samples.length, g, true);
  const data = new Float32Array(count * computer.dim);
  const scale = computer.options.sampleScale;
  for (let f = 0; f < count; f++) {
    gatherReflected(
      samples,
      0,
      samples.length,
      firstSampleOfFrame(f, g),
      g.frameLength,
      scale,
      computer.frame,
    );
    computer.compute(data, f * computer.dim);
  }
  return { data, numFrames: count, dim: computer.dim };
}
