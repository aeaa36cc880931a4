import { describe, expect, it } from 'vitest';
import { ContextGraph } from '../../../asr/decoders/context-graph.js';
import { isSpeechError } from '../../../common/errors.js';
import { thrown } from './logit-builders.js';

/** Feeds tokens one by one; returns the step scores and the final state. */
function walk(g: ContextGraph, tokens: number[], strict = true) {
  let state = g.root;
  const scores: number[] = [];
  const matched: number[] = [];
  for (const t of tokens) {
    const step = g.forwardOneStep(state, t, strict);
    scores.push(step.score);
    matched.push(step.matched);
    state = step.state;
  }
  return { scores, matched, state, total: scores.reduce((a, b) => a + b, 0) };
}

describe('ContextGraph', () => {
  const g = ContextGraph.build([{ tokens: [1, 2, 3], phrase: 'abc' }], 1);

  it('gives a bonus per matched token and takes it all back when the match breaks', () => {
    const r = walk(g, [1, 2, 9]);
    expect(r.scores).toEqual([1, 1, -2]);
    expect(r.state).toBe(g.root);
  });

  it('keeps the bonus of a completed phrase, strict or not', () => {
    const strict = walk(g, [1, 2, 3, 9]);
    expect(strict.total).toBe(3);
    expect(strict.matched[2]).toBeGreaterThan(0);
    expect(g.phraseOf(strict.matched[2]!)).toBe('abc');
    const loose = walk(g, [1, 2, 3, 9], false);
    expect(loose.scores).toEqual([1, 1, 1, 0]);
  });

  it('removes an open partial match on finalisation', () => {
    const r = walk(g, [1, 2]);
    expect(r.total + g.finalizeScore(r.state)).toBe(0);
    const done = walk(g, [1, 2, 3], false);
    expect(g.finalizeScore(done.state) + 0).toBe(0);
  });

  it('falls back along failure links to a phrase that is a suffix of the broken match', () => {
    const ac = ContextGraph.build(
      [
        { tokens: [1, 2, 3], phrase: 'abc' },
        { tokens: [2, 4], phrase: 'bd' },
      ],
      1,
    );
    const r = walk(ac, [1, 2, 4]);
    // After "1 2" (bonus 2) the 4 breaks "abc" but completes "bd" via the suffix "2".
    expect(ac.phraseOf(r.matched[2]!)).toBe('bd');
    expect(r.total).toBe(4); // "bd": 2 token bonuses + its output score 2 in strict mode
    const loose = walk(ac, [1, 2, 4], false);
    expect(loose.total).toBe(2);
    expect(loose.state).toBe(ac.root);
  });

  it('uses per-phrase scores and keeps the larger bonus on a shared prefix', () => {
    const custom = ContextGraph.build(
      [
        { tokens: [5, 6], score: 3 },
        { tokens: [5, 7], score: 0.5 },
      ],
      1,
    );
    expect(walk(custom, [5]).scores).toEqual([3]);
    expect(walk(custom, [5, 7]).scores).toEqual([3, 0.5 + 3.5]);
    expect(custom.nextTokens(walk(custom, [5]).state)).toEqual([6, 7]);
  });

  it('rejects empty phrases and bad token ids', () => {
    expect(
      isSpeechError(
        thrown(() => ContextGraph.build([{ tokens: [] }])),
        'CONFIG_INVALID',
      ),
    ).toBe(true);
    expect(
      isSpeechError(
        thrown(() => ContextGraph.build([{ tokens: [-1] }])),
        'CONFIG_INVALID',
      ),
    ).toBe(true);
  });
});
