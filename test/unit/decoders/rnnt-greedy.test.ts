import { describe, expect, it } from 'vitest';
import {
  createRnntGreedyState,
  type RnntGreedyOptions,
  resetRnntGreedyState,
  rnntGreedyDecodeChunk,
} from '../../../asr/decoders/rnnt-greedy.js';
import type { RnntJoiner, RnntPredictor } from '../../../asr/decoders/rnnt-model.js';
import { isSpeechError } from '../../../common/errors.js';
import { rejected } from './logit-builders.js';

const V1 = 4; // tokens 0..2, blank 3 (last, as NeMo)
const BLANK = 3;

/** Counts tokens fed to it; its output is that count, which the fake joiners read. */
function countingPredictor(calls: { token: number; state: number | null }[]): RnntPredictor<number> {
  return async (token, state) => {
    calls.push({ token, state });
    const next = state === null ? 0 : state + 1;
    return { out: Float32Array.of(next), state: next };
  };
}

function peak(y: number): Float32Array {
  const l = new Float32Array(V1).fill(-5);
  l[y] = 5;
  return l;
}

/**
 * A joiner that follows a script: on frame f (encoder value f) it emits script[f] in
 * order, then blank; it knows where it is from the predictor's token count.
 */
function scriptedJoiner(script: number[][]): RnntJoiner {
  const before = script.map((_, f) => script.slice(0, f).reduce((n, s) => n + s.length, 0));
  return async (enc, dec) => {
    const f = enc[0]!;
    const i = dec[0]! - before[f]!;
    const y = script[f]![i];
    return peak(y === undefined ? BLANK : y);
  };
}

function frames(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => i);
}

async function run(
  chunks: Float32Array[],
  opts: Omit<RnntGreedyOptions<number>, 'blankId' | 'vocabSize' | 'encDim'>,
) {
  const s = createRnntGreedyState<number>();
  for (const c of chunks)
    await rnntGreedyDecodeChunk(s, c, { blankId: BLANK, vocabSize: V1, encDim: 1, ...opts });
  return s;
}

describe('rnntGreedyDecodeChunk', () => {
  const script = [[0], [], [1, 2], [2, 2, 2], []];

  it('emits several symbols on one frame and moves on at blank', async () => {
    const calls: { token: number; state: number | null }[] = [];
    const s = await run([frames(5)], { joiner: scriptedJoiner(script), predictor: countingPredictor(calls) });
    expect(s.tokens).toEqual([0, 1, 2, 2, 2, 2]);
    expect(s.frames).toEqual([0, 2, 2, 3, 3, 3]);
    expect(s.numTrailingBlanks).toBe(2); // the blank ending frame 3, and frame 4
    // The prediction network starts from blank with the zero state, then sees each token once.
    expect(calls[0]).toEqual({ token: BLANK, state: null });
    expect(calls.slice(1).map((c) => c.token)).toEqual([0, 1, 2, 2, 2, 2]);
  });

  it('carries the decoder output across chunks instead of re-running the network', async () => {
    const calls: { token: number; state: number | null }[] = [];
    const f = frames(5);
    const s = await run([f.subarray(0, 2), f.subarray(2, 2), f.subarray(2, 4), f.subarray(4)], {
      joiner: scriptedJoiner(script),
      predictor: countingPredictor(calls),
    });
    expect(s.tokens).toEqual([0, 1, 2, 2, 2, 2]);
    expect(s.frames).toEqual([0, 2, 2, 3, 3, 3]);
    expect(calls.length).toBe(7);
  });

  it('caps the symbols per frame (default 10)', async () => {
    const joiner: RnntJoiner = async (enc) => peak(enc[0] === 0 ? 1 : BLANK);
    const capped = await run([frames(2)], {
      joiner,
      predictor: countingPredictor([]),
      maxSymbolsPerFrame: 3,
    });
    expect(capped.tokens).toEqual([1, 1, 1]);
    expect(capped.frames).toEqual([0, 0, 0]);
    const dflt = await run([frames(2)], { joiner, predictor: countingPredictor([]) });
    expect(dflt.tokens.length).toBe(10);
  });

  it('applies the blank penalty to the choice but not to the reported log-prob', async () => {
    const logits = Float32Array.of(0, 1.5, 0, 2);
    const joiner: RnntJoiner = async (_enc, dec) => (dec[0] === 0 ? logits : peak(BLANK));
    const plain = await run([frames(1)], { joiner, predictor: countingPredictor([]) });
    expect(plain.tokens).toEqual([]);
    const biased = await run([frames(1)], { joiner, predictor: countingPredictor([]), blankPenalty: 1 });
    expect(biased.tokens).toEqual([1]);
    expect(biased.logProbs[0]).toBeCloseTo(1.5 - Math.log(1 + Math.exp(1.5) + 1 + Math.exp(2)), 6);
    expect(logits[BLANK]).toBe(2); // the joiner's array is not modified
  });

  it('restarts the prediction network from blank after reset', async () => {
    const calls: { token: number; state: number | null }[] = [];
    const predictor = countingPredictor(calls);
    const s = await run([frames(1)], { joiner: scriptedJoiner([[0]]), predictor });
    resetRnntGreedyState(s);
    await rnntGreedyDecodeChunk(s, frames(0), {
      blankId: BLANK,
      vocabSize: V1,
      encDim: 1,
      joiner: scriptedJoiner([[0]]),
      predictor,
    });
    expect(calls.at(-1)).toEqual({ token: BLANK, state: null });
    expect(s.tokens).toEqual([]);
  });

  it('fails with a coded error when the joiner row has the wrong size', async () => {
    const joiner: RnntJoiner = async () => new Float32Array(3);
    const e = await rejected(run([frames(1)], { joiner, predictor: countingPredictor([]) }));
    expect(isSpeechError(e, 'MODEL_CONTRACT_MISMATCH')).toBe(true);
  });
});
