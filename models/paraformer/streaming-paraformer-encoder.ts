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
 * Runner for the streaming Paraformer encoder (contract 3.2.1), `encoder.onnx`:
 *
 *   in 0  speech          float32 [B, T, 560]  LFR + CMVN·√D + position encoding
 *   in 1  speech_lengths  int32   [B]
 *   out 0 enc             float32 [B, T, D]    no subsampling: the same T
 *   out 1 enc_len         int32   [B]
 *   out 2 alphas          float32 [B, T]       CIF weights, no tail
 *
 * Bound by position. Every stream sends the same window (18 LFR frames in sherpa's loop),
 * so a batch needs no padding.
 */
export interface StreamingEncoderOutputs {
  readonly batchSize: number;
  readonly numFrames: number;
  readonly dim: number;
  /** [B, T, D] */
  readonly enc: Float32Array;
  /** [B] */
  readonly encLen: Int32Array;
  /** [B, T] */
  readonly alphas: Float32Array;
}

export interface StreamingEncoderOptions extends SessionOptions {
  /** LFR feature width (560). */
  readonly featureDim: number;
  /** metadata encoder_output_size (D). */
  readonly encoderOutputSize: number;
}

export class StreamingParaformerEncoder {
  private constructor(
    private readonly session: ModelSession,
    readonly featureDim: number,
    readonly dim: number,
  ) {}

  static async create(path: string, options: StreamingEncoderOptions): Promise<StreamingParaformerEncoder> {
    const session = await createSession(path, options);
    try {
      if (session.inputs.length !== 2 || session.outputs.length !== 3) {
        throw contractError(
          session,
          `expected 2 inputs and 3 outputs (enc, enc_len, alphas), got ${session.inputs.length} / ${session.outputs.length}`,
        );
      }
      expectValue(session, 'input', 0, 'float32', [undefined, undefined, options.featureDim]);
      expectValue(session, 'input', 1, 'int32', [undefined]);
      expectValue(session, 'output', 0, 'float32', [undefined, undefined, options.encoderOutputSize]);
      expectValue(session, 'output', 1, 'int32', [undefined]);
      expectValue(session, 'output', 2, 'float32', [undefined, undefined]);
      return new StreamingParaformerEncoder(session, options.featureDim, options.encoderOutputSize);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  get provider(): string {
    return this.session.provider;
  }

  /** `speech` holds B windows of `numFrames` rows each, back to back. */
  async run(speech: Float32Array, batchSize: number, numFrames: number): Promise<StreamingEncoderOutputs> {
    const dim = this.featureDim;
    if (speech.length !== batchSize * numFrames * dim) {
      throw contractError(
        this.session,
        `encoder input holds ${speech.length} floats, expected ${batchSize} x ${numFrames} x ${dim}`,
      );
    }
    const lengths = new Int32Array(batchSize).fill(numFrames);
    const [enc, encLen, alphas] = await this.session.runPositional([
      float32Tensor(speech, [batchSize, numFrames, dim]),
      int32Tensor(lengths, [batchSize]),
    ]);
    if (enc === undefined || encLen === undefined || alphas === undefined) {
      throw contractError(this.session, 'missing outputs');
    }
    // sherpa zeroes alphas by index, so the encoder must keep every frame.
    expectDims(this.session, 'enc', enc.dims, [batchSize, numFrames, this.dim]);
    expectDims(this.session, 'enc_len', encLen.dims, [batchSize]);
    expectDims(this.session, 'alphas', alphas.dims, [batchSize, numFrames]);
    return {
      batchSize,
      numFrames,
      dim: this.dim,
      enc: float32Data(enc, 'enc'),
      encLen: int32Data(encLen, 'enc_len'),
      alphas: float32Data(alphas, 'alphas'),
    };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
