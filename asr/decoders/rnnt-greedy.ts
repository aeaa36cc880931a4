import { checkPositiveInt, checkTokenId, rowCount } from './check-shape.js';
import type { DecodedTokens } from './decoded-tokens.js';
import { argmaxRow, logSumExpRow } from './log-math.js';
import { checkLogits, type RnntJoiner, type RnntPredictor } from './rnnt-model.js';

/**
 * Streaming RNNT greedy search, as sherpa-onnx's online NeMo transducer greedy decoder:
 * on each encoder frame, ask the joiner for the best symbol; a blank moves to the next
 * frame, a token is emitted, fed to the prediction network, and the same frame is tried
 * again, at most `maxSymbolsPerFrame` times. The decoder output and prediction state are
 * kept in the stream state, so the next chunk continues without re-running the network.
 */
export interface RnntGreedyState<S> extends DecodedTokens {
  readonly tokens: number[];
  readonly frames: number[];
  /**
   * Per-token confidence: log-softmax of the joiner's raw logits (before any blank
   * penalty) at the token, at the step that emitted it.
   */
  readonly logProbs: number[];
  numTrailingBlanks: number;
  frameOffset: number;
  /** Prediction-network output for the last emitted token (null: not run yet). */
  decOut: Float32Array | null;
  /** Prediction-network state after the last emitted token (null: zero state). */
  predState: S | null;
}

export interface RnntGreedyOptions<S> {
  /** Id of blank (NeMo: the last id, V). */
  readonly blankId: number;
  /** Joiner output width (NeMo: V + 1). */
  readonly vocabSize: number;
  /** Encoder output dimension (one frame = encDim floats). */
  readonly encDim: number;
  readonly joiner: RnntJoiner;
  readonly predictor: RnntPredictor<S>;
  /** Default 10, as sherpa and NeMo (`greedy.max_symbols`). */
  readonly maxSymbolsPerFrame?: number;
  /** Subtracted from the blank logit before the argmax (default 0: off). */
  readonly blankPenalty?: number;
}

export function createRnntGreedyState<S>(): RnntGreedyState<S> {
  return {
    tokens: [],
    frames: [],
    logProbs: [],
    numTrailingBlanks: 0,
    frameOffset: 0,
    decOut: null,
    predState: null,
  };
}

/**
 * Clears the result after an endpoint. The prediction network restarts from its zero
 * state with blank, as sherpa does on reset; or, with `keepContext`, goes on from the last
 * token, for a stream whose encoder also goes on (caches kept): a joiner fed the frames
 * after a word with a predictor back at the start would say the word again.
 */
export function resetRnntGreedyState<S>(state: RnntGreedyState<S>, keepContext = false): void {
  state.tokens.length = 0;
  state.frames.length = 0;
  state.logProbs.length = 0;
  state.numTrailingBlanks = 0;
  state.frameOffset = 0;
  if (keepContext) return;
  state.decOut = null;
  state.predState = null;
}

/**
 * Decodes one chunk of encoder output, a row-major [T, encDim] view. Returns the number
 * of tokens emitted.
 */
export async function rnntGreedyDecodeChunk<S>(
  state: RnntGreedyState<S>,
  encoderOut: Float32Array,
  opts: RnntGreedyOptions<S>,
): Promise<number> {
  const { blankId, vocabSize, encDim, joiner, predictor } = opts;
  const maxSymbols = opts.maxSymbolsPerFrame ?? 10;
  const blankPenalty = opts.blankPenalty ?? 0;
  const numFrames = rowCount(encoderOut, encDim, 'RNNT greedy encoder output');
  checkTokenId(blankId, vocabSize, 'blank', 'RNNT greedy');
  checkPositiveInt(maxSymbols, 'maxSymbolsPerFrame', 'RNNT greedy');
  const before = state.tokens.length;

  if (state.decOut === null) {
    const last = state.tokens.length === 0 ? blankId : state.tokens[state.tokens.length - 1]!;
    const first = await predictor(last, state.predState);
    state.decOut = first.out;
    state.predState = first.state;
  }

  for (let t = 0; t < numFrames; t++) {
    const frame = encoderOut.subarray(t * encDim, (t + 1) * encDim);
    for (let q = 0; q < maxSymbols; q++) {
      const logits = await joiner(frame, state.decOut);
      checkLogits(logits, vocabSize, 'RNNT greedy');
      const y = argmaxWithBlankPenalty(logits, vocabSize, blankId, blankPenalty);
      if (y === blankId) {
        state.numTrailingBlanks++;
        break;
      }
      state.tokens.push(y);
      state.frames.push(t + state.frameOffset);
      state.logProbs.push(logits[y]! - logSumExpRow(logits, 0, vocabSize));
      state.numTrailingBlanks = 0;
      const next = await predictor(y, state.predState);
      state.decOut = next.out;
      state.predState = next.state;
    }
  }
  state.frameOffset += numFrames;
  return state.tokens.length - before;
}

/** Argmax as if `penalty` were subtracted from the blank logit, without mutating it. */
function argmaxWithBlankPenalty(
  logits: Float32Array,
  size: number,
  blankId: number,
  penalty: number,
): number {
  if (penalty === 0) return argmaxRow(logits, 0, size);
  let best = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < size; i++) {
    const v = i === blankId ? logits[i]! - penalty : logits[i]!;
    if (v > bestValue || i === 0) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}
