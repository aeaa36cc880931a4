import type { DurationTable } from '../speech/token-timeline.js';

/**
 * What the decoding loop needs of a MaskGCT-style model: the three pure graphs of
 * models/py/tts/maskgct/CONTRACT.md and the constants from their metadata. The ONNX
 * implementation is models/tts/maskgct-model.ts; tests wrap or replace it.
 *
 * Token arrays are Int32Array (ids are small); the implementation converts to int64.
 * A call with `dropPrefix` of length R runs R rows that share every other input: row r hides
 * the first dropPrefix[r] positions from attention (0: conditional; the condition's length:
 * the unconditional branch of classifier-free guidance).
 */
export interface MaskGctModelInfo {
  /** Phone inventory size (tts/text/phone-tokens.ts). */
  readonly vocabSize: number;
  /** Semantic tokens: phone id * semStates + state. */
  readonly semVocab: number;
  readonly semStates: number;
  readonly numMels: number;
  /** Q: residual codec layers, decoded coarse to fine. */
  readonly codecLayers: number;
  /** Codes per codec layer (the S2A vocabulary). */
  readonly codebookSize: number;
  /**
   * Mean frames per phone at speed 1 (training-set statistic): sets the target length of a
   * model without a duration table.
   */
  readonly framesPerPhone: number;
  /**
   * Per-voice mean frames per phone id (metadata `durations`): phones sit at their planned
   * centres and the plan sets the length (CONTRACT.md "Positions"). Absent on older models,
   * whose phones are spread evenly.
   */
  readonly durations?: DurationTable;
}

export interface T2sFeed {
  /** Prompt phones then target phones [P]. */
  readonly phoneIds: readonly number[];
  /** RoPE positions of the phones on the frame timeline [P]. */
  readonly phonePos: Float32Array;
  /** Prompt then target frames [T]; masked frames hold 0. */
  readonly semIds: Int32Array;
  /** 1 where a frame is masked [T]. */
  readonly semMasked: Float32Array;
  readonly dropPrefix: readonly number[];
}

export interface S2aFeed {
  /** [T] semantic tokens of prompt and target. */
  readonly semIds: Int32Array;
  /** [T, Q] frame-major codes; unknown codes hold 0. */
  readonly acIds: Int32Array;
  /** [T, Q]: 1 where the code is given to the model. */
  readonly acKnown: Float32Array;
  /** The codec layer whose logits come out. */
  readonly layer: number;
  readonly dropPrefix: readonly number[];
}

export interface MaskGctGraphs {
  readonly info: MaskGctModelInfo;
  /** Logits [rows, T, semVocab], row-major. */
  t2s(feed: T2sFeed): Promise<Float32Array>;
  /** Logits of `layer` [rows, T, codebookSize]. */
  s2a(feed: S2aFeed): Promise<Float32Array>;
  /** Contract log-mel [T, numMels] (frame-major) of codes [T, Q]. */
  decode(acIds: Int32Array, numFrames: number): Promise<Float32Array>;
}
