import type { FeatureMatrix } from './feature-matrix.js';

export interface PerFeatureNormOptions {
  /**
   * 'unbiased' divides the squared deviations by T-1 (NeMo's `normalize_batch`, torch.std);
   * 'population' by T (sherpa's `NemoNormalizePerFeature`).
   */
  variance: 'unbiased' | 'population';
  /** Added to the standard deviation (not the variance); NeMo and sherpa use 1e-5. */
  epsilon?: number;
}

/**
 * In place: each feature column becomes (x - mean) / (std + epsilon) over all frames.
 * Accumulates in float64. With one frame the unbiased variance is 0/0; NeMo's packed
 * path maps that NaN to a std of 0, so the output is 0, not NaN.
 */
export function normalizePerFeature(m: FeatureMatrix, opts: PerFeatureNormOptions): void {
  const { data, numFrames: t, dim } = m;
  if (t === 0) return;
  const eps = opts.epsilon ?? 1e-5;
  const denominator = opts.variance === 'unbiased' ? t - 1 : t;
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (let f = 0; f < t; f++) {
    const row = f * dim;
    for (let d = 0; d < dim; d++) mean[d] = mean[d]! + data[row + d]!;
  }
  for (let d = 0; d < dim; d++) mean[d] = mean[d]! / t;
  for (let f = 0; f < t; f++) {
    const row = f * dim;
    for (let d = 0; d < dim; d++) {
      const dev = data[row + d]! - mean[d]!;
      sq[d] = sq[d]! + dev * dev;
    }
  }
  const inv = new Float64Array(dim);
  for (let d = 0; d < dim; d++) {
    const std = denominator > 0 ? Math.sqrt(sq[d]! / denominator) : 0;
    inv[d] = 1 / (std + eps);
  }
  for (let f = 0; f < t; f++) {
    const row = f * dim;
    for (let d = 0; d < dim; d++) data[row + d] = (data[row + d]! - mean[d]!) * inv[d]!;
  }
}
