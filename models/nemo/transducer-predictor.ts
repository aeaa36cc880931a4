/**
 * Runner for the NeMo RNNT prediction network (`decoder.onnx`, contract 2.2.1): inputs
 * targets int32 [B,U], target_length int32 [B], h and c [layers,B,hidden]; outputs
 * (out [B,hidden,U], lengths, h', c') bound by position. Real NeMo exports freeze the
 * batch of the auto-named c input at 1 (contract 2.2.5), so batching is used only when
 * every state input has a symbolic batch dimension.
 */
import { SpeechError } from '../../common/errors.js';
import type { ModelSession } from '../runtime/session.js';
import { float32Data, float32Tensor, int32Tensor } from '../runtime/tensor.js';

/** LSTM state after some tokens; immutable once returned (beam hypotheses share it). */
export interface PredictorState {
  /** [layers, hidden] */
  readonly h: Float32Array;
  /** [layers, hidden] */
  readonly c: Float32Array;
}

export interface Prediction {
  /** Decoder output for the joiner, [hidden]. */
  readonly out: Float32Array;
  readonly state: PredictorState;
}

export class NemoTransducerPredictor {
  readonly layers: number;
  readonly hidden: number;
  /** Whether several tokens can go through one call (symbolic batch on every state). */
  readonly batchable: boolean;
  readonly #zero: PredictorState;

  constructor(
    private readonly session: ModelSession,
    layers: number,
    hidden: number,
  ) {
    const label = session.label;
    if (session.inputs.length !== 4 || session.outputs.length < 4) {
      throw new SpeechError(
        'MODEL_CONTRACT_MISMATCH',
        `${label}: a NeMo RNNT decoder has 4 inputs and at least 4 outputs, this one has ${session.inputs.length} and ${session.outputs.length}`,
        { model: label, inputs: session.inputNames, outputs: session.outputNames },
      );
    }
    this.layers = layers;
    this.hidden = hidden;
    const stateBatch = [2, 3].map((i) => session.inputs[i]?.dims?.[1]);
    this.batchable = stateBatch.every((d) => typeof d === 'string');
    this.#zero = { h: new Float32Array(layers * hidden), c: new Float32Array(layers * hidden) };
  }

  get zeroState(): PredictorState {
    return this.#zero;
  }

  /** Feeds one token from `state` (null = zero state). */
  async predict(token: number, state: PredictorState | null): Promise<Prediction> {
    const [one] = await this.predictBatch([token], [state]);
    return one!;
  }

  /** Feeds one token per entry; one model call when `batchable`, else one call each. */
  async predictBatch(
    tokens: readonly number[],
    states: readonly (PredictorState | null)[],
  ): Promise<Prediction[]> {
    if (!this.batchable && tokens.length > 1) {
      const out: Prediction[] = [];
      for (let i = 0; i < tokens.length; i++) out.push(await this.predict(tokens[i]!, states[i] ?? null));
      return out;
    }
    const batch = tokens.length;
    const { layers, hidden } = this;
    // NeMo keeps LSTM states layer-first: [layers, B, hidden].
    const h = new Float32Array(layers * batch * hidden);
    const c = new Float32Array(layers * batch * hidden);
    for (let b = 0; b < batch; b++) {
      const s = states[b] ?? this.#zero;
      for (let l = 0; l < layers; l++) {
        h.set(s.h.subarray(l * hidden, (l + 1) * hidden), (l * batch + b) * hidden);
        c.set(s.c.subarray(l * hidden, (l + 1) * hidden), (l * batch + b) * hidden);
      }
    }
    const out = await this.session.runPositional([
      int32Tensor(Int32Array.from(tokens), [batch, 1]),
      int32Tensor(new Int32Array(batch).fill(1), [batch]),
      float32Tensor(h, [layers, batch, hidden]),
      float32Tensor(c, [layers, batch, hidden]),
    ]);
    const y = float32Data(out[0]!, `${this.session.label} output 0`); // [B, hidden, 1]
    const hNext = float32Data(out[2]!, `${this.session.label} output 2`);
    const cNext = float32Data(out[3]!, `${this.session.label} output 3`);
    const results: Prediction[] = [];
    for (let b = 0; b < batch; b++) {
      const sh = new Float32Array(layers * hidden);
      const sc = new Float32Array(layers * hidden);
      for (let l = 0; l < layers; l++) {
        sh.set(hNext.subarray((l * batch + b) * hidden, (l * batch + b + 1) * hidden), l * hidden);
        sc.set(cNext.subarray((l * batch + b) * hidden, (l * batch + b + 1) * hidden), l * hidden);
      }
      results.push({ out: y.slice(b * hidden, (b + 1) * hidden), state: { h: sh, c: sc } });
    }
    return results;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
