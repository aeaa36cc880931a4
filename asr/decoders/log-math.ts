/**
 * Small numeric kernels shared by the decoders. They work on a row of a flat
 * Float32Array ([T, V] row-major) by offset, so no per-frame views are allocated.
 */

/** log(exp(a) + exp(b)) without overflow; -Infinity is the identity. */
export function logAdd(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/**
 * Index of the largest value in row [offset, offset + size). Ties go to the lowest
 * index, like std::max_element, so results match sherpa-onnx on exact ties.
 */
export function argmaxRow(data: Float32Array, offset: number, size: number): number {
  let best = 0;
  let bestValue = data[offset]!;
  for (let i = 1; i < size; i++) {
    const v = data[offset + i]!;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/** log(sum(exp(row))) over [offset, offset + size), computed stably. */
export function logSumExpRow(data: Float32Array, offset: number, size: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < size; i++) {
    const v = data[offset + i]!;
    if (v > max) max = v;
  }
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (let i = 0; i < size; i++) sum += Math.exp(data[offset + i]! - max);
  return max + Math.log(sum);
}

/**
 * Writes the indices of the k largest values of row [offset, offset + size) into `out`
 * (best first; ties keep the lower index first) and returns how many were written.
 * Insertion into a k-sized sorted buffer: O(size * k), which beats a sort for the small
 * k (beam sizes of 1..16) used here and allocates nothing.
 */
export function topKRow(
  data: Float32Array,
  offset: number,
  size: number,
  k: number,
  out: Int32Array,
  outScores: Float64Array,
): number {
  const limit = Math.min(k, size);
  let n = 0;
  for (let i = 0; i < size; i++) {
    const v = data[offset + i]!;
    if (n === limit && !(v > outScores[n - 1]!)) continue;
    let j = n < limit ? n++ : n - 1;
    while (j > 0 && v > outScores[j - 1]!) {
      outScores[j] = outScores[j - 1]!;
      out[j] = out[j - 1]!;
      j--;
    }
    outScores[j] = v;
    out[j] = i;
  }
  return n;
}
