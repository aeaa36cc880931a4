/**
 * The flow-matching ODE, integrated on the host around the pure flow-head graph
 * (CONTRACT.md "Sampling"). Convention: x_t = (1 - t) * noise + t * x1, v = x1 - noise;
 * Euler from t = 0 to 1 on the uniform grid t_i = i / steps. With guidance the head runs
 * on two rows (row 1 with cond = 0) and v = v_u + w * (v_c - v_u). Host arithmetic is
 * float64, rounded to float32 on store, as models/py/tts/ardit/sampler.py does.
 */

/** Velocity of `rows` patches: x_t, prev [rows, K, M], t [rows], cond [rows, D] -> [rows, K, M]. */
export type VelocityFn = (
  xt: Float32Array,
  t: Float32Array,
  cond: Float32Array,
  prev: Float32Array,
  rows: number,
) => Promise<Float32Array>;

export interface FlowSamplerOptions {
  /** Euler steps (flow-head evaluations per patch, doubled with guidance). */
  readonly flowSteps: number;
  /** Classifier-free guidance scale; 1 disables it. */
  readonly cfgScale: number;
}

export function eulerTimes(steps: number): number[] {
  return Array.from({ length: steps + 1 }, (_, i) => i / steps);
}

/** Integrates one patch from its noise; returns a new Float32Array [K * M]. */
export async function samplePatch(
  velocity: VelocityFn,
  noise: Float32Array,
  cond: Float32Array,
  prev: Float32Array,
  options: FlowSamplerOptions,
): Promise<Float32Array> {
  const { flowSteps, cfgScale } = options;
  const size = noise.length;
  const x = noise.slice();
  const times = eulerTimes(flowSteps);
  const guided = cfgScale !== 1;
  const rows = guided ? 2 : 1;
  const xt = new Float32Array(rows * size);
  const t = new Float32Array(rows);
  const condRows = new Float32Array(rows * cond.length);
  condRows.set(cond); // the unconditional row stays zero
  const prevRows = new Float32Array(rows * size);
  for (let r = 0; r < rows; r++) prevRows.set(prev, r * size);
  for (let i = 0; i < flowSteps; i++) {
    const dt = times[i + 1]! - times[i]!;
    for (let r = 0; r < rows; r++) xt.set(x, r * size);
    t.fill(times[i]!);
    const v = await velocity(xt, t, condRows, prevRows, rows);
    if (guided) {
      for (let j = 0; j < size; j++) {
        const vc = v[j]!;
        const vu = v[size + j]!;
        x[j] = x[j]! + dt * (vu + cfgScale * (vc - vu));
      }
    } else {
      for (let j = 0; j < size; j++) x[j] = x[j]! + dt * v[j]!;
    }
  }
  return x;
}
