import type { FeatureMatrix } from './feature-matrix.js';
import { NemoMelComputer } from './nemo-mel-computer.js';
import type { NemoMelOptions, NemoMelOptionsInput } from './nemo-mel-options.js';
import { normalizePerFeature } from './per-feature-norm.js';

/**
 * NeMo's own preprocessor over a whole utterance: floor(N/hop) frames of log-mel,
 * normalised per feature (unbiased std + 1e-5) unless `normalize` is 'none'.
 * Returns [T, numMelBins] (time-major; NeMo encoders want the transpose, [1, C, T]).
 * `pad_to` padding is left to the caller: it only appends frames of zeros.
 */
export function computeNemoMel(
  samples: Float32Array,
  options: NemoMelOptionsInput | Readonly<NemoMelOptions> | NemoMelComputer = {},
): FeatureMatrix {
  const computer = options instanceof NemoMelComputer ? options : new NemoMelComputer(options);
  const count = computer.numFrames(samples.length);
  const data = new Float32Array(count * computer.dim);
  for (let f = 0; f < count; f++) computer.compute(samples, 0, samples.length, f, data, f * computer.dim);
  const m = { data, numFrames: count, dim: computer.dim };
  if (computer.options.normalize === 'per_feature') normalizePerFeature(m, { variance: 'unbiased' });
  return m;
}
