import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, type ModelSession } from '../../../models/runtime/session.js';
import {
  float32Data,
  float32Tensor,
  int32Data,
  int32Tensor,
  int64Data,
  int64Tensor,
  type ModelTensor,
} from '../../../models/runtime/tensor.js';

const fixture = (name: string) => join('test/fixtures/onnx', name);

let mixed: ModelSession;
let tmp: string;
beforeAll(async () => {
  mixed = await createSession(fixture('mixed-io.onnx'), { intraOpThreads: 1 });
  tmp = await mkdtemp(join(tmpdir(), 'session-'));
});
afterAll(async () => {
  await mixed.release();
  await rm(tmp, { recursive: true, force: true });
});

function mixedFeeds(batch: number, frames: number): Record<string, ModelTensor> {
  return {
    features: float32Tensor(
      Array.from({ length: batch * 4 * frames }, (_, i) => i / 2),
      [batch, 4, frames],
    ),
    lengths: int64Tensor(
      Array.from({ length: batch }, (_, i) => 10 + i),
      [batch],
    ),
    tokens: int32Tensor(
      Array.from({ length: batch * 2 }, (_, i) => i),
      [batch, 2],
    ),
  };
}

describe('createSession', () => {
  it('exposes the provider, inputs and outputs in graph order', () => {
    expect(mixed.provider).toBe('cpu');
    expect(mixed.skipped).toEqual([]);
    expect(mixed.label).toBe('mixed-io.onnx');
    expect(mixed.inputNames).toEqual(['features', 'lengths', 'tokens']);
    expect(mixed.outputNames).toEqual(['scaled', 'lengths_plus_one', 'token_sum']);
    expect(mixed.inputs[0]).toEqual({ name: 'features', dtype: 'float32', dims: ['B', 4, 'T'] });
  });

  it('MODEL_NOT_FOUND for a missing file, MODEL_BAD_ONNX for garbage or a directory', async () => {
    await expect(createSession(join(tmp, 'missing.onnx'))).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    const junk = join(tmp, 'junk.onnx');
    await writeFile(junk, 'not a model');
    await expect(createSession(junk, { label: 'junk' })).rejects.toMatchObject({
      code: 'MODEL_BAD_ONNX',
      details: { provider: 'cpu' },
    });
    await expect(createSession(tmp)).rejects.toMatchObject({ code: 'MODEL_BAD_ONNX' });
  });

  it('CONFIG_INVALID for bad thread counts or levels, PROVIDER_UNKNOWN for a bad provider', async () => {
    const path = fixture('mixed-io.onnx');
    await expect(createSession(path, { intraOpThreads: -1 })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    await expect(createSession(path, { interOpThreads: 1.5 })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    await expect(createSession(path, { graphOptimization: 'max' as never })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    await expect(createSession(path, { logSeverity: 'loud' as never })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    await expect(createSession(path, { provider: 'metal' as never })).rejects.toMatchObject({
      code: 'PROVIDER_UNKNOWN',
    });
  });

  it('accepts every documented option', async () => {
    const s = await createSession(fixture('mixed-io.onnx'), {
      provider: 'cpu',
      intraOpThreads: 1,
      interOpThreads: 2,
      graphOptimization: 'basic',
      logSeverity: 'fatal',
      enableCpuMemArena: false,
      label: 'tuned',
    });
    const out = await s.run(mixedFeeds(1, 2));
    expect(int64Data(out.lengths_plus_one!)[0]).toBe(11n);
    await s.release();
  });
});

describe('run', () => {
  it('computes every output with float32, int64 and int32 feeds', async () => {
    const feeds = mixedFeeds(2, 3);
    const out = await mixed.run(feeds);
    const features = float32Data(feeds.features!);
    expect(Array.from(float32Data(out.scaled!))).toEqual(Array.from(features, (v) => v * 2));
    expect(Array.from(int64Data(out.lengths_plus_one!))).toEqual([11n, 12n]);
    expect(Array.from(int32Data(out.token_sum!))).toEqual([0 + 1, 2 + 3]);
    expect(out.scaled!.dims).toEqual([2, 4, 3]);
  });

  it('runs by position with exporter-style names and returns outputs in graph order', async () => {
    const s = await createSession(fixture('positional.onnx'));
    try {
      expect(s.inputNames).toEqual(['states.1', 'onnx::LSTM_3']);
      expect(s.outputNames).toEqual(['74', 'states']);
      const h = float32Tensor([1, 2, 3, 4, 5, 6], [1, 2, 3]);
      const c = float32Tensor([10, 20, 30], [1, 1, 3]);
      const [sum, states] = await s.runPositional([h, c]);
      expect(Array.from(float32Data(sum!))).toEqual([11, 22, 33, 14, 25, 36]);
      expect(Array.from(float32Data(states!))).toEqual([1, 2, 3, 4, 5, 6]);
      await expect(s.runPositional([h])).rejects.toMatchObject({
        code: 'MODEL_FEED_INVALID',
        details: { expected: 2, actual: 1 },
      });
    } finally {
      await s.release();
    }
  });

  it('serialises concurrent runs on one session and keeps each result with its feeds', async () => {
    const batches = [1, 2, 3, 4].map((b) => mixedFeeds(b, b + 1));
    const outs = await Promise.all(batches.map((f) => mixed.run(f)));
    outs.forEach((out, i) => {
      const b = i + 1;
      expect(out.scaled!.dims).toEqual([b, 4, b + 1]);
      expect(Array.from(int64Data(out.lengths_plus_one!))).toEqual(
        Array.from({ length: b }, (_, j) => BigInt(11 + j)),
      );
    });
  });
});

describe('feed checks (MODEL_FEED_INVALID)', () => {
  const cases: [string, (f: Record<string, ModelTensor>) => void, RegExp][] = [
    ['a missing input', (f) => delete f.tokens, /input 'tokens' is missing \(expected int32\[B,2\]\)/],
    [
      'an unknown input',
      (f) => (f.extra = float32Tensor([1], [1])),
      /unknown input 'extra'.*float32\[B,4,T\]/,
    ],
    [
      'a wrong dtype',
      (f) => (f.lengths = int32Tensor([1], [1])),
      /'lengths' expects int64\[B\], got int32\[1\] \(wrong dtype\)/,
    ],
    [
      'a wrong rank',
      (f) => (f.tokens = int32Tensor([1, 2], [2])),
      /'tokens' expects int32\[B,2\], got int32\[2\] \(wrong rank\)/,
    ],
    [
      'a wrong static dim',
      (f) => (f.features = float32Tensor(new Float32Array(6), [1, 3, 2])),
      /'features' expects float32\[B,4,T\], got float32\[1,3,2\] \(dim 1 must be 4\)/,
    ],
    [
      'something that is not a tensor',
      (f) => (f.tokens = [1, 2] as unknown as ModelTensor),
      /'tokens' is not a tensor/,
    ],
  ];

  it.each(cases)('rejects %s, naming the input and both shapes', async (_what, mutate, message) => {
    const feeds = mixedFeeds(1, 2);
    mutate(feeds);
    const run = mixed.run(feeds);
    await expect(run).rejects.toMatchObject({ code: 'MODEL_FEED_INVALID' });
    await expect(mixed.run(feeds)).rejects.toThrow(message);
  });

  it('lets a symbolic dim take different sizes in different inputs (onnxruntime decides)', async () => {
    const feeds = mixedFeeds(1, 2);
    feeds.lengths = int64Tensor([1, 2], [2]);
    const out = await mixed.run(feeds);
    expect(Array.from(int64Data(out.lengths_plus_one!))).toEqual([2n, 3n]);
  });

  it('puts expected and actual shapes in the details', async () => {
    const feeds = mixedFeeds(1, 2);
    feeds.features = float32Tensor(new Float32Array(6), [1, 3, 2]);
    await expect(mixed.run(feeds)).rejects.toMatchObject({
      details: {
        model: 'mixed-io.onnx',
        input: 'features',
        expected: 'float32[B,4,T]',
        actual: 'float32[1,3,2]',
      },
    });
  });
});

describe('run failures and release', () => {
  it('wraps an onnxruntime error as MODEL_RUN_FAILED listing every fed input', async () => {
    const s = await createSession(fixture('broadcast-add.onnx'), { logSeverity: 'fatal' });
    try {
      const ok = await s.run({ a: float32Tensor([1, 2], [2]), b: float32Tensor([10], [1]) });
      expect(Array.from(float32Data(ok.sum!))).toEqual([11, 12]);
      const failed = s.run({ a: float32Tensor([1, 2, 3], [3]), b: float32Tensor([1, 2], [2]) });
      await expect(failed).rejects.toMatchObject({
        code: 'MODEL_RUN_FAILED',
        details: {
          model: 'broadcast-add.onnx',
          provider: 'cpu',
          inputs: [
            { name: 'a', dtype: 'float32', dims: [3] },
            { name: 'b', dtype: 'float32', dims: [2] },
          ],
        },
      });
      await expect(
        s.run({ a: float32Tensor([1, 2, 3], [3]), b: float32Tensor([1, 2], [2]) }),
      ).rejects.toThrow(
        /broadcast-add\.onnx: onnxruntime failed \(.*\); inputs were a: float32\[3\], b: float32\[2\]/,
      );
    } finally {
      await s.release();
    }
  });

  it('release() is idempotent and run() afterwards is MODEL_RELEASED', async () => {
    const s = await createSession(fixture('positional.onnx'));
    const first = s.release();
    expect(s.released).toBe(true);
    expect(s.release()).toBe(first);
    await first;
    await s.release();
    const h = float32Tensor([1, 2, 3], [1, 1, 3]);
    await expect(s.runPositional([h, h])).rejects.toMatchObject({ code: 'MODEL_RELEASED' });
  });

  it('release() waits for runs already started, which still succeed', async () => {
    const s = await createSession(fixture('mixed-io.onnx'));
    const running = s.run(mixedFeeds(2, 2));
    const released = s.release();
    const out = await running;
    expect(Array.from(int64Data(out.lengths_plus_one!))).toEqual([11n, 12n]);
    await released;
    await expect(s.run(mixedFeeds(1, 1))).rejects.toMatchObject({ code: 'MODEL_RELEASED' });
  });
});
