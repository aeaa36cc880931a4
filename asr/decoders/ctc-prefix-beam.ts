import { checkPositiveInt, checkTokenId, rowCount } from './check-shape.js';
import type { ContextGraph } from './context-graph.js';
import type { DecodedTokens } from './decoded-tokens.js';
import { logAdd, topKRow } from './log-math.js';
import { EMPTY_PREFIX, extendPrefix, noteEntry, type PrefixNode, prefixToTokens } from './prefix-node.js';

/**
 * Streaming CTC prefix beam search (log domain). Each hypothesis is a collapsed token
 * prefix with two scores: paths ending in blank (pb) and paths ending in its last token
 * (pnb); all alignments of a prefix are summed, unlike greedy search. The beam is
 * carried across chunks, so results do not depend on how frames are split.
 *
 * Pruning: per frame only the `tokenTopK` best tokens are tried as extensions, plus the
 * tokens that continue a hotword partial match of the hypothesis (so a biased phrase is
 * not lost once started); then the beam keeps the `beamSize` best prefixes.
 *
 * Hotwords: the context-graph bonus is kept apart from pb/pnb (they stay pure acoustic
 * scores) and added when ranking, so the bonus of a broken partial match simply
 * disappears from the ranking when the graph takes it back.
 */
export interface CtcBeamHyp {
  readonly node: PrefixNode;
  /** log P(prefix, alignment ends in blank). */
  readonly pb: number;
  /** log P(prefix, alignment ends in the prefix's last token). */
  readonly pnb: number;
}

export interface CtcPrefixBeamState {
  /** Best first. */
  hyps: CtcBeamHyp[];
  /** Consecutive frames whose argmax was blank (frame-level, drives endpointing). */
  numTrailingBlanks: number;
  frameOffset: number;
}

export interface CtcPrefixBeamOptions {
  readonly blankId: number;
  readonly vocabSize: number;
  /** Prefixes kept after each frame (default 4). */
  readonly beamSize?: number;
  /** Tokens tried per frame (default: beamSize). */
  readonly tokenTopK?: number;
  /** Per-session hotword graph. */
  readonly context?: ContextGraph;
}

const NEG_INF = Number.NEGATIVE_INFINITY;

interface Candidate {
  node: PrefixNode;
  pb: number;
  pnb: number;
}

export function createCtcPrefixBeamState(): CtcPrefixBeamState {
  return { hyps: [{ node: EMPTY_PREFIX, pb: 0, pnb: NEG_INF }], numTrailingBlanks: 0, frameOffset: 0 };
}

export function resetCtcPrefixBeamState(state: CtcPrefixBeamState): void {
  state.hyps = [{ node: EMPTY_PREFIX, pb: 0, pnb: NEG_INF }];
  state.numTrailingBlanks = 0;
  state.frameOffset = 0;
}

/** Ranking score of a hypothesis: acoustic total plus hotword bonus. */
export function ctcHypScore(h: CtcBeamHyp): number {
  return logAdd(h.pb, h.pnb) + h.node.contextScore;
}

/** Decodes one [T, V] chunk of log-probs into the carried beam. */
export function ctcPrefixBeamDecodeChunk(
  state: CtcPrefixBeamState,
  logProbs: Float32Array,
  opts: CtcPrefixBeamOptions,
): void {
  const { blankId, vocabSize, context } = opts;
  const beamSize = opts.beamSize ?? 4;
  const topK = opts.tokenTopK ?? beamSize;
  const numFrames = rowCount(logProbs, vocabSize, 'CTC prefix beam');
  checkTokenId(blankId, vocabSize, 'blank', 'CTC prefix beam');
  checkPositiveInt(beamSize, 'beamSize', 'CTC prefix beam');
  checkPositiveInt(topK, 'tokenTopK', 'CTC prefix beam');

  const topIds = new Int32Array(topK);
  const topScores = new Float64Array(topK);
  const cands = new Map<PrefixNode, Candidate>();
  let hyps = state.hyps;

  for (let t = 0, row = 0; t < numFrames; t++, row += vocabSize) {
    const nTop = topKRow(logProbs, row, vocabSize, topK, topIds, topScores);
    state.numTrailingBlanks = topIds[0] === blankId ? state.numTrailingBlanks + 1 : 0;
    const lpBlank = logProbs[row + blankId]!;
    cands.clear();

    const step: FrameStep = { cands, hyps, frame: t + state.frameOffset, context, stay: undefined };
    for (const h of hyps) {
      const l = h.node;
      step.stay = candidate(cands, l);
      step.stay.pb = logAdd(step.stay.pb, logAdd(h.pb, h.pnb) + lpBlank);

      for (let k = 0; k < nTop; k++) {
        const c = topIds[k]!;
        if (c !== blankId) extend(step, h, c, logProbs[row + c]!);
      }
      if (context !== undefined && l.contextState !== context.root) {
        for (const c of context.nextTokens(l.contextState)) {
          if (c === blankId || c >= vocabSize || inTop(topIds, nTop, c)) continue;
          extend(step, h, c, logProbs[row + c]!);
        }
      }
    }

    hyps = prune(cands, beamSize);
  }
  state.hyps = hyps;
  state.frameOffset += numFrames;
}

