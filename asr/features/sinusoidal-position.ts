import { SpeechError } from '../../common/errors.js';
import type { FeatureMatrix } from './feature-matrix.js';

/**
 * Adds the streaming Paraformer's sinusoidal position encoding in place (FunASR
 * `StreamSinusoidalPositionEncoder`, sherpa online-recognizer-paraformer-impl.h): for
 * row t at absolute position p = firstPosition + t and h = dim/2,
 * y[d] += sin(p·w_d), y[d + h] += cos(p·w_d), w_d = exp(-d·ln(10000)/(h - 1)).
 *
 * Positions are 1-based and absolute across chunks: sherpa passes
 * firstPosition = 1 + (fbank frames consumed before this chunk) / 6.
 * The offline export adds this inside the graph; only the online path calls it.
 */
export function addSinusoidalPositionEncoding(m: FeatureMatrix, firstPosition: number): void {
  const { data, numFrames: t, dim } = m;
  if (dim % 2 !== 0 || dim < 4) {
    throw new SpeechError(
      'INTERNAL',
      `sinusoidal position encoding needs an even dimension >= 4, got ${dim}`,
    );
  }
  const half = dim / 2;
  const step = Math.log(10000) / (half - 1);
  for (let f = 0; f < t; f++) {
    const p = firstPosition + f;
    const row = f * dim;
    for (let d = 0; d < half; d++) {
      const angle = p * Math.exp(-d * step);
      data[row + d] = data[row + d]! + Math.sin(angle);
      data[row + half + d] = data[row + half + d]! + Math.cos(angle);
    }
  }
}
