import { SpeechError } from '../../common/errors.js';

/**
 * Hotword biasing graph (contextual biasing), as sherpa-onnx / icefall ContextGraph:
 * an Aho-Corasick trie over token-id sequences. Each step along a phrase earns that
 * phrase's per-token bonus; when a partial match breaks, the bonus collected so far is
 * taken back (the step score becomes negative) and matching resumes from the longest
 * suffix that is still a phrase prefix (the failure link). A completed phrase keeps its
 * bonus. `finalize` removes the bonus of a partial match left open at the end.
 *
 * The graph is immutable once built and shared by all hypotheses of a session; a
 * hypothesis only carries a node id (a number), so copying hyps costs nothing.
 */
export interface ContextPhrase {
  /** The phrase already tokenised by the caller (the model's token ids). */
  readonly tokens: readonly number[];
  /** Bonus per matched token (log domain); absent or 0 means the graph's default. */
  readonly score?: number;
  /** Display text, reported when the phrase matches. */
  readonly phrase?: string;
}

export interface ContextStep {
  /** Score to add to the hypothesis for this token (negative when a match breaks). */
  readonly score: number;
  /** Node id to carry in the hypothesis. */
  readonly state: number;
  /** Node id of the phrase completed by this token, or -1. */
  readonly matched: number;
}

const ROOT = 0;
// Children live in one Map keyed by node * 2^21 + token: token ids are far below 2^21
// and the product stays an exact double, which avoids a Map per node.
const TOKEN_SPAN = 2 ** 21;

export class ContextGraph {
  readonly root = ROOT;
  private readonly tokenOf: Int32Array;
  private readonly tokenScore: Float64Array;
  private readonly nodeScore: Float64Array;
  private readonly outputScore: Float64Array;
  private readonly isEnd: Uint8Array;
  private readonly fail: Int32Array;
  private readonly output: Int32Array;
  private readonly phraseText: readonly string[];
  private readonly children: ReadonlyMap<number, number>;
  private readonly childList: readonly (readonly number[])[];

  /**
   * Builds the graph. `defaultScore` is the per-token bonus for phrases without their
   * own score (sherpa's `--hotwords-score`, 1.5 by default there).
   */
  static build(phrases: readonly ContextPhrase[], defaultScore = 1.5): ContextGraph {
    if (!Number.isFinite(defaultScore)) {
      throw new SpeechError('CONFIG_INVALID', `hotword score must be a finite number, got ${defaultScore}`);
    }
    return new ContextGraph(phrases, defaultScore);
  }

  private constructor(phrases: readonly ContextPhrase[], defaultScore: number) {
    const token = [-1];
    const tokenScore = [0];
    const nodeScore = [0];
    const outputScore = [0];
    const isEnd = [0];
    const phraseText = [''];
    const children = new Map<number, number>();
    const childList: number[][] = [[]];

    phrases.forEach((p, index) => {
      if (p.tokens.length === 0) {
        throw new SpeechError('CONFIG_INVALID', `hotword ${index} has no tokens`, {
          index,
          phrase: p.phrase,
        });
      }
      if (p.score !== undefined && !Number.isFinite(p.score)) {
        throw new SpeechError('CONFIG_INVALID', `hotword ${index} has a non-finite score`, {
          index,
          score: p.score,
        });
      }
      const score = p.score === undefined || p.score === 0 ? defaultScore : p.score;
      let node = ROOT;
      const last = p.tokens.length - 1;
      p.tokens.forEach((tok, j) => {
        if (!Number.isInteger(tok) || tok < 0 || tok >= TOKEN_SPAN) {
          throw new SpeechError('CONFIG_INVALID', `hotword ${index} has an invalid token id ${tok}`, {
            index,
            token: tok,
          });
        }
        const key = node * TOKEN_SPAN + tok;
        let next = children.get(key);
        if (next === undefined) {
          next = token.length;
          token.push(tok);
          tokenScore.push(score);
          nodeScore.push(nodeScore[node]! + score);
          outputScore.push(j === last ? nodeScore[node]! + score : 0);
          isEnd.push(j === last ? 1 : 0);
          phraseText.push(j === last ? (p.phrase ?? '') : '');
          childList.push([]);
          children.set(key, next);
          childList[node]!.push(tok);
        } else {
          // Shared prefix: keep the larger bonus, as sherpa does.
          const ts = Math.max(score, tokenScore[next]!);
          tokenScore[next] = ts;
          nodeScore[next] = nodeScore[node]! + ts;
          const end = j === last || isEnd[next] === 1;
          outputScore[next] = end ? nodeScore[next]! : 0;
          isEnd[next] = end ? 1 : 0;
          if (j === last) phraseText[next] = p.phrase ?? '';
        }
        node = next;
      });
    });

    const n = token.length;
    this.tokenOf = Int32Array.from(token);
    this.tokenScore = Float64Array.from(tokenScore);
    this.nodeScore = Float64Array.from(nodeScore);
    this.outputScore = Float64Array.from(outputScore);
    this.isEnd = Uint8Array.from(isEnd);
    this.phraseText = phraseText;
    this.children = children;
    this.childList = childList;
    this.fail = new Int32Array(n);
    this.output = new Int32Array(n).fill(-1);
    this.fillFailOutput();
  }