/**
 * Best hypothesis as tokens. With `final`, open hotword partial matches lose their
 * bonus first (the graph's finalisation), which can change the winner.
 */
export function ctcPrefixBeamBest(
  state: CtcPrefixBeamState,
  opts: { readonly context?: ContextGraph; readonly final?: boolean } = {},
): DecodedTokens {
  let best = state.hyps[0]!;
  let bestScore = NEG_INF;
  for (const h of state.hyps) {
    let s = ctcHypScore(h);
    if (opts.final && opts.context !== undefined) s += opts.context.finalizeScore(h.node.contextState);
    if (s > bestScore) {
      bestScore = s;
      best = h;
    }
  }
  return prefixToTokens(best.node);
}

/** What the extension step needs about the frame being decoded. */
interface FrameStep {
  readonly cands: Map<PrefixNode, Candidate>;
  readonly hyps: readonly CtcBeamHyp[];
  readonly frame: number;
  readonly context: ContextGraph | undefined;
  /** Candidate of the hypothesis being extended (its prefix unchanged). */
  stay: Candidate | undefined;
}

function extend(step: FrameStep, hyp: CtcBeamHyp, c: number, lp: number): void {
  const node = hyp.node;
  if (c === node.token) {
    // A repeat with no blank in between collapses onto the same prefix...
    if (hyp.pnb !== NEG_INF) {
      const stay = step.stay!;
      stay.pnb = logAdd(stay.pnb, hyp.pnb + lp);
      if (lp > node.logProb) node.logProb = lp;
    }
    // ...and only a path through blank makes it a new token.
    if (hyp.pb !== NEG_INF) {
      const ext = candidate(step.cands, child(step, node, c, lp));
      ext.pnb = logAdd(ext.pnb, hyp.pb + lp);
    }
  } else {
    const ext = candidate(step.cands, child(step, node, c, lp));
    ext.pnb = logAdd(ext.pnb, logAdd(hyp.pb, hyp.pnb) + lp);
  }
}

function candidate(cands: Map<PrefixNode, Candidate>, node: PrefixNode): Candidate {
  let c = cands.get(node);
  if (c === undefined) {
    c = { node, pb: NEG_INF, pnb: NEG_INF };
    cands.set(node, c);
  }
  return c;
}

/**
 * The node for `parent + token`: reuses the beam's node when that sequence is already a
 * hypothesis (so the two merge), otherwise creates it, advancing the hotword state.
 */
function child(step: FrameStep, parent: PrefixNode, token: number, lp: number): PrefixNode {
  const { context, frame } = step;
  for (const h of step.hyps) {
    if (h.node.parent === parent && h.node.token === token) {
      noteEntry(h.node, frame, lp);
      return h.node;
    }
  }
  if (context === undefined) return extendPrefix(parent, token, frame, lp, 0, 0);
  const next = context.forwardOneStep(parent.contextState, token, false);
  return extendPrefix(parent, token, frame, lp, next.state, parent.contextScore + next.score);
}

function inTop(ids: Int32Array, n: number, c: number): boolean {
  for (let i = 0; i < n; i++) if (ids[i] === c) return true;
  return false;
}

function prune(cands: Map<PrefixNode, Candidate>, beamSize: number): CtcBeamHyp[] {
  const all = [...cands.values()];
  // Stable sort: equal scores keep insertion order (older prefixes first).
  all.sort((a, b) => score(b) - score(a) || 0);
  const kept: CtcBeamHyp[] = [];
  for (const c of all) {
    if (kept.length === beamSize) break;
    kept.push({ node: c.node, pb: c.pb, pnb: c.pnb });
  }
  return kept.length > 0 ? kept : [{ node: EMPTY_PREFIX, pb: 0, pnb: NEG_INF }];
}

function score(c: Candidate): number {
  return logAdd(c.pb, c.pnb) + c.node.contextScore;
}
