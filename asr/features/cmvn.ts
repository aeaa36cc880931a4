import { SpeechError } from '../../common/errors.js';
import type { FeatureMatrix } from './feature-matrix.js';

/** Global CMVN as Paraformer stores it: y = (x + negMean) ⊙ invStddev. */
export interface Cmvn {
  readonly negMean: Float32Array;
  readonly invStddev: Float32Array;
}

/**
 * In place over every frame. `scale` multiplies invStddev first (the online Paraformer
 * path folds √d_model into it, as sherpa does at load).
 */
export function applyCmvn(m: FeatureMatrix, cmvn: Cmvn, scale = 1): void {
  const { data, numFrames: t, dim } = m;
  if (cmvn.negMean.length !== dim || cmvn.invStddev.length !== dim) {
    throw new SpeechError(
      'MODEL_CMVN_INVALID',
      `CMVN vectors have ${cmvn.negMean.length} / ${cmvn.invStddev.length} dims; the features have ${dim}`,
      { negMean: cmvn.negMean.length, invStddev: cmvn.invStddev.length, dim },
    );
  }
  const { negMean, invStddev } = cmvn;
  for (let f = 0; f < t; f++) {
    const row = f * dim;
    for (let d = 0; d < dim; d++) data[row + d] = (data[row + d]! + negMean[d]!) * (invStddev[d]! * scale);
  }
}
