import type { DurationTable } from '../speech/token-timeline.js';

/**
 * What the generation loop needs of an ARDiT-style model: the three pure graphs of
 * models/py/tts/ardit/CONTRACT.md and the constants from their metadata. The ONNX
 * implementation is models/tts/ardit-model.ts; tests wrap it (a stop head that never fires)
 * or replace it. `Cache` is opaque here: only the implementation reads it.
 */
export interface ArditModelInfo {
  /** Mel frames per AR step (K). */
  readonly patchSize: number;
  readonly numMels: number;
  /** Width of the hidden state that conditions the flow head (D). */
  readonly hiddenSize: number;
  readonly vocabSize: number;
  /**
   * Speaker names of a multi-voice model: voice v is the token vocabSize + v, put in front of
   * the phones (CONTRACT.md "Voices"). Empty: one voice, no voice token.
   */
  readonly voices: readonly string[];
  /** Mean frames per phone at speed 1 (training-set statistic): the planned length of models without `durations`. */
  readonly framesPerPhone: number;
  /** Per-voice mean frames per token (metadata `durations`): places the text tokens; absent on older models. */
  readonly durations?: DurationTable;
  /** Consecutive positive stop steps the model was trained to emit at the end. */
  readonly stopPatience: number;
  /** Per-bin statistics that map the model's normalised mel back to the contract log-mel. */
  readonly melMean: Float64Array;
  readonly melStd: Float64Array;
}

export interface ArditStepResult<Cache> {
  /** [D]: conditions the next patch. */
  readonly hidden: Float32Array;
  /** Stop logit of the patch just fed (prefill: of BOS, unused). */
  readonly stopLogit: number;
  readonly cache: Cache;
}

export interface ArditGraphs<Cache = unknown> {
  readonly info: ArditModelInfo;
  /** Phones plus BOS: the hidden state for patch 1 and the initial cache. */
  prefill(
    phoneIds: readonly number[],
    phonePos: Float32Array,
    bosPos: number,
  ): Promise<ArditStepResult<Cache>>;
  /** Feeds patch `pos` (normalised, [K * M]) and grows the cache by one position. */
  step(patch: Float32Array, pos: number, cache: Cache): Promise<ArditStepResult<Cache>>;
  /** Flow-head velocity for `rows` rows (see flow-sampler.ts). */
  velocity(
    xt: Float32Array,
    t: Float32Array,
    cond: Float32Array,
    prev: Float32Array,
    rows: number,
  ): Promise<Float32Array>;
}
