/**
 * Runner for the NeMo RNNT joiner (`joiner.onnx`, contract 2.2.1): encoder frames
 * [B,D,T] and decoder outputs [B,H,U], both channel-first, give raw logits [B,T,U,V+1].
 * Scoring one encoder frame against several decoder outputs uses the U axis with batch
 * 1, which every NeMo export supports (its U axis is dynamic even where batch is not).
 */
import { SpeechError } from '../../common/errors.js';
import type { ModelSession } from '../runtime/session.js';
import { float32Data, float32Tensor } from '../runtime/tensor.js';

export class NemoTransducerJoiner {
  readonly encDim: number;
  readonly decDim: number;

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
