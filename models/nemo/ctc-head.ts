/**
 * Runner for speechstream's `ctc-head.onnx` (hybrid models): the encoder output [B,D,T],
 * channel-first as the transducer encoder returns it, to CTC log-probs [B,T,V+1]. It
 * lets one encoder call serve both heads.
 */
import type { ModelSession } from '../runtime/session.js';
import { float32Data, float32Tensor } from '../runtime/tensor.js';

export class NemoCtcHead {
  constructor(
    private readonly session: ModelSession,
    readonly encDim: number,
  ) {}

  /** `frames[b]` is time-major [T, D] (all with the same T); returns time-major [T, V+1] per stream. */
  async logProbs(frames: readonly Float32Array[]): Promise<Float32Array[]> {
    const batch = frames.length;
    if (batch === 0) return [];
    const d = this.encDim;
    const t = frames[0]!.length / d;
    const x = new Float32Array(batch * d * t);
    for (let b = 0; b < batch; b++) {
      const f = frames[b]!;
      const base = b * d * t;
      for (let i = 0; i < t; i++) for (let c = 0; c < d; c++) x[base + c * t + i] = f[i * d + c]!;
    }
    const [out] = await this.session.runPositional([float32Tensor(x, [batch, d, t])]);
    const y = float32Data(out!, `${this.session.label} output 0`);
    const per = y.length / batch;
    const result: Float32Array[] = [];
    for (let b = 0; b < batch; b++) result.push(y.slice(b * per, (b + 1) * per));
    return result;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
