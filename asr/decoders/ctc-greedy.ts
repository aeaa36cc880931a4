import { checkTokenId, rowCount } from './check-shape.js';
import type { DecodedTokens } from './decoded-tokens.js';
import { argmaxRow } from './log-math.js';

/**
 * Streaming CTC greedy search, as sherpa-onnx's online-ctc-greedy-search-decoder:
 * per frame take the argmax; emit it when it is neither blank nor equal to the previous
 * frame's argmax. The state is carried across chunks, so any split of the frames gives
 * the same tokens and frames as decoding them in one go.
 */
export interface CtcGreedyState extends DecodedTokens {
  readonly tokens: number[];
  /** Frame (since the last reset) on which each token was first emitted. */
  readonly frames: number[];
  /**
   * Per-token confidence score: the highest log-prob the token had over the run of
   * consecutive frames in which it was the argmax (its CTC "spike"), so a token whose
   * first frame is a soft transition is not under-rated.
   */
  readonly logProbs: number[];
  /** Consecutive blank frames at the end of what was decoded (drives endpointing). */
  numTrailingBlanks: number;
  /** Frames decoded since the last reset; added to chunk-local frame indices. */
  frameOffset: number;
}

export interface CtcGreedyOptions {
  /** Id of `<blk>` (NeMo: the last id, V). */
  readonly blankId: number;
  /** Row width of the log-prob tensor (NeMo: V + 1). */
  readonly vocabSize: number;
}

export function createCtcGreedyState(): CtcGreedyState {
  return { tokens: [], frames: [], logProbs: [], numTrailingBlanks: 0, frameOffset: 0 };
}

/** Clears the result after an endpoint; frame indices restart at 0 for the new segment. */
export function resetCtcGreedyState(state: CtcGreedyState): void {
  state.tokens.length = 0;
  state.frames.length = 0;
  state.logProbs.length = 0;
  state.numTrailingBlanks = 0;
  state.frameOffset = 0;
}

/**
 * Decodes one chunk of log-probs, a row-major [T, V] view (a subarray of the model
 * output is fine), appending to `state`. Returns the number of tokens emitted.
 */
export function ctcGreedyDecodeChunk(
  state: CtcGreedyState,
  logProbs: Float32Array,
  opts: CtcGreedyOptions,
): number {
  const { blankId, vocabSize } = opts;
  const numFrames = rowCount(logProbs, vocabSize, 'CTC greedy');
  checkTokenId(blankId, vocabSize, 'blank', 'CTC greedy');
  const { tokens, frames, logProbs: scores } = state;
  const before = tokens.length;

  // sherpa derives `prev` from the result instead of storing it: nothing emitted yet
  // means every frame so far was blank; otherwise trailing blanks mean the last frame
  // was blank, and no trailing blanks mean the last frame repeated the last token.
  let prev = -1;
  if (tokens.length > 0) prev = state.numTrailingBlanks > 0 ? blankId : tokens[tokens.length - 1]!;

  let trailing = state.numTrailingBlanks;
  for (let t = 0, offset = 0; t < numFrames; t++, offset += vocabSize) {
    const y = argmaxRow(logProbs, offset, vocabSize);
    const lp = logProbs[offset + y]!;
    if (y === blankId) {
      trailing++;
    } else {
      trailing = 0;
      if (y !== prev) {
        tokens.push(y);
        frames.push(t + state.frameOffset);
        scores.push(lp);
      } else {
        const last = scores.length - 1;
        if (lp > scores[last]!) scores[last] = lp;
      }
    }
    prev = y;
  }
  state.numTrailingBlanks = trailing;
  state.frameOffset += numFrames;
  return tokens.length - before;
}
