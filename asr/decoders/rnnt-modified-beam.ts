import { SpeechError } from '../../common/errors.js';
import { checkPositiveInt, checkTokenId, rowCount } from './check-shape.js';
import type { ContextGraph } from './context-graph.js';
import type { DecodedTokens } from './decoded-tokens.js';
import { logAdd, logSumExpRow } from './log-math.js';
import { EMPTY_PREFIX, extendPrefix, noteEntry, type PrefixNode, prefixToTokens } from './prefix-node.js';
import { checkLogits, type RnntJoinerBatch, type RnntPredictor } from './rnnt-model.js';

/**
 * Streaming RNNT modified beam search, as icefall / sherpa-onnx `modified_beam_search`:
 * at most one symbol per frame; on each frame every hypothesis is scored by one batched
 * joiner call, the top `beamSize` of (hyps x vocabulary) on hyp score + log_softmax are
 * kept, and hypotheses with the same token sequence are merged with log-add. The hyps
 * (with their prediction-network output and state, which belong to the hyp because
 * NeMo's LSTM predictor is stateful) are carried across chunks.
 *
 * Hotwords: as sherpa, the context-graph step score is added to the hyp's log-prob
 * (non-strict mode: a completed phrase returns to the root), so biasing steers pruning.
 */
export interface RnntBeamHyp<S> {
  readonly node: PrefixNode;
  /** Acoustic log-prob plus hotword bonuses. */
  readonly logProb: number;
  /** Prediction-network output and state after this hyp's last token. */
  readonly decOut: Float32Array;
  readonly predState: S;
  readonly numTrailingBlanks: number;
}

export interface RnntBeamState<S> {
  /** Best first. Empty until the first chunk runs the prediction network on blank. */
  hyps: RnntBeamHyp<S>[];
  frameOffset: number;
}

export interface RnntBeamOptions<S> {
  readonly blankId: number;
  readonly vocabSize: number;
  readonly encDim: number;
  readonly joinerBatch: RnntJoinerBatch;
  readonly predictor: RnntPredictor<S>;
  /** Hyps kept per frame (sherpa's max_active_paths, default 4). */
  readonly beamSize?: number;
  /** Subtracted from the blank logit before log_softmax (default 0). */
  readonly blankPenalty?: number;
  /** Treated like blank (sherpa does this for `<unk>`); default: none. */
  readonly unkId?: number;
  readonly context?: ContextGraph;
}

export interface RnntBeamResult extends DecodedTokens {
  /** Trailing blank frames of the chosen hyp (drives endpointing). */
  readonly numTrailingBlanks: number;
}

interface Candidate<S> {
  node: PrefixNode;
  logProb: number;
  decOut: Float32Array | null;
  predState: S | null;
  parent: RnntBeamHyp<S>;
  numTrailingBlanks: number;
}

export function createRnntBeamState<S>(): RnntBeamState<S> {
  return { hyps: [], frameOffset: 0 };
}

/**
 * Clears the result after an endpoint: the beam restarts from blank (as sherpa), or, with
 * `keepContext`, from one empty hyp that carries the best hyp's prediction-network output
 * and state (see resetRnntGreedyState).
 */
export function resetRnntBeamState<S>(state: RnntBeamState<S>, keepContext = false): void {
  const best = keepContext ? state.hyps[0] : undefined;
  state.hyps =
    best === undefined
      ? []
      : [
          {
            node: EMPTY_PREFIX,
            logProb: 0,
            decOut: best.decOut,
            predState: best.predState,
            numTrailingBlanks: 0,
          },
        ];
  state.frameOffset = 0;
}

