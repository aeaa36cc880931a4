/** Features of a whole utterance, row-major [numFrames, dim] (time-major, like knf). */
export interface FeatureMatrix {
  readonly data: Float32Array;
  readonly numFrames: number;
  readonly dim: number;
}

/** View of row `t` (no copy). */
export function featureRow(m: FeatureMatrix, t: number): Float32Array {
  return m.data.subarray(t * m.dim, (t + 1) * m.dim);
}
