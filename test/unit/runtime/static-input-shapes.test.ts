// The static-shape copy of a graph (models/runtime/static-input-shapes.ts): only the named
// inputs' shapes change, the rest of the file is byte for byte the same, onnxruntime opens
// it and computes what the original computes, and shapes that do not fit are refused.
import { readFileSync } from 'node:fs';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { isSpeechError } from '../../../common/errors.js';
import { parseOnnxModelInfo } from '../../../models/runtime/onnx-metadata.js';
import { bufferSource } from '../../../models/runtime/protobuf-walker.js';
import { withStaticInputShapes } from '../../../models/runtime/static-input-shapes.js';
import { mulberry32 } from '../../helpers/prng.js';
import { encodeModel } from './helpers/onnx-bytes.js';

const encoderPath = 'test/fixtures/zoo/nemo-streaming-hybrid/encoder.onnx';
const info = (bytes: Uint8Array) => parseOnnxModelInfo(bufferSource(bytes), 'test');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isSpeechError(err) ? err.code : `not coded: ${String(err)}`;
  }
  return undefined;
}

describe('withStaticInputShapes', () => {
  it('fixes the named inputs and leaves every other input, output and metadata entry as it was', async () => {
    const model = encodeModel({
      inputs: [
        { name: 'x', dims: ['batch', 80, 'time'] },
        { name: 'len', dtype: 'int64', dims: ['batch'] },
        { name: 'other', dims: ['n', 3] },
      ],
      outputs: [{ name: 'y', dims: ['batch', 'frames', 12] }],
      metadata: { window_size: '25', comment: 'kept' },
      weightBytes: 4096,
    });
    const fixed = withStaticInputShapes(model, { x: [1, 80, 25], len: [1] });
    const before = await info(model);
    const after = await info(fixed);
    expect(after.inputs).toEqual([
      { name: 'x', dtype: 'float32', dims: [1, 80, 25] },
      { name: 'len', dtype: 'int64', dims: [1] },
      { name: 'other', dtype: 'float32', dims: ['n', 3] },
    ]);
    expect(after.outputs).toEqual(before.outputs);
    expect(after.metadata.get('comment')).toBe('kept');
    expect(after.metadata.get('window_size')).toBe('25');
    expect(after.opsets).toEqual(before.opsets);
    // The weights are copied, not re-encoded: the file grows or shrinks by a few bytes only.
    expect(Math.abs(fixed.length - model.length)).toBeLessThan(64);
  });

  it('refuses a shape of another rank, a clash with a static dim, an unknown input and a bad dim', () => {
    const model = encodeModel({ inputs: [{ name: 'x', dims: ['batch', 80, 'time'] }] });
    expect(codeOf(() => withStaticInputShapes(model, { x: [1, 80] }))).toBe('MODEL_CONTRACT_MISMATCH');
    expect(codeOf(() => withStaticInputShapes(model, { x: [1, 81, 25] }))).toBe('MODEL_CONTRACT_MISMATCH');
    expect(codeOf(() => withStaticInputShapes(model, { y: [1] }))).toBe('MODEL_CONTRACT_MISMATCH');
    expect(codeOf(() => withStaticInputShapes(model, { x: [0, 80, 25] }))).toBe('INTERNAL');
    expect(codeOf(() => withStaticInputShapes(model.subarray(0, model.length - 3), { x: [1, 80, 25] }))).toBe(
      'MODEL_BAD_ONNX',
    );
  });

  it('a real encoder opened from the copy computes what the original computes at that shape', async () => {
    const bytes = new Uint8Array(readFileSync(encoderPath));
    const original = await InferenceSession.create(encoderPath, { intraOpNumThreads: 1 });
    const meta = await info(bytes);
    const dims = meta.inputs.map((input) =>
      (input.dims ?? []).map((d) => {
        if (typeof d === 'number') return d;
        return 1; // batch; the other symbolic dims are set below
      }),
    );
    // [B, F, T] features, [B] length, channel cache, time cache, [B] cache length
    const window = meta.metadata.int('window_size');
    dims[0] = [1, dims[0]![1]!, window];
    dims[2] = [
      1,
      meta.metadata.int('cache_last_channel_dim1'),
      meta.metadata.int('cache_last_channel_dim2'),
      meta.metadata.int('cache_last_channel_dim3'),
    ];
    dims[3] = [
      1,
      meta.metadata.int('cache_last_time_dim1'),
      meta.metadata.int('cache_last_time_dim2'),
      meta.metadata.int('cache_last_time_dim3'),
    ];
    const shapes = Object.fromEntries(meta.inputs.map((input, i) => [input.name, dims[i]!]));
    const fixed = await InferenceSession.create(withStaticInputShapes(bytes, shapes), {
      intraOpNumThreads: 1,
    });
    expect(fixed.inputMetadata.map((m) => (m.isTensor ? m.shape : []))).toEqual(
      meta.inputs.map((m) => shapes[m.name]),
    );
    const rand = mulberry32(7);
    const feeds: Record<string, Tensor> = {};
    meta.inputs.forEach((input, i) => {
      const shape = shapes[input.name]!;
      const n = shape.reduce((a, b) => a * b, 1);
      feeds[input.name] =
        input.dtype === 'int64'
          ? new Tensor(
              'int64',
              BigInt64Array.from({ length: n }, () => BigInt(i === 1 ? window : 3)),
              shape,
            )
          : new Tensor(
              'float32',
              Float32Array.from({ length: n }, () => rand() * 2 - 1),
              shape,
            );
    });
    const a = await original.run(feeds);
    const b = await fixed.run(feeds);
    for (const name of original.outputNames) {
      const x = a[name]!.data as Float32Array | BigInt64Array;
      const y = b[name]!.data as Float32Array | BigInt64Array;
      expect(b[name]!.dims, name).toEqual(a[name]!.dims);
      if (x instanceof BigInt64Array) {
        expect([...(y as BigInt64Array)], name).toEqual([...x]);
        continue;
      }
      let worst = 0;
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - (y as Float32Array)[i]!));
      expect(worst, name).toBeLessThan(1e-4);
    }
    await original.release();
    await fixed.release();
  });
});
