import { SpeechError } from '../../common/errors.js';

/**
 * The two transducer networks, injected as async functions so the decoders stay pure
 * and testable (in production they wrap ONNX sessions in models/).
 */

/**
 * Prediction network step: consumes exactly one token (blank = the start symbol, since
 * NeMo's embedding maps blank to the zero vector) from `state` (null = the model's
 * zero initial state) and returns the decoder output vector and the next state.
 * Implementations must not mutate `state`: beam hypotheses share it.
 */
export type RnntPredictor<S> = (token: number, state: S | null) => Promise<RnntPrediction<S>>;

export interface RnntPrediction<S> {
  /** Decoder output for the joiner, [predHidden]. Treated as read-only. */
  readonly out: Float32Array;
  readonly state: S;
}

/** Joiner for one pair: raw logits over V+1 outputs (blank last for NeMo). */
export type RnntJoiner = (encFrame: Float32Array, decOut: Float32Array) => Promise<Float32Array>;

/**
 * Joiner for one encoder frame against several decoder outputs (one per hypothesis),
 * so a beam step costs one model call. Returns one logits row per decoder output.
 */
export type RnntJoinerBatch = (
  encFrame: Float32Array,
  decOuts: readonly Float32Array[],
) => Promise<readonly Float32Array[]>;

/** Checks a joiner result so a wrong-sized model fails with a clear error. */
export function checkLogits(logits: Float32Array, vocabSize: number, what: string): void {
  if (logits.length !== vocabSize) {
    throw new SpeechError(
      'MODEL_CONTRACT_MISMATCH',
      `${what}: the joiner returned ${logits.length} logits, expected ${vocabSize}`,
      { length: logits.length, vocabSize },
    );
  }
}
