/** Hand-built decoder inputs shared by the decoder tests. */

/** One row of log-probs from explicit probabilities (must sum to 1). */
export function logRow(probs: readonly number[]): number[] {
  return probs.map((p) => Math.log(p));
}

/** [T, V] log-prob matrix from explicit per-frame probabilities. */
export function logMatrix(rows: readonly (readonly number[])[]): Float32Array {
  return Float32Array.from(rows.flatMap((r) => logRow(r)));
}

/**
 * Peaky log-probs: frame t puts `peak` on labels[t] and spreads the rest evenly, as a
 * well-trained CTC model does.
 */
export function peakyMatrix(labels: readonly number[], vocabSize: number, peak = 0.9): Float32Array {
  const out = new Float32Array(labels.length * vocabSize);
  const rest = Math.log((1 - peak) / (vocabSize - 1));
  labels.forEach((y, t) => {
    for (let v = 0; v < vocabSize; v++) out[t * vocabSize + v] = v === y ? Math.log(peak) : rest;
  });
  return out;
}

/** Textbook CTC collapse of a frame-label path: merge repeats, then drop blanks. */
export function collapse(path: readonly number[], blankId: number): number[] {
  const out: number[] = [];
  path.forEach((y, t) => {
    if (y !== blankId && (t === 0 || path[t - 1] !== y)) out.push(y);
  });
  return out;
}

/** Per-frame argmax (first index on ties). */
export function argmaxPath(data: Float32Array, vocabSize: number): number[] {
  const path: number[] = [];
  for (let off = 0; off < data.length; off += vocabSize) {
    let best = 0;
    for (let v = 1; v < vocabSize; v++) if (data[off + v]! > data[off + best]!) best = v;
    path.push(best);
  }
  return path;
}

/** Splits [T, V] rows at the given frame cut points (sorted, deduplicated here). */
export function splitRows(data: Float32Array, width: number, cuts: readonly number[]): Float32Array[] {
  const frames = data.length / width;
  const points = [...new Set(cuts.filter((c) => c > 0 && c < frames))].sort((a, b) => a - b);
  const bounds = [0, ...points, frames];
  const chunks: Float32Array[] = [];
  for (let i = 0; i + 1 < bounds.length; i++)
    chunks.push(data.subarray(bounds[i]! * width, bounds[i + 1]! * width));
  return chunks;
}

/** The error `fn` throws (fails the test when it does not throw). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw');
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejected(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject');
}