  /** Number of nodes, root included. */
  get size(): number {
    return this.tokenOf.length;
  }

  private child(node: number, token: number): number {
    return this.children.get(node * TOKEN_SPAN + token) ?? -1;
  }

  /** Breadth-first pass setting each node's failure link and nearest phrase-end output. */
  private fillFailOutput(): void {
    const queue: number[] = [];
    for (const tok of this.childList[ROOT]!) {
      const c = this.child(ROOT, tok);
      this.fail[c] = ROOT;
      queue.push(c);
    }
    for (let head = 0; head < queue.length; head++) {
      const current = queue[head]!;
      for (const tok of this.childList[current]!) {
        const c = this.child(current, tok);
        const f = this.follow(this.fail[current]!, tok);
        this.fail[c] = f;
        let out = f;
        while (out !== ROOT && this.isEnd[out] === 0) out = this.fail[out]!;
        const o = out === ROOT ? -1 : out;
        this.output[c] = o;
        if (o >= 0) this.outputScore[c] = this.outputScore[c]! + this.outputScore[o]!;
        queue.push(c);
      }
    }
  }

  /** The node reached from `node` by `token`, following failure links; ROOT if none. */
  private follow(node: number, token: number): number {
    let n = node;
    for (;;) {
      const c = this.child(n, token);
      if (c >= 0) return c;
      if (n === ROOT) return ROOT;
      n = this.fail[n]!;
    }
  }

  /**
   * Advances a hypothesis' context state by one emitted token.
   * strict = true keeps the state on a completed phrase so a longer phrase can go on
   * matching; strict = false (what sherpa's beam searches use) returns to the root once
   * a phrase completes, so the same phrase can match again right away.
   */
  forwardOneStep(state: number, token: number, strict = true): ContextStep {
    let node = this.child(state, token);
    let score: number;
    if (node >= 0) {
      score = this.tokenScore[node]!;
    } else {
      node = state === ROOT ? ROOT : this.follow(this.fail[state]!, token);
      score = this.nodeScore[node]! - this.nodeScore[state]!;
    }
    const matched = this.isEnd[node] === 1 ? node : this.output[node]!;
    if (!strict && this.outputScore[node] !== 0) {
      const out = this.isEnd[node] === 1 ? node : matched >= 0 ? matched : node;
      return { score: score + this.nodeScore[out]! - this.nodeScore[node]!, state: ROOT, matched };
    }
    return { score: score + this.outputScore[node]!, state: node, matched };
  }

  /** Score that takes back a partial match still open at the end of the utterance. */
  finalizeScore(state: number): number {
    return -this.nodeScore[state]!;
  }

  /** Whether reaching `state` completes a phrase; returns the completed node or -1. */
  matchedNode(state: number): number {
    return this.isEnd[state] === 1 ? state : this.output[state]!;
  }

  /** Display text of a phrase-end node ('' when none was given). */
  phraseOf(node: number): string {
    return this.phraseText[node] ?? '';
  }

  /** Token ids that continue a partial match from `state` (used to widen beams). */
  nextTokens(state: number): readonly number[] {
    return this.childList[state] ?? [];
  }
}
