/**
 * Batching for the NeMo offline graphs (contract 2.3): time-major features of several
 * utterances become one channel-first [B, F, T] tensor padded to the longest, with the
 * true frame counts as int64 lengths, as sherpa-onnx's `PadSequence` + `Transpose12`.
 */
import { SpeechError } from '../../common/errors.js';
import { float32Tensor, int64Tensor, type ModelTensor } from '../runtime/tensor.js';

/** One utterance's features, row-major [numFrames, featDim] (asr/features' FeatureMatrix fits). */
export interface OfflineFeatures {
  readonly data: Float32Array;
  readonly numFrames: number;
}

/** ln(1e-10): what sherpa pads a CTC batch with (log-mel of silence, contract 2.3). */
export const CTC_BATCH_PAD = -23.025850929940457;
/** sherpa pads a NeMo transducer batch with zeros. */
export const TRANSDUCER_BATCH_PAD = 0;

export interface PackedFeatures {
  readonly features: ModelTensor;
  readonly lengths: ModelTensor;
  readonly maxFrames: number;
}

export function packFeatures(
  batch: readonly OfflineFeatures[],
  featDim: number,
  padValue: number,
  label: string,
): PackedFeatures {
  if (batch.length === 0) throw new SpeechError('INTERNAL', `${label}: empty batch`);
  let maxFrames = 0;
  for (const f of batch) {
    if (f.numFrames <= 0 || f.data.length !== f.numFrames * featDim) {
      throw new SpeechError(
        'MODEL_FEED_INVALID',
        `${label}: features of ${f.data.length} floats are not ${f.numFrames} (> 0) frames x ${featDim}`,
        { model: label, numFrames: f.numFrames, featDim },
      );
    }
    if (f.numFrames > maxFrames) maxFrames = f.numFrames;
  }
  const n = batch.length;
  const t = maxFrames;
  const x = new Float32Array(n * featDim * t);
  const lengths = new BigInt64Array(n);
  for (let b = 0; b < n; b++) {
    const f = batch[b]!;
    const base = b * featDim * t;
    if (f.numFrames < t) {
      for (let c = 0; c < featDim; c++) x.fill(padValue, base + c * t + f.numFrames, base + (c + 1) * t);
    }
    for (let i = 0; i < f.numFrames; i++) {
      const row = i * featDim;
      for (let c = 0; c < featDim; c++) x[base + c * t + i] = f.data[row + c]!;
    }
    lengths[b] = BigInt(f.numFrames);
  }
  return {
    features: float32Tensor(x, [n, featDim, t]),
    lengths: int64Tensor(lengths, [n]),
    maxFrames: t,
  };
}

/** Input 0's static feature dimension (axis 1 of [B, F, T]), else `fallback`; a mismatch with `expected` throws. */
export function staticFeatDim(
  dims: readonly (number | string)[] | undefined,
  label: string,
  expected: number | undefined,
): number {
  const d = dims?.[1];
  const featDim = typeof d === 'number' ? d : expected;
  if (featDim === undefined) {
    throw new SpeechError(
      'MODEL_CONTRACT_MISMATCH',
      `${label}: input 0 must have a static feature dimension at axis 1 (or metadata feat_dim)`,
      { model: label, dims },
    );
  }
  if (expected !== undefined && featDim !== expected) {
    throw new SpeechError(
      'MODEL_METADATA_INVALID',
      `${label}: metadata feat_dim ${expected} disagrees with input 0's feature dimension ${featDim}`,
      { model: label, featDim, metadata: expected },
    );
  }
  return featDim;
}
