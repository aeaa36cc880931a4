import { describe, expect, it } from 'vitest';
import { paraformerGreedyDecode } from '../../../asr/decoders/paraformer-greedy.js';
import { isSpeechError } from '../../../common/errors.js';
import { logMatrix, peakyMatrix, thrown } from './logit-builders.js';

const V = 10; // FunASR layout: 0 <blank>, 1 <s>, 2 </s>
const EOS = 2;

describe('paraformerGreedyDecode', () => {
  it('stops at the first </s> and reports positions and log-probs', () => {
    const r = paraformerGreedyDecode(peakyMatrix([5, 7, EOS, 9], V, 0.8), { vocabSize: V, eosId: EOS });
    expect(r.tokens).toEqual([5, 7]);
    expect(r.frames).toEqual([0, 1]);
    expect(r.logProbs[0]).toBeCloseTo(Math.log(0.8), 6);
    expect(r.tokenNumTokens).toBeUndefined();
    expect(r.tokenNumMismatch).toBe(false);
  });

  it('drops blank and decodes every position when there is no </s>', () => {
    const r = paraformerGreedyDecode(peakyMatrix([5, 0, 7], V), { vocabSize: V, eosId: EOS });
    expect(r.tokens).toEqual([5, 7]);
    expect(r.frames).toEqual([0, 2]);
  });

  it('agrees with FunASR when token_num - predictor_bias counts the same tokens', () => {
    const r = paraformerGreedyDecode(peakyMatrix([5, 7, EOS], V), {
      vocabSize: V,
      eosId: EOS,
      tokenNum: 3,
      predictorBias: 1,
    });
    expect(r.tokenNumTokens).toEqual([5, 7]);
    expect(r.tokenNumMismatch).toBe(false);
  });

  it('flags a disagreement between </s> and token_num', () => {
    const longer = paraformerGreedyDecode(peakyMatrix([5, 7, EOS, 9], V), {
      vocabSize: V,
      eosId: EOS,
      tokenNum: 4,
      predictorBias: 1,
    });
    expect(longer.tokens).toEqual([5, 7]);
    expect(longer.tokenNumTokens).toEqual([5, 7, 9]);
    expect(longer.tokenNumMismatch).toBe(true);
    const shorter = paraformerGreedyDecode(peakyMatrix([5, 7, 8, EOS], V), {
      vocabSize: V,
      eosId: EOS,
      tokenNum: 2,
    });
    expect(shorter.tokenNumTokens).toEqual([5, 7]);
    expect(shorter.tokenNumMismatch).toBe(true);
  });

  it('breaks ties towards the lowest id', () => {
    const row = new Array(V).fill(0.5 / (V - 2));
    row[4] = 0.25;
    row[6] = 0.25;
    const r = paraformerGreedyDecode(logMatrix([row]), { vocabSize: V, eosId: EOS });
    expect(r.tokens).toEqual([4]);
  });

  it('rejects an eos id outside the vocabulary and a negative token_num', () => {
    const m = peakyMatrix([5], V);
    expect(
      isSpeechError(
        thrown(() => paraformerGreedyDecode(m, { vocabSize: V, eosId: V })),
        'MODEL_TOKENS_INVALID',
      ),
    ).toBe(true);
    expect(
      isSpeechError(
        thrown(() => paraformerGreedyDecode(m, { vocabSize: V, eosId: EOS, tokenNum: -1 })),
        'MODEL_CONTRACT_MISMATCH',
      ),
    ).toBe(true);
  });
});
