import { SpeechError } from '../../common/errors.js';
import { applyLfrOffline, type Cmvn, computeFeatures, type FeatureMatrix } from '../features/index.js';

/**
 * The Paraformer feature steps after fbank, computed in float32 the way sherpa-onnx does
 * (Eigen over float vectors, `expf`/`sinf`/`cosf`). Bit-level agreement matters here:
 * the streaming position encoding takes sin/cos of angles up to the LFR frame index
 * (thousands after a minute), where float32 and float64 angles differ by ~1e-4.
 * `Math.fround` after each operation reproduces IEEE single-precision arithmetic.
 */

/** y = (x + negMean) * invStddev * scale, in place, rounding like float32 Eigen code. */
export function applyCmvnFloat32(m: FeatureMatrix, cmvn: Cmvn, scale = 1): void {
  const { data, numFrames, dim } = m;
  const { negMean, invStddev } = cmvn;
  if (negMean.length !== dim || invStddev.length !== dim) {
    throw new SpeechError(
      'MODEL_CMVN_INVALID',
      `CMVN vectors have ${negMean.length} / ${invStddev.length} dims; the features have ${dim}`,
      { negMean: negMean.length, invStddev: invStddev.length, dim },
    );
  }
  // sherpa folds the scale into inv_stddev once, in float32, at load.
  const inv = scale === 1 ? invStddev : invStddev.map((v) => Math.fround(v * Math.fround(scale)));
  for (let f = 0; f < numFrames; f++) {
    const row = f * dim;
    for (let d = 0; d < dim; d++) {
      data[row + d] = Math.fround(Math.fround(data[row + d]! + negMean[d]!) * inv[d]!);
    }
  }
}

/** sherpa's constant: ln(10000) / (560 / 2 - 1), as a float32. */
function positionScale(dim: number): number {
  return Math.fround(-Math.log(10000) / (dim / 2 - 1));
}

/**
 * The streaming Paraformer's sinusoidal position encoding (sherpa `PositionalEncoding`):
 * row t gets position p = t + 1 + firstOffset; y[d] += sin(p·e_d), y[d + h] += cos(p·e_d),
 * e_d = exp(d·scale), every step in float32.
 */
export function addPositionEncodingFloat32(m: FeatureMatrix, firstOffset: number): void {
  const { data, numFrames, dim } = m;
  if (dim % 2 !== 0 || dim < 4) {
    throw new SpeechError('INTERNAL', `position encoding needs an even dimension >= 4, got ${dim}`);
  }
  const half = dim / 2;
  const scale = positionScale(dim);
  const rates = new Float32Array(half);
  for (let d = 0; d < half; d++) rates[d] = Math.fround(Math.exp(Math.fround(d * scale)));
  for (let t = 0; t < numFrames; t++) {
    const p = t + 1 + firstOffset;
    const row = t * dim;
    for (let d = 0; d < half; d++) {
      const angle = Math.fround(p * rates[d]!);
      data[row + d] = Math.fround(data[row + d]! + Math.fround(Math.sin(angle)));
      data[row + half + d] = Math.fround(data[row + half + d]! + Math.fround(Math.cos(angle)));
    }
  }
}

export interface OfflineFeatureConfig {
  /** Feature preset of the fbank stage ('sherpa-offline-paraformer'). */
  readonly preset: string;
  readonly lfrWindowSize: number;
  readonly lfrWindowShift: number;
  readonly cmvn: Cmvn;
}

/** fbank (samples x32768 by the preset) -> offline LFR with padding -> CMVN (contract 3.1.4). */
export function offlineParaformerFeatures(
  samples: Float32Array,
  config: OfflineFeatureConfig,
): FeatureMatrix {
  const fbank = computeFeatures(samples, config.preset);
  if (fbank.numFrames === 0)
    return { data: new Float32Array(0), numFrames: 0, dim: fbank.dim * config.lfrWindowSize };
  const lfr = applyLfrOffline(fbank, config.lfrWindowSize, config.lfrWindowShift);
  applyCmvnFloat32(lfr, config.cmvn);
  return lfr;
}
