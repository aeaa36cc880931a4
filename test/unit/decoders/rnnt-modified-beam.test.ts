import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContextGraph } from '../../../asr/decoders/context-graph.js';
import { prefixToTokens } from '../../../asr/decoders/prefix-node.js';
import { createRnntGreedyState, rnntGreedyDecodeChunk } from '../../../asr/decoders/rnnt-greedy.js';
import type { RnntJoiner, RnntJoinerBatch, RnntPredictor } from '../../../asr/decoders/rnnt-model.js';
import {
  createRnntBeamState,
  type RnntBeamOptions,
  rnntBeamBest,
  rnntBeamDecodeChunk,
} from '../../../asr/decoders/rnnt-modified-beam.js';
import { isSpeechError } from '../../../common/errors.js';
import { logMatrix, rejected, splitRows } from './logit-builders.js';

/**
 * A stateful fake prediction network: its state is the token history as a string, so a
 * hyp whose state does not spell its own tokens got another hyp's state.
 */
const historyPredictor: RnntPredictor<string> = async (token, state) => {
  const next = state === null ? '' : state === '' ? `${token}` : `${state},${token}`;
  const len = next === '' ? 0 : next.split(',').length;
  return { out: Float32Array.of(len, token), state: next };
};

/** A joiner whose logits are the encoder frame itself (encoder rows = log-probs). */
const frameJoiner: RnntJoinerBatch = async (enc, decOuts) => decOuts.map(() => enc);

/** A joiner that also depends on the decoder output, so the predictor matters. */
const mixingJoiner: RnntJoiner = async (enc, dec) =>
  Float32Array.from(enc, (x, v) => x + 0.8 * Math.sin(v * 1.3 + dec[0]! * 1.7 + dec[1]! * 0.9));
const mixingBatch: RnntJoinerBatch = async (enc, decOuts) =>
  Promise.all(decOuts.map((d) => mixingJoiner(enc, d)));

type Extra = Partial<RnntBeamOptions<string>>;

async function decode(chunks: Float32Array[], width: number, extra: Extra = {}) {
  const s = createRnntBeamState<string>();
  const opts: RnntBeamOptions<string> = {
    blankId: width - 1,
    vocabSize: width,
    encDim: width,
    joinerBatch: frameJoiner,
    predictor: historyPredictor,
    ...extra,
  };
  for (const c of chunks) await rnntBeamDecodeChunk(s, c, opts);
  return s;
}

function seqs(s: { hyps: { node: Parameters<typeof prefixToTokens>[0] }[] }) {
  return s.hyps.map((h) => prefixToTokens(h.node).tokens);
}

