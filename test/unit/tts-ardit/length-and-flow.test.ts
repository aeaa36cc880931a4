import { describe, expect, it } from 'vitest';
import { eulerTimes, samplePatch, type VelocityFn } from '../../../tts/ardit/flow-sampler.js';
import { phonePositions, planLength, StopRule } from '../../../tts/ardit/length-plan.js';

const defaults = { speed: 1, minRatio: 0.6, maxRatio: 1.5, maxSteps: 1000 };

describe('planLength', () => {
  it('plans from the text length and bounds both ends (as models/py/tts/ardit/test_ardit.py)', () => {
    expect(planLength(10, 6, 4, defaults)).toEqual({ planned: 15, minSteps: 9, maxSteps: 23 });
    expect(planLength(10, 6, 4, { ...defaults, speed: 2 })).toEqual({
      planned: 8,
      minSteps: 5,
      maxSteps: 12,
    });
    expect(planLength(1, 0.1, 4, defaults)).toEqual({ planned: 1, minSteps: 1, maxSteps: 2 });
    expect(planLength(10_000, 6, 4, defaults).maxSteps).toBe(1000);
    expect(planLength(10_000, 6, 4, { ...defaults, maxSteps: 50 })).toEqual({
      planned: 15000,
      minSteps: 50,
      maxSteps: 50,
    });
  });

  it('rejects empty text and nonsense options', () => {
    expect(() => planLength(0, 6, 4, defaults)).toThrow(/at least one phone/);
    expect(() => planLength(3, 6, 4, { ...defaults, speed: 0 })).toThrow(/speed/);
    expect(() => planLength(3, 6, 4, { ...defaults, minRatio: 2 })).toThrow(/minRatio/);
    expect(() => planLength(3, 6, 4, { ...defaults, maxSteps: 0 })).toThrow(/maxSteps/);
  });

  it('spreads phones over the planned patches', () => {
    expect([...phonePositions(4, 10)]).toEqual([1.25, 3.75, 6.25, 8.75]);
  });
});

describe('StopRule', () => {
  it('needs `patience` consecutive positives and at least minSteps patches', () => {
    const rule = new StopRule(0.5, 2, 4);
    expect([1, 2, 3, 4, 5].map((step) => rule.observe(step, 3))).toEqual([false, false, false, true, true]);
    const reset = new StopRule(0.5, 2, 1);
    expect([3, -3, 3, 3].map((logit, i) => reset.observe(i + 1, logit))).toEqual([false, false, false, true]);
  });
});

describe('samplePatch (Euler, optional CFG)', () => {
  it('integrates a constant velocity exactly and a linear one like Euler', async () => {
    const constant: VelocityFn = async (_x, _t, _c, _p, rows) => new Float32Array(rows * 2).fill(0.5);
    const x = await samplePatch(
      constant,
      Float32Array.from([1, -1]),
      new Float32Array(1),
      new Float32Array(2),
      {
        flowSteps: 4,
        cfgScale: 1,
      },
    );
    expect([...x]).toEqual([1.5, -0.5]);
    // v = t: x(1) = x(0) + sum_i t_i dt = 0 + (0 + 0.5) * 0.5
    const linear: VelocityFn = async (_x, t) => Float32Array.from([t[0]!]);
    const y = await samplePatch(linear, new Float32Array(1), new Float32Array(1), new Float32Array(1), {
      flowSteps: 2,
      cfgScale: 1,
    });
    expect(y[0]).toBe(0.25);
    expect(eulerTimes(4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it('guides with a zero-cond second row: v = vu + w (vc - vu)', async () => {
    const seen: { rows: number; cond: number[] }[] = [];
    const velocity: VelocityFn = async (_x, _t, cond, _p, rows) => {
      seen.push({ rows, cond: [...cond] });
      return Float32Array.from([2, 1]); // vc = 2 (row 0), vu = 1 (row 1)
    };
    const x = await samplePatch(velocity, new Float32Array(1), Float32Array.from([7]), new Float32Array(1), {
      flowSteps: 1,
      cfgScale: 3,
    });
    expect(x[0]).toBe(1 + 3 * (2 - 1));
    expect(seen).toEqual([{ rows: 2, cond: [7, 0] }]);
  });
});
