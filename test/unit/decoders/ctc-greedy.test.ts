import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createCtcGreedyState,
  ctcGreedyDecodeChunk,
  resetCtcGreedyState,
} from '../../../asr/decoders/ctc-greedy.js';
import { isSpeechError } from '../../../common/errors.js';
import { argmaxPath, collapse, logMatrix, peakyMatrix, splitRows, thrown } from './logit-builders.js';

const V = 4;
const BLANK = 3;
const opts = { blankId: BLANK, vocabSize: V };

function decodeAll(chunks: Float32Array[]) {
  const s = createCtcGreedyState();
  for (const c of chunks) ctcGreedyDecodeChunk(s, c, opts);
  return s;
}

describe('ctcGreedyDecodeChunk', () => {
  it('merges repeats, drops blanks, and keeps a token repeated across a blank', () => {
    const s = decodeAll([peakyMatrix([BLANK, 0, 0, BLANK, 0, 2, 2, BLANK], V)]);
    expect(s.tokens).toEqual([0, 0, 2]);
    expect(s.frames).toEqual([1, 4, 5]);
    expect(s.numTrailingBlanks).toBe(1);
    expect(s.frameOffset).toBe(8);
  });

  it('emits nothing on all-blank input and counts every frame as trailing blank', () => {
    const s = decodeAll([peakyMatrix([BLANK, BLANK, BLANK, BLANK, BLANK], V)]);
    expect(s.tokens).toEqual([]);
    expect(s.numTrailingBlanks).toBe(5);
  });

  it('breaks exact ties towards the lowest id, like std::max_element', () => {
    const tie = logMatrix([[0.4, 0.1, 0.4, 0.1]]);
    expect(decodeAll([tie]).tokens).toEqual([0]);
  });

  it('scores a token by the best frame of its run', () => {
    const m = logMatrix([
      [0.6, 0.1, 0.1, 0.2],
      [0.9, 0.03, 0.03, 0.04],
      [0.7, 0.1, 0.1, 0.1],
    ]);
    const s = decodeAll([m]);
    expect(s.tokens).toEqual([0]);
    expect(s.logProbs[0]).toBeCloseTo(Math.log(0.9), 6);
  });

  it('treats a repeat split between two chunks as one token, and blank-separated ones as two', () => {
    const joined = decodeAll(splitRows(peakyMatrix([1, 1, 1], V), V, [1, 2]));
    expect(joined.tokens).toEqual([1]);
    const separate = decodeAll(splitRows(peakyMatrix([1, BLANK, 1], V), V, [1, 2]));
    expect(separate.tokens).toEqual([1, 1]);
    expect(separate.frames).toEqual([0, 2]);
  });

  it('gives the same result for any chunking (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: V - 1 }), { minLength: 0, maxLength: 40 }),
        fc.array(fc.nat(40), { maxLength: 8 }),
        (labels, cuts) => {
          const m = peakyMatrix(labels, V, 0.7);
          const whole = decodeAll([m]);
          const parts = decodeAll([new Float32Array(0), ...splitRows(m, V, cuts)]);
          expect(parts.tokens).toEqual(whole.tokens);
          expect(parts.frames).toEqual(whole.frames);
          expect(parts.logProbs).toEqual(whole.logProbs);
          expect(parts.numTrailingBlanks).toBe(whole.numTrailingBlanks);
          expect(whole.tokens).toEqual(collapse(argmaxPath(m, V), BLANK));
        },
      ),
    );
  });

  it('restarts frames after reset', () => {
    const s = decodeAll([peakyMatrix([0, BLANK], V)]);
    resetCtcGreedyState(s);
    ctcGreedyDecodeChunk(s, peakyMatrix([BLANK, 0], V), opts);
    expect(s.tokens).toEqual([0]);
    expect(s.frames).toEqual([1]);
  });

  it('rejects a tensor that is not whole rows, and a blank id outside the row', () => {
    const s = createCtcGreedyState();
    const shape = thrown(() => ctcGreedyDecodeChunk(s, new Float32Array(7), opts));
    expect(isSpeechError(shape, 'MODEL_CONTRACT_MISMATCH')).toBe(true);
    const blank = thrown(() => ctcGreedyDecodeChunk(s, new Float32Array(8), { blankId: 4, vocabSize: V }));
    expect(isSpeechError(blank, 'MODEL_TOKENS_INVALID')).toBe(true);
  });
});