describe('rnntBeamDecodeChunk', () => {
  it('merges hyps with the same tokens by log-add', async () => {
    // Token 0 or blank (1), P(0) = 0.4 on both frames: "0" = 0.24 + 0.24 = 0.48.
    const m = logMatrix([
      [0.4, 0.6],
      [0.4, 0.6],
    ]);
    const s = await decode([m], 2);
    expect(seqs(s)).toEqual([[0], [], [0, 0]]);
    expect(s.hyps.map((h) => h.logProb)).toEqual([
      expect.closeTo(Math.log(0.48), 5),
      expect.closeTo(Math.log(0.36), 5),
      expect.closeTo(Math.log(0.16), 5),
    ]);
    expect(rnntBeamBest(s).tokens).toEqual([0]);
  });

  it('emits at most one symbol per frame and keeps beamSize hyps', async () => {
    const m = logMatrix([[0.3, 0.3, 0.3, 0.1]]);
    const s = await decode([m, m], 4, { beamSize: 2 });
    expect(s.hyps.length).toBe(2);
    for (const h of s.hyps) expect(h.node.length).toBeLessThanOrEqual(2);
  });

  it('scores all hyps of a frame in one batched joiner call', async () => {
    const sizes: number[] = [];
    const joinerBatch: RnntJoinerBatch = async (enc, decOuts) => {
      sizes.push(decOuts.length);
      return decOuts.map(() => enc);
    };
    const m = logMatrix([
      [0.4, 0.3, 0.3],
      [0.4, 0.3, 0.3],
      [0.4, 0.3, 0.3],
    ]);
    await decode([m], 3, { joinerBatch, beamSize: 4 });
    expect(sizes).toEqual([1, 3, 4]);
  });

  it('keeps the prediction-network state with each hyp', async () => {
    const m = logMatrix(Array.from({ length: 6 }, (_, t) => [0.3, 0.25 + 0.02 * t, 0.2, 0.25 - 0.02 * t]));
    const s = await decode([m], 4, { joinerBatch: mixingBatch, beamSize: 4 });
    for (const h of s.hyps) expect(h.predState).toBe(prefixToTokens(h.node).tokens.join(','));
  });

  it('equals greedy search with one symbol per frame when the beam is 1 (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 4, maxLength: 4 }), {
          maxLength: 15,
        }),
        async (rows) => {
          const m = Float32Array.from(rows.flat());
          const beam = rnntBeamBest(await decode([m], 4, { joinerBatch: mixingBatch, beamSize: 1 }));
          const g = createRnntGreedyState<string>();
          await rnntGreedyDecodeChunk(g, m, {
            blankId: 3,
            vocabSize: 4,
            encDim: 4,
            joiner: mixingJoiner,
            predictor: historyPredictor,
            maxSymbolsPerFrame: 1,
          });
          expect(beam.tokens).toEqual(g.tokens);
          expect(beam.frames).toEqual(g.frames);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives the same hyps for any chunking (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 4, maxLength: 4 }), {
          maxLength: 12,
        }),
        fc.array(fc.nat(12), { maxLength: 5 }),
        async (rows, cuts) => {
          const m = Float32Array.from(rows.flat());
          const whole = await decode([m], 4, { joinerBatch: mixingBatch });
          const parts = await decode(splitRows(m, 4, cuts), 4, { joinerBatch: mixingBatch });
          expect(seqs(parts)).toEqual(seqs(whole));
          expect(parts.hyps.map((h) => h.logProb)).toEqual(whole.hyps.map((h) => h.logProb));
          expect(rnntBeamBest(parts).frames).toEqual(rnntBeamBest(whole).frames);
        },
      ),
      { numRuns: 60 },
    );
  });

  describe('hotwords', () => {
    // Tokens 0..3, blank 4. Frame 0: token 1; frame 1: 2 (0.5) narrowly beats 3 (0.4).
    const m = logMatrix([
      [0.02, 0.9, 0.02, 0.02, 0.04],
      [0.05, 0.025, 0.5, 0.4, 0.025],
    ]);

    it('lets a biased phrase win over an acoustically slightly better alternative', async () => {
      expect(rnntBeamBest(await decode([m], 5)).tokens).toEqual([1, 2]);
      const context = ContextGraph.build([{ tokens: [1, 3] }], 1);
      const s = await decode([m], 5, { context });
      expect(rnntBeamBest(s, { context, final: true }).tokens).toEqual([1, 3]);
    });

    it('takes back the bonus when the partial match fails', async () => {
      const context = ContextGraph.build([{ tokens: [1, 3] }], 1);
      const plain = await decode([m], 5);
      const biased = await decode([m], 5, { context });
      const find = (s: typeof plain, seq: number[]) =>
        s.hyps.find((h) => prefixToTokens(h.node).tokens.join() === seq.join())!.logProb;
      // "1 2" started the hotword (+1) and then broke it (-1): no net bonus.
      expect(find(biased, [1, 2])).toBeCloseTo(find(plain, [1, 2]), 6);
      expect(find(biased, [1, 3])).toBeCloseTo(find(plain, [1, 3]) + 2, 6);
    });
  });

  it('fails with a coded error when the batched joiner returns too few rows', async () => {
    const joinerBatch: RnntJoinerBatch = async () => [];
    const e = await rejected(decode([logMatrix([[0.5, 0.5]])], 2, { joinerBatch }));
    expect(isSpeechError(e, 'MODEL_CONTRACT_MISMATCH')).toBe(true);
  });
});
