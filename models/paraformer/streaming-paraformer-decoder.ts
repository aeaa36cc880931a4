import {
  createSession,
  float32Data,
  float32Tensor,
  int32Tensor,
  int64Data,
  type ModelSession,
  type ModelTensor,
  type SessionOptions,
} from '../runtime/index.js';
import { contractError, expectDims, expectValue } from './contract.js';

/**
 * Runner for the streaming Paraformer decoder (contract 3.2.1), `decoder.onnx`:
 *
 *   in 0  enc                  float32 [B, T, D]
 *   in 1  enc_len              int32   [B]
 *   in 2  acoustic_embeds      float32 [B, N, D]     CIF embeddings fired in this chunk
 *   in 3  acoustic_embeds_len  int32   [B]
 *   in 4… in_cache_0..K-1      float32 [B, D, kernel-1]  FSMN memory per block
 *   out 0 logits               float32 [B, N, V]
 *   out 1 sample_ids           int64   [B, N]
 *   out 2… out_cache_0..K-1    float32 [B, D, kernel-1]
 *
 * Bound by position. The FSMN cache keeps the last kernel-1 positions of the padded
 * token axis, so streams batched together must have fired the same number of tokens
 * (the recognizer groups them); a padded stream would cache padding.
 */

export interface StreamingDecoderInput {
  /** [T, D] encoder output of this stream's window. */
  readonly enc: Float32Array;
  readonly encLen: number;
  /** [N, D] acoustic embeddings. */
  readonly embeds: Float32Array;
  /** One [D, kernel-1] cache per block. */
  readonly caches: readonly Float32Array[];
}

export interface StreamingDecoderOutput {
  /** [N, V] scores (FunASR exports them before softmax). */
  readonly logits: Float32Array;
  /** [N] argmax ids from the graph. */
  readonly sampleIds: number[];
  /** The next caches, one [D, kernel-1] per block (copies, owned by the stream). */
  readonly caches: Float32Array[];
}

export interface StreamingDecoderOptions extends SessionOptions {
  readonly encoderOutputSize: number;
  /** metadata decoder_num_blocks (K). */
  readonly numBlocks: number;
  /** metadata decoder_kernel_size. */
  readonly kernelSize: number;
  readonly vocabSize: number;
}

export class StreamingParaformerDecoder {
  private constructor(
    private readonly session: ModelSession,
    readonly dim: number,
    readonly numBlocks: number,
    /** kernel_size - 1 frames per cache. */
    readonly cacheFrames: number,
    readonly vocabSize: number,
  ) {}

  static async create(path: string, options: StreamingDecoderOptions): Promise<StreamingParaformerDecoder> {
    const session = await createSession(path, options);
    try {
      const { encoderOutputSize: d, numBlocks: k, kernelSize, vocabSize } = options;
      if (session.inputs.length !== 4 + k || session.outputs.length !== 2 + k) {
        throw contractError(
          session,
          `expected ${4 + k} inputs and ${2 + k} outputs for ${k} decoder blocks, got ` +
            `${session.inputs.length} / ${session.outputs.length}`,
        );
      }
      expectValue(session, 'input', 0, 'float32', [undefined, undefined, d]);
      expectValue(session, 'input', 1, 'int32', [undefined]);
      expectValue(session, 'input', 2, 'float32', [undefined, undefined, d]);
      expectValue(session, 'input', 3, 'int32', [undefined]);
      expectValue(session, 'output', 0, 'float32', [undefined, undefined, vocabSize]);
      expectValue(session, 'output', 1, 'int64', [undefined, undefined]);
      for (let i = 0; i < k; i++) {
        expectValue(session, 'input', 4 + i, 'float32', [undefined, d, kernelSize - 1]);
        expectValue(session, 'output', 2 + i, 'float32', [undefined, d, kernelSize - 1]);
      }
      return new StreamingParaformerDecoder(session, d, k, kernelSize - 1, vocabSize);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  /** Zero caches for a new stream or segment. */
  initialCaches(): Float32Array[] {
    return Array.from({ length: this.numBlocks }, () => new Float32Array(this.dim * this.cacheFrames));
  }

  /** One call for streams that fired the same number of tokens and share T. */
  async run(batch: readonly StreamingDecoderInput[]): Promise<StreamingDecoderOutput[]> {
    const b = batch.length;
    const first = batch[0];
    if (first === undefined) throw contractError(this.session, 'decoder run() needs at least one stream');
    const d = this.dim;
    const t = first.enc.length / d;
    const n = first.embeds.length / d;
    const cacheSize = d * this.cacheFrames;
    for (const s of batch) {
      if (s.enc.length !== t * d || s.embeds.length !== n * d || s.caches.length !== this.numBlocks) {
        throw contractError(this.session, 'decoder batch items differ in frames, tokens or cache count');
      }
      if (s.caches.some((c) => c.length !== cacheSize)) {
        throw contractError(this.session, `decoder caches must hold ${d} x ${this.cacheFrames} floats`);
      }
    }
    const stack = (parts: readonly Float32Array[]) => {
      const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    };
    const feeds: ModelTensor[] = [
      float32Tensor(stack(batch.map((s) => s.enc)), [b, t, d]),
      int32Tensor(
        Int32Array.from(batch, (s) => s.encLen),
        [b],
      ),
      float32Tensor(stack(batch.map((s) => s.embeds)), [b, n, d]),
      int32Tensor(new Int32Array(b).fill(n), [b]),
    ];
    for (let i = 0; i < this.numBlocks; i++) {
      feeds.push(float32Tensor(stack(batch.map((s) => s.caches[i]!)), [b, d, this.cacheFrames]));
    }
    const out = await this.session.runPositional(feeds);
    const [logits, sampleIds] = out;
    if (logits === undefined || sampleIds === undefined) throw contractError(this.session, 'missing outputs');
    const v = this.vocabSize;
    expectDims(this.session, 'logits', logits.dims, [b, n, v]);
    expectDims(this.session, 'sample_ids', sampleIds.dims, [b, n]);
    const logitData = float32Data(logits, 'logits');
    const ids = int64Data(sampleIds, 'sample_ids');
    const caches = out.slice(2).map((c, i) => {
      expectDims(this.session, `out_cache_${i}`, c.dims, [b, d, this.cacheFrames]);
      return float32Data(c, `out_cache_${i}`);
    });
    return batch.map((_, j) => ({
      logits: logitData.slice(j * n * v, (j + 1) * n * v),
      sampleIds: Array.from(ids.subarray(j * n, (j + 1) * n), Number),
      caches: caches.map((c) => c.slice(j * cacheSize, (j + 1) * cacheSize)),
    }));
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
