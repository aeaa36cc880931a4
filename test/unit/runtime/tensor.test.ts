import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  concatAxis0,
  describeTensor,
  float32Data,
  float32Tensor,
  int32Data,
  int32Tensor,
  int64Data,
  int64Tensor,
  splitAxis0,
  zerosTensor,
} from '../../../models/runtime/tensor.js';

describe('tensor constructors', () => {
  it('build typed tensors from arrays and typed arrays', () => {
    const f = float32Tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(f.type).toBe('float32');
    expect(f.dims).toEqual([2, 3]);
    expect(float32Data(f)).toEqual(Float32Array.from([1, 2, 3, 4, 5, 6]));
    const i64 = int64Tensor([3, 2n], [2]);
    expect(int64Data(i64)).toEqual(BigInt64Array.from([3n, 2n]));
    const i32 = int32Tensor(Int32Array.from([7]), [1]);
    expect(int32Data(i32)[0]).toBe(7);
    expect(describeTensor(zerosTensor('int64', [1, 0]))).toBe('int64[1,0]');
    expect(float32Data(zerosTensor('float32', [2, 2]))).toEqual(new Float32Array(4));
  });

  it('reject data that does not fit the dims, bad dims and out-of-range values', () => {
    const feed = expect.objectContaining({ code: 'MODEL_FEED_INVALID' });
    expect(() => float32Tensor([1, 2, 3], [2, 2])).toThrow(feed);
    expect(() => float32Tensor([1, 2, 3], [2, 2])).toThrow(/3 elements but dims \[2,2\] need 4/);
    expect(() => float32Tensor([], [-1])).toThrow(feed);
    expect(() => float32Tensor([1], [1.5])).toThrow(feed);
    expect(() => int64Tensor([2 ** 60], [1])).toThrow(/not a safe integer/);
    expect(() => int32Tensor([2 ** 31], [1])).toThrow(/out of range/);
    expect(() => int32Tensor([0.5], [1])).toThrow(/out of range/);
  });

  it('data accessors reject the wrong dtype with a contract mismatch', () => {
    const t = int32Tensor([1], [1]);
    expect(() => float32Data(t, 'logits')).toThrow(
      expect.objectContaining({ code: 'MODEL_CONTRACT_MISMATCH' }),
    );
    expect(() => float32Data(t, 'logits')).toThrow('logits is int32[1], expected float32');
    expect(() => int64Data(t)).toThrow(/expected int64/);
    expect(() => int32Data(float32Tensor([1], [1]))).toThrow(/expected int32/);
  });
});

describe('concatAxis0 / splitAxis0', () => {
  it('concatenates per-stream caches into a batch and splits them back', () => {
    const a = float32Tensor([1, 2, 3, 4, 5, 6], [1, 2, 3]);
    const b = float32Tensor([7, 8, 9, 10, 11, 12], [1, 2, 3]);
    const batch = concatAxis0([a, b]);
    expect(batch.dims).toEqual([2, 2, 3]);
    expect(Array.from(float32Data(batch))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const [a2, b2] = splitAxis0(batch);
    expect(a2?.dims).toEqual([1, 2, 3]);
    expect(Array.from(float32Data(b2!))).toEqual([7, 8, 9, 10, 11, 12]);
  });

  it('split parts are copies: writing one does not touch the batch', () => {
    const batch = int64Tensor([1, 2], [2]);
    const [first] = splitAxis0(batch);
    int64Data(first!)[0] = 99n;
    expect(int64Data(batch)[0]).toBe(1n);
  });

  it('round-trips random int32 / int64 / float32 batches with uneven split sizes', () => {
    const dtype = fc.constantFrom('float32', 'int32', 'int64');
    fc.assert(
      fc.property(
        dtype,
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
        (type, rows, rest) => {
          const row = rest.reduce((x, y) => x * y, 1);
          let next = 0;
          const make = (n: number) => {
            const values = Array.from({ length: n * row }, () => next++);
            const dims = [n, ...rest];
            return type === 'float32'
              ? float32Tensor(values, dims)
              : type === 'int32'
                ? int32Tensor(values, dims)
                : int64Tensor(values, dims);
          };
          const parts = rows.map(make);
          const batch = concatAxis0(parts);
          expect(batch.dims).toEqual([rows.reduce((x, y) => x + y, 0), ...rest]);
          expect(batch.type).toBe(type);
          const back = splitAxis0(batch, rows);
          back.forEach((t, i) => {
            expect(t.dims).toEqual(parts[i]?.dims);
            expect(Array.from(t.data as ArrayLike<unknown>)).toEqual(
              Array.from(parts[i]?.data as ArrayLike<unknown>),
            );
          });
        },
      ),
    );
  });

  it('rejects mismatched parts and split sizes that do not add up', () => {
    const a = float32Tensor([1, 2], [1, 2]);
    expect(() => concatAxis0([])).toThrow(expect.objectContaining({ code: 'MODEL_FEED_INVALID' }));
    expect(() => concatAxis0([a, float32Tensor([1, 2, 3], [1, 3])])).toThrow(/along axis 0/);
    expect(() => concatAxis0([a, int32Tensor([1, 2], [1, 2])])).toThrow(/cannot concatenate/);
    expect(() => splitAxis0(float32Tensor([1, 2, 3, 4], [2, 2]), [1, 2])).toThrow(/do not add up/);
    expect(() => splitAxis0(float32Tensor([1], []))).toThrow(/scalar/);
  });

  it('returns a single part unchanged', () => {
    const a = float32Tensor([1], [1]);
    expect(concatAxis0([a])).toBe(a);
  });
});
