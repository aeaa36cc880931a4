/**
 * Runner for the NeMo offline CTC graph (`model.onnx`, contract 2.3): input 0 features
 * [B, F, T] channel-first, input 1 int64 lengths [B]; output 0 log-probs [B, T', V+1].
 * Bound by position. The graph exports no output lengths, so, as sherpa-onnx, each
 * utterance keeps `length // subsampling_factor` frames (the true subsampled length is
 * about one frame more; sherpa skips it, and token identity with sherpa needs the same).
 */
import { SpeechError } from '../../common/errors.js';
import type { ModelSession } from '../runtime/session.js';
import { float32Data } from '../runtime/tensor.js';
import { CTC_BATCH_PAD, type OfflineFeatures, packFeatures, staticFeatDim } from './offline-batch.js';

export interface OfflineCtcOutput {
  /** Time-major [numFrames, width] log-probs of the frames to decode. */
  readonly logProbs: Float32Array;
  readonly numFrames: number;
  /** Classes per frame (V + 1, blank last for NeMo). */
  readonly width: number;
}

export class NemoOfflineCtcModel {
  readonly featDim: number;
  /** Classes per frame when the graph declares it statically. */
  readonly declaredWidth: number | undefined;

  constructor(
    private readonly session: ModelSession,
    readonly subsamplingFactor: number,
    metadataFeatDim?: number,
  ) {
    const label = session.label;
    if (session.inputs.length !== 2 || session.outputs.length < 1) {
      throw new SpeechError(
        'MODEL_CONTRACT_MISMATCH',
        `${label}: a NeMo offline CTC graph has 2 inputs and at least 1 output, this one has ${session.inputs.length} and ${session.outputs.length}`,
        { model: label, inputs: session.inputNames, outputs: session.outputNames },
      );
    }
    if (!Number.isInteger(subsamplingFactor) || subsamplingFactor < 1) {
      throw new SpeechError(
        'MODEL_METADATA_INVALID',
        `${label}: subsampling_factor must be a positive integer`,
      );
    }
    this.featDim = staticFeatDim(session.inputs[0]?.dims, label, metadataFeatDim);
    const w = session.outputs[0]?.dims?.[2];
    this.declaredWidth = typeof w === 'number' ? w : undefined;
  }

  get label(): string {
    return this.session.label;
  }

  get provider(): string {
    return this.session.provider;
  }

  /** One model call for the batch; results in input order. */
  async run(batch: readonly OfflineFeatures[], padValue = CTC_BATCH_PAD): Promise<OfflineCtcOutput[]> {
    if (batch.length === 0) return [];
    const packed = packFeatures(batch, this.featDim, padValue, this.label);
    const [out] = await this.session.runPositional([packed.features, packed.lengths]);
    const y = float32Data(out!, `${this.label} output 0`);
    const [n, frames, width] = out!.dims;
    if (out!.dims.length !== 3 || n !== batch.length || frames === undefined || width === undefined) {
      throw new SpeechError(
        'MODEL_CONTRACT_MISMATCH',
        `${this.label}: output 0 must be [${batch.length}, T', V+1], got [${out!.dims.join(',')}]`,
        { model: this.label, dims: out!.dims },
      );
    }
    return batch.map((f, b) => {
      const numFrames = Math.min(frames, Math.floor(f.numFrames / this.subsamplingFactor));
      const start = b * frames * width;
      return { logProbs: y.slice(start, start + numFrames * width), numFrames, width };
    });
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
