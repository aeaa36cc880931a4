/**
 * Continuous integrate-and-fire carried across chunks, as sherpa-onnx runs it for the
 * streaming Paraformer (online-recognizer-paraformer-impl.h, contract 3.2.3 step 8), in
 * float32 like the C++ (`Math.fround` after each operation), so fire decisions round the
 * same way. Pure: the state object is the stream's.
 *
 * For each frame with weight a and encoder vector h: if integrate + a < 1 the frame is
 * absorbed (integrate += a, hidden += a·h); otherwise the token fires with
 * hidden + (1 - integrate)·h, and the remainder integrate + a - 1 starts the next one
 * (hidden = remainder·h). No tail weight is added at the end of a stream (sherpa adds none).
 */
export interface CifState {
  integrate: number;
  /** [D] the partially integrated embedding. */
  readonly hidden: Float32Array;
}

export function createCifState(dim: number): CifState {
  return { integrate: 0, hidden: new Float32Array(dim) };
}

export function resetCifState(state: CifState): void {
  state.integrate = 0;
  state.hidden.fill(0);
}

export interface CifFires {
  /** [N, D] acoustic embeddings, one per fire. */
  readonly embeds: Float32Array;
  /** Frame index (within this call's frames) of each fire. */
  readonly frames: number[];
}

/** `enc` [T, D] and `alphas` [T] of one window; the state is updated in place. */
export function cifStep(state: CifState, enc: Float32Array, alphas: Float32Array): CifFires {
  const dim = state.hidden.length;
  const t = alphas.length;
  const hidden = state.hidden;
  const out: Float32Array[] = [];
  const frames: number[] = [];
  let integrate = state.integrate;
  for (let i = 0; i < t; i++) {
    const a = alphas[i]!;
    const row = i * dim;
    const sum = Math.fround(integrate + a);
    if (sum < 1) {
      integrate = sum;
      for (let j = 0; j < dim; j++) hidden[j] = Math.fround(hidden[j]! + Math.fround(enc[row + j]! * a));
      continue;
    }
    const w = Math.fround(1 - integrate);
    for (let j = 0; j < dim; j++) hidden[j] = Math.fround(hidden[j]! + Math.fround(enc[row + j]! * w));
    out.push(hidden.slice());
    frames.push(i);
    integrate = Math.fround(integrate + Math.fround(a - 1));
    for (let j = 0; j < dim; j++) hidden[j] = Math.fround(enc[row + j]! * integrate);
  }
  state.integrate = integrate;
  const embeds = new Float32Array(out.length * dim);
  for (const [k, e] of out.entries()) embeds.set(e, k * dim);
  return { embeds, frames };
}
