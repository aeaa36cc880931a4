import {
  createSession,
  float32Data,
  float32Tensor,
  int32Data,
  int32Tensor,
  type ModelSession,
  type SessionOptions,
} from '../runtime/index.js';
import { contractError, expectDims, expectValue } from './contract.js';

/**
 * Runner for the offline Paraformer graph (contract 3.1): one `model.onnx`.
 *
 *   in 0  speech          float32 [B, T, 560]  LFR + CMVN features
 *   in 1  speech_lengths  int32   [B]
 *   out 0 logits          float32 [B, N, V]    log-softmax scores
 *   out 1 token_num       int32   [B]          CIF token count
 *   out 2 us_alphas       float32 [B, 3T]      BiCif timestamp models only
 *   out 3 us_cif_peak     float32 [B, 3T]      BiCif: > 1 - 1e-4 where a token fires (20 ms steps)
 *
 * Inputs and outputs are bound by position, as sherpa does. A batch is padded with 0,
 * never ln(eps): sherpa notes that padding with ln(eps) changes the results.
 */

/** One utterance's LFR+CMVN features, row-major [numFrames, featureDim]. */
export interface ParaformerFeatureRows {
  readonly data: Float32Array;
  readonly numFrames: number;
}

export interface OfflineParaformerTimestampOutputs {
  /** Upsampled index count per utterance row (3 x the longest utterance's frames). */
  readonly length: number;
  /** [B, length] */
  readonly usAlphas: Float32Array;
  /** [B, length] */
  readonly usCifPeak: Float32Array;
}

export interface OfflineParaformerOutputs {
  readonly batchSize: number;
  /** N: decoder positions, the longest CIF count in the batch. */
  readonly numPositions: number;
  readonly vocabSize: number;
  /** log-softmax [B, N, V]. */
  readonly logProbs: Float32Array;
  readonly tokenNum: Int32Array;
  /** Present when the graph has the two BiCif outputs. */
  readonly timestamps: OfflineParaformerTimestampOutputs | undefined;
}

export interface OfflineParaformerModelOptions extends SessionOptions {
  /** LFR feature width the graph expects (lfr_window_size x 80 = 560). */
  readonly featureDim: number;
  /** metadata vocab_size: the logits' last dim. */
  readonly vocabSize: number;
}

export class OfflineParaformerModel {
  private constructor(
    private readonly session: ModelSession,
    readonly featureDim: number,
    readonly vocabSize: number,
    /** Whether the graph returns BiCif us_alphas / us_cif_peak. */
    readonly hasTimestamps: boolean,
  ) {}

  static async create(path: string, options: OfflineParaformerModelOptions): Promise<OfflineParaformerModel> {
    const session = await createSession(path, options);
    try {
      const { featureDim, vocabSize } = options;
      if (session.inputs.length !== 2) {
        throw contractError(
          session,
          `expected 2 inputs (speech, speech_lengths), got ${session.inputs.length}`,
        );
      }
      const outs = session.outputs.length;
      if (outs !== 2 && outs !== 4) {
        throw contractError(
          session,
          `expected 2 outputs (logits, token_num) or 4 (+ us_alphas, us_cif_peak), got ${outs}`,
        );
      }
      expectValue(session, 'input', 0, 'float32', [undefined, undefined, featureDim]);
      expectValue(session, 'input', 1, 'int32', [undefined]);
      expectValue(session, 'output', 0, 'float32', [undefined, undefined, vocabSize]);
      expectValue(session, 'output', 1, 'int32', [undefined]);
      if (outs === 4) {
        expectValue(session, 'output', 2, 'float32', [undefined, undefined]);
        expectValue(session, 'output', 3, 'float32', [undefined, undefined]);
      }
      return new OfflineParaformerModel(session, featureDim, vocabSize, outs === 4);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  /** The execution provider the session runs on. */
  get provider(): string {
    return this.session.provider;
  }

  /** One call for the whole batch; utterances are zero-padded to the longest. */
  async run(batch: readonly ParaformerFeatureRows[]): Promise<OfflineParaformerOutputs> {
    const dim = this.featureDim;
    const b = batch.length;
    if (b === 0) throw contractError(this.session, 'run() needs at least one utterance');
    let longest = 0;
    for (const u of batch) {
      if (u.data.length !== u.numFrames * dim) {
        throw contractError(
          this.session,
          `features hold ${u.data.length} floats for ${u.numFrames} frames of ${dim}`,
        );
      }
      longest = Math.max(longest, u.numFrames);
    }
    const speech = new Float32Array(b * longest * dim); // zero padding
    for (const [i, u] of batch.entries()) speech.set(u.data, i * longest * dim);
    const lengths = Int32Array.from(batch, (u) => u.numFrames);

    const out = await this.session.runPositional([
      float32Tensor(speech, [b, longest, dim]),
      int32Tensor(lengths, [b]),
    ]);
    const [logits, tokenNum, usAlphas, usCifPeak] = out;
    if (logits === undefined || tokenNum === undefined) throw contractError(this.session, 'missing outputs');
    const n = logits.dims[1] ?? 0;
    expectDims(this.session, 'logits', logits.dims, [b, n, this.vocabSize]);
    expectDims(this.session, 'token_num', tokenNum.dims, [b]);
    let timestamps: OfflineParaformerTimestampOutputs | undefined;
    if (usAlphas !== undefined && usCifPeak !== undefined) {
      const length = usCifPeak.dims[1] ?? 0;
      expectDims(this.session, 'us_cif_peak', usCifPeak.dims, [b, length]);
      expectDims(this.session, 'us_alphas', usAlphas.dims, [b, length]);
      timestamps = {
        length,
        usAlphas: float32Data(usAlphas, 'us_alphas'),
        usCifPeak: float32Data(usCifPeak, 'us_cif_peak'),
      };
    }
    return {
      batchSize: b,
      numPositions: n,
      vocabSize: this.vocabSize,
      logProbs: float32Data(logits, 'logits'),
      tokenNum: int32Data(tokenNum, 'token_num'),
      timestamps,
    };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
