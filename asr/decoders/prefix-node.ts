import type { DecodedTokens } from './decoded-tokens.js';

/**
 * One token sequence in a beam, stored as a link to its parent sequence. Extending a
 * hypothesis allocates one node instead of copying its token array, and hypotheses that
 * share a history share its nodes. A beam keeps at most one node per distinct sequence,
 * so "same node" means "same token sequence" when merging.
 */
export interface PrefixNode {
  readonly parent: PrefixNode | null;
  /** Last token of the sequence (-1 for the empty sequence). */
  readonly token: number;
  /** Number of tokens in the sequence. */
  readonly length: number;
  /**
   * Frame (since the last reset) on which `token` was emitted. When several paths enter
   * this sequence on different frames, the entry with the highest posterior wins.
   */
  frame: number;
  /** Confidence score of `token` (see the decoder that made the node). */
  logProb: number;
  /** Context-graph node reached after this sequence (0 = root / no biasing). */
  readonly contextState: number;
  /** Total hotword bonus collected along this sequence. */
  readonly contextScore: number;
}

export const EMPTY_PREFIX: PrefixNode = Object.freeze({
  parent: null,
  token: -1,
  length: 0,
  frame: -1,
  logProb: 0,
  contextState: 0,
  contextScore: 0,
});

export function extendPrefix(
  parent: PrefixNode,
  token: number,
  frame: number,
  logProb: number,
  contextState: number,
  contextScore: number,
): PrefixNode {
  return { parent, token, length: parent.length + 1, frame, logProb, contextState, contextScore };
}

/**
 * Records another path entering `node` (emitting its last token) on `frame` with
 * log-prob `lp`: the best-scoring entry sets the token's time and confidence.
 */
export function noteEntry(node: PrefixNode, frame: number, lp: number): void {
  if (lp > node.logProb) {
    node.logProb = lp;
    node.frame = frame;
  }
}

/** Flattens a sequence into the decoders' result arrays (only when a result is asked for). */
export function prefixToTokens(node: PrefixNode): DecodedTokens {
  const n = node.length;
  const tokens = new Array<number>(n);
  const frames = new Array<number>(n);
  const logProbs = new Array<number>(n);
  let p: PrefixNode | null = node;
  for (let i = n - 1; i >= 0 && p !== null; i--, p = p.parent) {
    tokens[i] = p.token;
    frames[i] = p.frame;
    logProbs[i] = p.logProb;
  }
  return { tokens, frames, logProbs };
}