/** Decodes one chunk of encoder output, a row-major [T, encDim] view. */
export async function rnntBeamDecodeChunk<S>(
  state: RnntBeamState<S>,
  encoderOut: Float32Array,
  opts: RnntBeamOptions<S>,
): Promise<void> {
  const { blankId, vocabSize, encDim, joinerBatch, predictor, context } = opts;
  const beamSize = opts.beamSize ?? 4;
  const blankPenalty = opts.blankPenalty ?? 0;
  const unkId = opts.unkId ?? -1;
  const numFrames = rowCount(encoderOut, encDim, 'RNNT beam encoder output');
  checkTokenId(blankId, vocabSize, 'blank', 'RNNT beam');
  checkPositiveInt(beamSize, 'beamSize', 'RNNT beam');

  if (state.hyps.length === 0) {
    const first = await predictor(blankId, null);
    state.hyps = [
      { node: EMPTY_PREFIX, logProb: 0, decOut: first.out, predState: first.state, numTrailingBlanks: 0 },
    ];
  }

  // Scratch for the (hyp, token) candidates: each hyp contributes at most beamSize.
  const candHyp = new Int32Array(beamSize * beamSize);
  const candTok = new Int32Array(beamSize * beamSize);
  const candScore = new Float64Array(beamSize * beamSize);
  let hyps = state.hyps;

  for (let t = 0; t < numFrames; t++) {
    const frame = encoderOut.subarray(t * encDim, (t + 1) * encDim);
    const logitsList = await joinerBatch(
      frame,
      hyps.map((h) => h.decOut),
    );
    let n = 0;
    for (let i = 0; i < hyps.length; i++) {
      const logits = logitsList[i];
      if (logits === undefined) throw missingRow(i, hyps.length, logitsList.length);
      checkLogits(logits, vocabSize, 'RNNT beam');
      const base = hyps[i]!.logProb - penalisedLogSumExp(logits, vocabSize, blankId, blankPenalty);
      for (let y = 0; y < vocabSize; y++) {
        const s = base + (y === blankId ? logits[y]! - blankPenalty : logits[y]!);
        n = insertTop(candHyp, candTok, candScore, n, beamSize, i, y, s);
      }
    }

    const frameIndex = t + state.frameOffset;
    const merged = new Map<PrefixNode, Candidate<S>>();
    const order: Candidate<S>[] = [];
    for (let k = 0; k < n; k++) {
      const parent = hyps[candHyp[k]!]!;
      const y = candTok[k]!;
      const score = candScore[k]!;
      let cand: Candidate<S>;
      if (y === blankId || y === unkId) {
        cand = {
          node: parent.node,
          logProb: score,
          decOut: parent.decOut,
          predState: parent.predState,
          parent,
          numTrailingBlanks: parent.numTrailingBlanks + 1,
        };
      } else {
        const logits = logitsList[candHyp[k]!]!;
        const rawLogProb = logits[y]! - logSumExpRow(logits, 0, vocabSize);
        const existing = findChild(hyps, parent.node, y);
        if (existing !== undefined) noteEntry(existing.node, frameIndex, rawLogProb);
        const node = existing?.node ?? newChild(parent.node, y, frameIndex, rawLogProb, context);
        cand = {
          node,
          logProb: score + node.contextScore - parent.node.contextScore,
          decOut: existing?.decOut ?? null,
          predState: existing?.predState ?? null,
          parent,
          numTrailingBlanks: 0,
        };
      }
      const prev = merged.get(cand.node);
      if (prev === undefined) {
        merged.set(cand.node, cand);
        order.push(cand);
      } else {
        // Same token sequence: sum the paths, keep the better one's bookkeeping.
        prev.logProb = logAdd(prev.logProb, cand.logProb);
        if (prev.decOut === null && cand.decOut !== null) {
          prev.decOut = cand.decOut;
          prev.predState = cand.predState;
        }
      }
    }

    await Promise.all(
      order.map(async (c) => {
        if (c.decOut !== null) return;
        const p = await predictor(c.node.token, c.parent.predState);
        c.decOut = p.out;
        c.predState = p.state;
      }),
    );
    // Merging can lift a later candidate above earlier ones: keep the beam best first.
    order.sort((a, b) => b.logProb - a.logProb || 0);
    hyps = order.map((c) => ({
      node: c.node,
      logProb: c.logProb,
      decOut: c.decOut!,
      predState: c.predState as S,
      numTrailingBlanks: c.numTrailingBlanks,
    }));
  }
  state.hyps = hyps;
  state.frameOffset += numFrames;
}

/**
 * The best hyp as tokens. `lengthNorm` (default true, as icefall/sherpa) ranks by
 * log-prob / (tokens + 1), the +1 standing for the blank start symbol. With `final`,
 * open hotword partial matches lose their bonus first.
 */
export function rnntBeamBest<S>(
  state: RnntBeamState<S>,
  opts: { readonly context?: ContextGraph; readonly final?: boolean; readonly lengthNorm?: boolean } = {},
): RnntBeamResult {
  const lengthNorm = opts.lengthNorm ?? true;
  let best: RnntBeamHyp<S> | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const h of state.hyps) {
    let s = h.logProb;
    if (opts.final && opts.context !== undefined) s += opts.context.finalizeScore(h.node.contextState);
    if (lengthNorm) s /= h.node.length + 1;
    if (best === undefined || s > bestScore) {
      best = h;
      bestScore = s;
    }
  }
  if (best === undefined) return { tokens: [], frames: [], logProbs: [], numTrailingBlanks: 0 };
  return { ...prefixToTokens(best.node), numTrailingBlanks: best.numTrailingBlanks };
}

function penalisedLogSumExp(logits: Float32Array, size: number, blankId: number, penalty: number): number {
  if (penalty === 0) return logSumExpRow(logits, 0, size);
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < size; i++) {
    const v = i === blankId ? logits[i]! - penalty : logits[i]!;
    if (v > max) max = v;
  }
  let sum = 0;
  for (let i = 0; i < size; i++) sum += Math.exp((i === blankId ? logits[i]! - penalty : logits[i]!) - max);
  return max + Math.log(sum);
}

/** Keeps the k best (hyp, token) pairs sorted best first; ties keep the earlier pair. */
function insertTop(
  hyp: Int32Array,
  tok: Int32Array,
  score: Float64Array,
  n: number,
  k: number,
  h: number,
  y: number,
  s: number,
): number {
  if (n === k && !(s > score[n - 1]!)) return n;
  let j = n < k ? n : n - 1;
  const count = n < k ? n + 1 : n;
  while (j > 0 && s > score[j - 1]!) {
    score[j] = score[j - 1]!;
    hyp[j] = hyp[j - 1]!;
    tok[j] = tok[j - 1]!;
    j--;
  }
  score[j] = s;
  hyp[j] = h;
  tok[j] = y;
  return count;
}

/** A hyp of the current beam whose sequence is `parent + token`, if there is one. */
function findChild<S>(
  hyps: readonly RnntBeamHyp<S>[],
  parent: PrefixNode,
  token: number,
): RnntBeamHyp<S> | undefined {
  for (const h of hyps) if (h.node.parent === parent && h.node.token === token) return h;
  return undefined;
}

function newChild(
  parent: PrefixNode,
  token: number,
  frame: number,
  logProb: number,
  context: ContextGraph | undefined,
): PrefixNode {
  if (context === undefined) return extendPrefix(parent, token, frame, logProb, 0, 0);
  const step = context.forwardOneStep(parent.contextState, token, false);
  return extendPrefix(parent, token, frame, logProb, step.state, parent.contextScore + step.score);
}

function missingRow(i: number, expected: number, got: number): SpeechError {
  return new SpeechError(
    'MODEL_CONTRACT_MISMATCH',
    `RNNT beam: the batched joiner returned ${got} rows for ${expected} decoder outputs (row ${i} missing)`,
    { expected, got },
  );
}
