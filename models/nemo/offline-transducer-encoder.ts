/**
 * Runner for the NeMo offline transducer encoder (`encoder.onnx`, contract 2.3): input 0
 * features [B, F, T] channel-first, input 1 int64 lengths [B]; output 0 encoder frames
 * [B, D, T'] channel-first, output 1 encoded_lengths [B] (int64, or int32 as sherpa
 * also accepts). Bound by position. Each utterance gets its own valid frames,
 * time-major, ready for the RNNT decoders.
 */
import { SpeechError } from '../../common/errors.js';
import type { ModelSession } from '../runtime/session.js';
import { float32Data, type ModelTensor } from '../runtime/tensor.js';
import { type OfflineFeatures, packFeatures, staticFeatDim, TRANSDUCER_BATCH_PAD } from './offline-batch.js';

export interface OfflineEncoderOutput {
  /** Time-major [numFrames, encDim]. */
  readonly frames: Float32Array;
  readonly numFrames: number;
}

export class NemoOfflineTransducerEncoder {
  readonly featDim: number;
  /** Encoder output dimension when the graph declares it statically. */
  readonly declaredEncDim: number | undefined;

  constructor(
    private readonly session: ModelSession,
    metadataFeatDim?: number,
  ) {
    const label = session.label;
    if (session.inputs.length !== 2 || session.outputs.length !== 2) {
      throw new SpeechError(
        'MODEL_CONTRACT_MISMATCH',
        `${label}: a NeMo offline encoder has 2 inputs and 2 outputs, this one has ${session.inputs.length} and ${session.outputs.length}`,
        { model: label, inputs: session.inputNames, outputs: session.outputNames },
      );
    }
    this.featDim = staticFeatDim(session.inputs[0]?.dims, label, metadataFeatDim);
    const d = session.outputs[0]?.dims?.[1];
    this.declaredEncDim = typeof d === 'number' ? d : undefined;
  }

  get label(): string {
    return this.session.label;
  }

  get provider(): string {
    return this.session.provider;
  }

  /** One encoder call for the batch; results in input order. */
  async encode(
    batch: readonly OfflineFeatures[],
    padValue = TRANSDUCER_BATCH_PAD,
  ): Promise<OfflineEncoderOutput[]> {
    if (batch.length === 0) return [];
    const packed = packFeatures(batch, this.featDim, padValue, this.label);
    const [out, outLengths] = await this.session.runPositional([packed.features, packed.lengths]);
    const y = float32Data(out!, `${this.label} output 0`);
    const [n, encDim, frames] = out!.dims;
    if (out!.dims.length !== 3 || n !== batch.length || encDim === undefined || frames === undefined) {
      throw new SpeechError(
        'MODEL_CONTRACT_MISMATCH',
        `${this.label}: output 0 must be [${batch.length}, D, T'], got [${out!.dims.join(',')}]`,
        { model: this.label, dims: out!.dims },
      );
    }
    const lengths = readLengths(outLengths!, batch.length, this.label);
    return lengths.map((len, b) => {
      const numFrames = Math.max(0, Math.min(frames, len));
      const result = new Float32Array(numFrames * encDim);
      const base = b * encDim * frames;
      for (let c = 0; c < encDim; c++) {
        const src = base + c * frames;
        for (let t = 0; t < numFrames; t++) result[t * encDim + c] = y[src + t]!;
      }
      return { frames: result, numFrames };
    });
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

function readLengths(t: ModelTensor, batch: number, label: string): number[] {
  if ((t.type !== 'int64' && t.type !== 'int32') || t.data.length !== batch) {
    throw new SpeechError(
      'MODEL_CONTRACT_MISMATCH',
      `${label}: output 1 (encoded_lengths) must be int64 or int32 [${batch}], got ${t.type}[${t.dims.join(',')}]`,
      { model: label, type: t.type, dims: t.dims },
    );
  }
  return t.type === 'int64'
    ? Array.from(t.data as BigInt64Array, (v) => Number(v))
    : Array.from(t.data as Int32Array);
}
