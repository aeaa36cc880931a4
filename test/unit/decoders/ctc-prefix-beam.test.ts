import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContextGraph } from '../../../asr/decoders/context-graph.js';
import { createCtcGreedyState, ctcGreedyDecodeChunk } from '../../../asr/decoders/ctc-greedy.js';
import {
  type CtcPrefixBeamOptions,
  createCtcPrefixBeamState,
  ctcHypScore,
  ctcPrefixBeamBest,
  ctcPrefixBeamDecodeChunk,
} from '../../../asr/decoders/ctc-prefix-beam.js';
import { prefixToTokens } from '../../../asr/decoders/prefix-node.js';
import { isSpeechError } from '../../../common/errors.js';
import { logMatrix, peakyMatrix, splitRows, thrown } from './logit-builders.js';

const V = 5;
const BLANK = 4;

function decode(chunks: Float32Array[], extra: Partial<CtcPrefixBeamOptions> = {}) {
  const s = createCtcPrefixBeamState();
  const opts = { blankId: BLANK, vocabSize: V, ...extra };
  for (const c of chunks) ctcPrefixBeamDecodeChunk(s, c, opts);
  return s;
}

describe('ctcPrefixBeamDecodeChunk', () => {
  it('sums alignments: a prefix whose paths add up beats the single best path', () => {
    // Two frames, P(a) = 0.4, P(blank) = 0.6 each. Greedy says "" (0.36); the prefix
    // "a" has paths a-, -a, aa: 0.24 + 0.24 + 0.16 = 0.64.
    const m = logMatrix([
      [0.4, 0, 0, 0, 0.6],
      [0.4, 0, 0, 0, 0.6],
    ]);
    const s = decode([m], { beamSize: 3 });
    expect(ctcPrefixBeamBest(s).tokens).toEqual([0]);
    expect(ctcHypScore(s.hyps[0]!)).toBeCloseTo(Math.log(0.64), 5);
    expect(prefixToTokens(s.hyps[1]!.node).tokens).toEqual([]);
    expect(ctcHypScore(s.hyps[1]!)).toBeCloseTo(Math.log(0.36), 5);
    const g = createCtcGreedyState();
    ctcGreedyDecodeChunk(g, m, { blankId: BLANK, vocabSize: V });
    expect(g.tokens).toEqual([]);
  });

  it('keeps repeated tokens apart only when a blank separates them', () => {
    expect(ctcPrefixBeamBest(decode([peakyMatrix([1, BLANK, 1], V, 0.95)])).tokens).toEqual([1, 1]);
    expect(ctcPrefixBeamBest(decode([peakyMatrix([1, 1, 1], V, 0.95)])).tokens).toEqual([1]);
    const best = ctcPrefixBeamBest(decode([peakyMatrix([BLANK, 2, BLANK, 2, 3], V, 0.95)]));
    expect(best.tokens).toEqual([2, 2, 3]);
    expect(best.frames).toEqual([1, 3, 4]);
  });

  it('returns the empty prefix on all-blank input', () => {
    const s = decode([peakyMatrix([BLANK, BLANK, BLANK], V)]);
    expect(ctcPrefixBeamBest(s).tokens).toEqual([]);
    expect(s.numTrailingBlanks).toBe(3);
  });

  it('never keeps more than beamSize prefixes', () => {
    const flat = logMatrix(Array.from({ length: 4 }, () => [0.2, 0.2, 0.2, 0.2, 0.2]));
    const s = decode([flat], { beamSize: 3, tokenTopK: 5 });
    expect(s.hyps.length).toBe(3);
  });

  it('agrees with greedy search when the beam is 1 (property, peaky frames)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: V - 1 }), { maxLength: 30 }), (labels) => {
        const m = peakyMatrix(labels, V, 0.8);
        const g = createCtcGreedyState();
        ctcGreedyDecodeChunk(g, m, { blankId: BLANK, vocabSize: V });
        const b = ctcPrefixBeamBest(decode([m], { beamSize: 1 }));
        expect(b.tokens).toEqual(g.tokens);
        expect(b.frames).toEqual(g.frames);
      }),
    );
  });

  it('gives the same beam for any chunking (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: V, maxLength: V }), {
          maxLength: 20,
        }),
        fc.array(fc.nat(20), { maxLength: 6 }),
        (raw, cuts) => {
          const m = logMatrix(raw.map((r) => r.map((x) => x / r.reduce((a, b) => a + b, 0))));
          const whole = decode([m], { beamSize: 3 });
          const parts = decode(splitRows(m, V, cuts), { beamSize: 3 });
          expect(parts.hyps.map((h) => prefixToTokens(h.node))).toEqual(
            whole.hyps.map((h) => prefixToTokens(h.node)),
          );
          expect(parts.hyps.map(ctcHypScore)).toEqual(whole.hyps.map(ctcHypScore));
        },
      ),
    );
  });

  describe('hotwords', () => {
    // Token 1 clearly, then 2 (0.5) narrowly beats 3 (0.4).
    const m = logMatrix([
      [0.02, 0.9, 0.02, 0.02, 0.04],
      [0.02, 0.02, 0.02, 0.02, 0.92],
      [0.05, 0.025, 0.5, 0.4, 0.025],
    ]);

    it('lets a biased phrase win over an acoustically slightly better alternative', () => {
      expect(ctcPrefixBeamBest(decode([m])).tokens).toEqual([1, 2]);
      const context = ContextGraph.build([{ tokens: [1, 3] }], 1);
      const s = decode([m], { context });
      expect(ctcPrefixBeamBest(s, { context, final: true }).tokens).toEqual([1, 3]);
    });

    it('takes back the bonus of a partial match that fails', () => {
      const context = ContextGraph.build([{ tokens: [1, 3] }], 1);
      const s = decode([peakyMatrix([1, BLANK, 2], V, 0.95)], { context });
      const best = s.hyps[0]!;
      expect(prefixToTokens(best.node).tokens).toEqual([1, 2]);
      expect(best.node.contextScore).toBe(0);
      expect(best.node.parent!.contextScore).toBe(1);
    });

    it('drops an open partial match at finalisation', () => {
      // One frame: 2 is more likely than 1, but 1 starts the hotword "1 3".
      const one = logMatrix([[0.01, 0.45, 0.53, 0.005, 0.005]]);
      const context = ContextGraph.build([{ tokens: [1, 3] }], 1);
      const s = decode([one], { context });
      expect(ctcPrefixBeamBest(s, { context }).tokens).toEqual([1]);
      expect(ctcPrefixBeamBest(s, { context, final: true }).tokens).toEqual([2]);
    });

    it('tries hotword continuations even outside the per-frame top-k', () => {
      // Token 3 is never in the frame's top-1, yet the started phrase "1 3" can finish.
      const context = ContextGraph.build([{ tokens: [1, 3] }], 3);
      const s = decode([m], { context, beamSize: 2, tokenTopK: 1 });
      expect(ctcPrefixBeamBest(s, { context, final: true }).tokens).toEqual([1, 3]);
    });
  });

  it('rejects a zero beam', () => {
    const e = thrown(() => decode([peakyMatrix([1], V)], { beamSize: 0 }));
    expect(isSpeechError(e, 'CONFIG_INVALID')).toBe(true);
  });
});
