import { describe, expect, it } from 'vitest';
import {
  maskedAfterStep,
  maskPredict,
  type PassLogits,
  type PassOptions,
  type StepTrace,
  seedKey,
  topK,
  uniformAt,
} from '../../../tts/maskgct/index.js';

// Pure tests of the decoding loop over hand-built logits (no ONNX).

/** Deterministic pseudo-random logits that change with the state (like a real model). */
function fakeLogits(length: number, vocab: number, salt = 0): PassLogits {
  return async (tokens, masked, guided) => {
    const make = (shift: number) => {
      const out = new Float32Array(length * vocab);
      let h = 2166136261 ^ salt ^ shift;
      for (let r = 0; r < length; r++) h = Math.imul(h ^ (masked[r]! * 31 + tokens[r]!), 16777619);
      for (let i = 0; i < out.length; i++) {
        h = Math.imul(h ^ i, 16777619);
        out[i] = ((h >>> 8) / 2 ** 24) * 4 - 2;
      }
      return out;
    };
    return guided ? { cond: make(0), uncond: make(1), vocab } : { cond: make(0), vocab };
  };
}

const pass: PassOptions = { steps: 8, temperature: 1, topK: 5, cfg: 0, confNoise: 1 };

async function run(
  length: number,
  vocab: number,
  o: PassOptions,
  seed = 1,
  logits = fakeLogits(length, vocab),
): Promise<{ tokens: Int32Array; traces: StepTrace[] }> {
  const traces: StepTrace[] = [];
  const tokens = await maskPredict(logits, length, o, seedKey(seed), 0, (t) => traces.push(t));
  return { tokens, traces };
}

describe('cosine schedule', () => {
  it('masks floor(L cos(pi/2 (i+1)/S)) after step i, commits at least one per step, ends at 0', () => {
    for (const [length, steps] of [
      [30, 12],
      [7, 3],
      [3, 10],
      [1, 1],
      [100, 25],
    ] as const) {
      let now = length;
      for (let i = 0; i < steps; i++) {
        const next = maskedAfterStep(length, steps, i, now);
        const cosine = Math.floor(length * Math.cos((Math.PI / 2) * ((i + 1) / steps)) + 1e-9);
        expect(next).toBe(i === steps - 1 ? 0 : Math.max(0, Math.min(now - 1, cosine)));
        if (now > 0) expect(next).toBeLessThan(now);
        now = next;
      }
      expect(now).toBe(0);
    }
    expect(maskedAfterStep(4, 3, 0, 4)).toBe(3); // floor(4 cos(pi/6)) = 3
    expect(maskedAfterStep(4, 3, 1, 3)).toBe(2); // floor(4 * 0.5 + eps): exact half stays 2
  });
});

describe('maskPredict', () => {
  it('masks the scheduled number of tokens after every step', async () => {
    const { traces } = await run(30, 11, pass);
    let now = 30;
    traces.forEach((t, i) => {
      const masked = t.masked.reduce((a, b) => a + b, 0);
      const predicted = t.chosen.filter((c) => c >= 0).length;
      expect(predicted).toBe(now); // every masked position is sampled, and only those
      now = maskedAfterStep(30, 8, i, now);
      expect(masked).toBe(now);
    });
    expect(now).toBe(0);
  });

  it('never changes a committed token, and the result is each position first commit', async () => {
    const { tokens, traces } = await run(40, 9, { ...pass, steps: 10 });
    const committed = new Map<number, number>();
    for (const t of traces) {
      for (let r = 0; r < 40; r++) {
        if (committed.has(r)) expect(t.chosen[r]).toBe(-1);
        else if (t.masked[r] === 0) committed.set(r, t.chosen[r]!);
      }
    }
    expect([...committed.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect([...tokens]).toEqual(Array.from({ length: 40 }, (_, r) => committed.get(r)));
  });

  it('samples only among the top-k and is greedy at the last step', async () => {
    const length = 12;
    const vocab = 10;
    const logits = fakeLogits(length, vocab, 7);
    const seen: Float32Array[] = [];
    const spy: PassLogits = async (tokens, masked, guided) => {
      const out = await logits(tokens, masked, guided);
      seen.push(out.cond);
      return out;
    };
    const { traces } = await run(length, vocab, { ...pass, steps: 4, topK: 3 }, 5, spy);
    traces.forEach((t, i) => {
      const rows = seen[i]!;
      for (let r = 0; r < length; r++) {
        if (t.chosen[r]! < 0) continue;
        const row = Float64Array.from(rows.subarray(r * vocab, (r + 1) * vocab));
        const allowed = topK(row, i === traces.length - 1 ? 1 : 3);
        expect(allowed).toContain(t.chosen[r]);
      }
    });
    // One step is pure argmax.
    const greedy = await run(length, vocab, { ...pass, steps: 1 }, 5, logits);
    const first = (await logits(new Int32Array(length), new Uint8Array(length).fill(1), false)).cond;
    for (let r = 0; r < length; r++) {
      expect(greedy.tokens[r]).toBe(
        topK(Float64Array.from(first.subarray(r * vocab, (r + 1) * vocab)), 1)[0],
      );
    }
  });

  it('applies classifier-free guidance to logits: l_c + cfg (l_c - l_u)', async () => {
    // cond prefers 0 slightly, uncond prefers 0 strongly: guidance flips the choice to 1.
    const logits: PassLogits = async (_t, _m, guided) => {
      const cond = Float32Array.from({ length: 6 }, (_, i) => [1.0, 0.9, 0][i % 3]!);
      const uncond = Float32Array.from({ length: 6 }, (_, i) => [3.0, 0.0, 0][i % 3]!);
      return guided ? { cond, uncond, vocab: 3 } : { cond, vocab: 3 };
    };
    const o = { ...pass, steps: 1, topK: 3 };
    expect([...(await run(2, 3, o, 1, logits)).tokens]).toEqual([0, 0]);
    expect([...(await run(2, 3, { ...o, cfg: 1 }, 1, logits)).tokens]).toEqual([1, 1]);
  });

  it('is a pure function of the seed and the stream', async () => {
    const a = await run(25, 8, pass, 3);
    const b = await run(25, 8, pass, 3);
    const c = await run(25, 8, pass, 4);
    expect(b.tokens).toEqual(a.tokens);
    expect(c.tokens).not.toEqual(a.tokens);
    // Counter layout: (word >> 2, row, step, stream), lane word & 3.
    expect(uniformAt(seedKey(3), 2, 1, 5, 6)).not.toBe(uniformAt(seedKey(3), 3, 1, 5, 6));
    const u = uniformAt(seedKey(2 ** 40 + 5), 0, 0, 0, 0);
    expect(u).toBeGreaterThan(0);
    expect(u).toBeLessThan(1);
  });

  it('orders top-k by value, ties to the lower id', () => {
    expect(topK(Float64Array.from([0.5, 2, 2, -1, 3]), 3)).toEqual([4, 1, 2]);
    expect(topK(Float64Array.from([1, 1]), 5)).toEqual([0, 1]);
  });
});
