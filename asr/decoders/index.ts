export { ContextGraph, type ContextPhrase, type ContextStep } from './context-graph.js';
export {
  type CtcGreedyOptions,
  type CtcGreedyState,
  createCtcGreedyState,
  ctcGreedyDecodeChunk,
  resetCtcGreedyState,
} from './ctc-greedy.js';
export {
  type CtcBeamHyp,
  type CtcPrefixBeamOptions,
  type CtcPrefixBeamState,
  createCtcPrefixBeamState,
  ctcHypScore,
  ctcPrefixBeamBest,
  ctcPrefixBeamDecodeChunk,
  resetCtcPrefixBeamState,
} from './ctc-prefix-beam.js';
export type { DecodedTokens } from './decoded-tokens.js';
export { argmaxRow, logAdd, logSumExpRow, topKRow } from './log-math.js';
export {
  type ParaformerGreedyOptions,
  type ParaformerGreedyResult,
  paraformerGreedyDecode,
} from './paraformer-greedy.js';
export type { PrefixNode } from './prefix-node.js';
export {
  createRnntGreedyState,
  type RnntGreedyOptions,
  type RnntGreedyState,
  resetRnntGreedyState,
  rnntGreedyDecodeChunk,
} from './rnnt-greedy.js';
export type { RnntJoiner, RnntJoinerBatch, RnntPrediction, RnntPredictor } from './rnnt-model.js';
export {
  createRnntBeamState,
  type RnntBeamHyp,
  type RnntBeamOptions,
  type RnntBeamResult,
  type RnntBeamState,
  resetRnntBeamState,
  rnntBeamBest,
  rnntBeamDecodeChunk,
} from './rnnt-modified-beam.js';
