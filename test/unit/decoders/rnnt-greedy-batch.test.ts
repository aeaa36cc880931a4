// The batched greedy search (across streams and frames) against the per-stream,
// per-frame reference `rnntGreedyDecodeChunk`: same tokens, frames and scores for any
// mix of streams, chunk lengths, symbol caps and per-call frame caps.
import { describe, expect, it } from 'vitest';
import { createRnntGreedyState, rnntGreedyDecodeChunk } from '../../../asr/decoders/rnnt-greedy.js';
import { type RnntJoinSpan, rnntGreedyDecodeBatch } from '../../../asr/decoders/rnnt-greedy-batch.js';
import type { RnntPrediction } from '../../../asr/decoders/rnnt-model.js';

const V1 = 6; // tokens 0..4, blank 5
const BLANK = 5;

/** Deterministic pseudo-random logits for (encoder value, decoder value); mostly blank. */
function logitsFor(enc: number, dec: number, out: Float32Array, at: number): void {
  let h = (Math.imul(enc * 2654435761, 1) ^ Math.imul(dec + 7, 40503)) >>> 0;
  for (let v = 0; v < V1; v++) {
    h = Math.imul(h ^ (h >>> 15), 2246822519) >>> 0;
    out[at + v] = (h % 1000) / 250;
  }
  if (h % 10 < 6) out[at + BLANK] = 10; // blank on ~60% of (frame, state) pairs
}

function predict(token: number, state: number | null): RnntPrediction<number> {
  const next = (((state ?? 1) * 31 + token + 3) % 9973) + 1;
  return { out: Float32Array.of(next), state: next };
}

function models(calls: { joiner: number; predictor: number }) {
  return {
    joiner: async (spans: readonly RnntJoinSpan[], maxFrames: number) => {
      calls.joiner++;
      const out = new Float32Array(spans.length * maxFrames * V1).fill(Number.NaN);
      spans.forEach((s, b) => {
        for (let f = 0; f < s.frames; f++) logitsFor(s.enc[f]!, s.dec[0]!, out, (b * maxFrames + f) * V1);
      });
      return out;
    },
    predictor: async (tokens: readonly number[], states: readonly (number | null)[]) => {
      calls.predictor++;
      return tokens.map((t, i) => predict(t, states[i] ?? null));
    },
  };
}

function chunk(stream: number, index: number, frames: number): Float32Array {
  return Float32Array.from({ length: frames }, (_, f) => stream * 100000 + index * 100 + f + 1);
}

describe('rnntGreedyDecodeBatch', () => {
  it.each([
    { maxSymbols: 10, perCall: undefined },
    { maxSymbols: 1, perCall: undefined },
    { maxSymbols: 2, perCall: 1 },
    { maxSymbols: 3, perCall: 3 },
  ])('matches the per-stream search (max symbols $maxSymbols, frames per call $perCall)', async (o) => {
    const streams = 7;
    const lengths = [5, 1, 8, 3, 0, 13, 2];
    const reference = [];
    for (let s = 0; s < streams; s++) {
      const state = createRnntGreedyState<number>();
      for (let c = 0; c < 4; c++) {
        await rnntGreedyDecodeChunk(state, chunk(s, c, (lengths[s]! + c) % 9), {
          blankId: BLANK,
          vocabSize: V1,
          encDim: 1,
          maxSymbolsPerFrame: o.maxSymbols,
          joiner: async (enc, dec) => {
            const out = new Float32Array(V1);
            logitsFor(enc[0]!, dec[0]!, out, 0);
            return out;
          },
          predictor: async (token, state) => predict(token, state),
        });
      }
      reference.push(state);
    }
    const calls = { joiner: 0, predictor: 0 };
    const states = Array.from({ length: streams }, () => createRnntGreedyState<number>());
    for (let c = 0; c < 4; c++) {
      await rnntGreedyDecodeBatch(
        states,
        states.map((_, s) => chunk(s, c, (lengths[s]! + c) % 9)),
        {
          blankId: BLANK,
          vocabSize: V1,
          encDim: 1,
          maxSymbolsPerFrame: o.maxSymbols,
          maxFramesPerCall: o.perCall,
          ...models(calls),
        },
      );
    }
    expect(reference.reduce((n, s) => n + s.tokens.length, 0)).toBeGreaterThan(10);
    states.forEach((s, i) => {
      const r = reference[i]!;
      expect(s.tokens, `stream ${i}`).toEqual(r.tokens);
      expect(s.frames).toEqual(r.frames);
      expect(s.logProbs).toEqual(r.logProbs);
      expect(s.numTrailingBlanks).toBe(r.numTrailingBlanks);
      expect(s.frameOffset).toBe(r.frameOffset);
      expect(s.predState).toBe(r.predState);
    });
  });

  it('costs one joiner call per round, not per frame', async () => {
    const calls = { joiner: 0, predictor: 0 };
    const states = Array.from({ length: 16 }, () => createRnntGreedyState<number>());
    await rnntGreedyDecodeBatch(
      states,
      states.map((_, s) => chunk(s, 0, 10)),
      { blankId: BLANK, vocabSize: V1, encDim: 1, ...models(calls) },
    );
    const maxTokens = Math.max(...states.map((s) => s.tokens.length));
    // One call for the start symbol, then one prediction per round that emitted.
    expect(calls.joiner).toBe(maxTokens + 1);
    expect(calls.predictor).toBeLessThanOrEqual(maxTokens + 1);
  });
});
