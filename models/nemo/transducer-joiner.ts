/**
 * Runner for the NeMo RNNT joiner (`joiner.onnx`, contract 2.2.1): encoder frames
 * [B,D,T] and decoder outputs [B,H,U], both channel-first, give raw logits [B,T,U,V+1].
 * Scoring one encoder frame against several decoder outputs uses the U axis with batch
 * 1, which every NeMo export supports (its U axis is dynamic even where batch is not).
 */
import { SpeechError } from '../../common/errors.js';
import { float32Scratch } from '../runtime/scratch.js';
import type { ModelSession } from '../runtime/session.js';
import { float32Data, float32Tensor } from '../runtime/tensor.js';

/** One stream's frames and decoder output for `joinSpans`. */
export interface JoinSpan {
  /** Time-major [frames, D] encoder frames. */
  readonly enc: Float32Array;
  readonly frames: number;
  /** Decoder output [H]. */
  readonly dec: Float32Array;
}

export class NemoTransducerJoiner {
  readonly encDim: number;
  readonly decDim: number;
  /** Whether the batch axis is dynamic (else spans go one call each). */
  readonly batchable: boolean;
  /** Whether the frame axis is dynamic (else one frame per call). */
  readonly multiFrame: boolean;
  readonly #enc = float32Scratch();
  readonly #dec = float32Scratch();

  constructor(private readonly session: ModelSession) {
    const label = session.label;
    const enc = session.inputs[0]?.dims?.[1];
    const dec = session.inputs[1]?.dims?.[1];
    if (session.inputs.length !== 2 || typeof enc !== 'number' || typeof dec !== 'number') {
      throw new SpeechError(
        'MODEL_CONTRACT_MISMATCH',
        `${label}: a NeMo joiner takes encoder [B,D,T] and decoder [B,H,U] with static D and H`,
        { model: label, inputs: session.inputs.map((i) => i.dims) },
      );
    }
    this.encDim = enc;
    this.decDim = dec;
    const encDims = session.inputs[0]?.dims ?? [];
    const decDims = session.inputs[1]?.dims ?? [];
    this.batchable = typeof encDims[0] !== 'number' && typeof decDims[0] !== 'number';
    this.multiFrame = typeof encDims[2] !== 'number';
  }

  /**
   * Raw logits [spans, maxFrames, V+1]: each span's frames against its own decoder
   * output, in one call when the batch axis is dynamic. Rows past a span's `frames` are
   * padding (scored on zero frames). Needs `multiFrame` when maxFrames > 1.
   */
  async joinSpans(spans: readonly JoinSpan[], maxFrames: number): Promise<Float32Array> {
    if (!this.batchable && spans.length > 1) {
      const parts: Float32Array[] = [];
      for (const span of spans) parts.push(await this.joinSpans([span], maxFrames));
      const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    }
    const batch = spans.length;
    const { encDim: d, decDim: h } = this;
    // Channel-first [B, D, T] and [B, H, 1] (a decoder output row is already [H, 1]).
    const enc = this.#enc.take(batch * d * maxFrames);
    const dec = this.#dec.take(batch * h);
    try {
      for (let b = 0; b < batch; b++) {
        const span = spans[b]!;
        const base = b * d * maxFrames;
        const frames = span.frames;
        const src = span.enc;
        if (maxFrames === 1) enc.set(src.subarray(0, d), base);
        else {
          for (let t = 0; t < frames; t++) {
            const row = t * d;
            for (let c = 0; c < d; c++) enc[base + c * maxFrames + t] = src[row + c]!;
          }
          if (frames < maxFrames) {
            for (let c = 0; c < d; c++)
              enc.fill(0, base + c * maxFrames + frames, base + (c + 1) * maxFrames);
          }
        }
        dec.set(span.dec, b * h);
      }
      const out = await this.session.runPositional([
        float32Tensor(enc, [batch, d, maxFrames]),
        float32Tensor(dec, [batch, h, 1]),
      ]);
      return float32Data(out[0]!, `${this.session.label} output 0`);
    } finally {
      this.#enc.give(enc);
      this.#dec.give(dec);
    }
  }

  /** Raw logits [V+1] for one encoder frame and one decoder output. */
  async join(encFrame: Float32Array, decOut: Float32Array): Promise<Float32Array> {
    const [row] = await this.joinMany(encFrame, [decOut]);
    return row!;
  }

  /** Raw logits, one row per decoder output, in one model call. */
  async joinMany(encFrame: Float32Array, decOuts: readonly Float32Array[]): Promise<Float32Array[]> {
    const u = decOuts.length;
    const dec = new Float32Array(this.decDim * u);
    // channel-first [1, H, U]
    for (let j = 0; j < u; j++) {
      const d = decOuts[j]!;
      for (let h = 0; h < this.decDim; h++) dec[h * u + j] = d[h]!;
    }
    const out = await this.session.runPositional([
      float32Tensor(encFrame, [1, this.encDim, 1]),
      float32Tensor(dec, [1, this.decDim, u]),
    ]);
    const logits = float32Data(out[0]!, `${this.session.label} output 0`);
    const width = logits.length / u;
    const rows: Float32Array[] = [];
    for (let j = 0; j < u; j++) rows.push(logits.slice(j * width, (j + 1) * width));
    return rows;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
