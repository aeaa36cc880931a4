// The Identity graph built in code (identity-model.ts) is a model onnxruntime loads and
// runs: what reads tensors kept in GPU memory back to the host (device-download.ts).
import { describe, expect, it } from 'vitest';
import { DeviceDownload } from '../../../models/runtime/device-download.js';
import { identityModelBytes } from '../../../models/runtime/identity-model.js';
import { createIdentitySession } from '../../../models/runtime/session.js';
import { float32Tensor, int64Data, int64Tensor } from '../../../models/runtime/tensor.js';

describe('identity model', () => {
  it('is a graph onnxruntime runs, returning its input for any shape of the rank', async () => {
    const f = await createIdentitySession('cpu', 'float32', 4);
    const i = await createIdentitySession('cpu', 'int64', 1);
    try {
      expect(f.inputNames).toEqual(['x']);
      expect(f.outputNames).toEqual(['y']);
      for (const dims of [
        [1, 2, 3, 4],
        [3, 1, 5, 2],
      ]) {
        const n = dims.reduce((a, b) => a * b, 1);
        const data = Float32Array.from({ length: n }, (_, k) => Math.sin(k) * 100);
        const { y } = await f.run({ x: float32Tensor(data, dims) });
        expect(y!.dims).toEqual(dims);
        expect(y!.data).toEqual(data);
      }
      const { y } = await i.run({ x: int64Tensor([5n, -7n, 2n ** 40n], [3]) });
      expect([...int64Data(y!)]).toEqual([5n, -7n, 2n ** 40n]);
    } finally {
      await f.release();
      await i.release();
    }
  });

  it('declares the rank it was built for', async () => {
    const s = await createIdentitySession('cpu', 'float32', 2);
    try {
      expect(s.inputs[0]!.dims).toEqual(['d0', 'd1']);
      await expect(s.run({ x: float32Tensor([1, 2, 3], [3]) })).rejects.toMatchObject({
        code: 'MODEL_FEED_INVALID',
      });
    } finally {
      await s.release();
    }
  });

  it('encodes the same bytes every time (a pure function of dtype and rank)', () => {
    expect(identityModelBytes('float32', 4)).toEqual(identityModelBytes('float32', 4));
    expect(identityModelBytes('float32', 4)).not.toEqual(identityModelBytes('float32', 3));
  });

  it('DeviceDownload passes host tensors through without a session', async () => {
    const d = new DeviceDownload('cpu');
    const data = Float32Array.from([1, 2, 3]);
    expect(await d.float32(float32Tensor(data, [3]))).toBe(data);
    await d.release();
    await expect(d.float32(float32Tensor(data, [3]))).resolves.toBe(data);
  });
});
