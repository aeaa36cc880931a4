/**
 * What every decoder hands to the text stage: parallel arrays, one entry per emitted
 * token. Frames are encoder output frames counted from the last reset (multiply by the
 * model's seconds per frame for time); log-probs are natural-log posteriors used for
 * confidence (each decoder documents which frame's posterior it reports).
 */
export interface DecodedTokens {
  readonly tokens: readonly number[];
  readonly frames: readonly number[];
  readonly logProbs: readonly number[];
}
