import { gumbel, maskedAfterStep, type PhiloxKey, topK, uniformAt } from './mask-schedule.js';

/**
 * One mask-predict pass (MaskGIT / MaskGCT): all `length` target tokens start masked; each
 * step runs the graph, guides the logits, samples every masked position (Gumbel-max over the
 * top-k at temperature `temperature * t`, argmax at the last step), scores it (log-probability
 * among the top-k plus Gumbel noise scaled by t) and re-masks the least confident of the
 * positions just predicted, down to the cosine schedule. Positions committed at an earlier
 * step are never sampled again. Python twin: models/py/tts/maskgct/sampler.py mask_predict.
 */

export interface PassOptions {
  readonly steps: number;
  readonly temperature: number;
  readonly topK: number;
  /** Classifier-free guidance: l = l_c + cfg (l_c - l_u); 0 runs the conditional row only. */
  readonly cfg: number;
  /** Scale of the confidence noise (times t). */
  readonly confNoise: number;
}

export interface StepTrace {
  /** Token drawn per target position at this step; -1 where it was committed earlier. */
  readonly chosen: Int32Array;
  /** 1 where the position is masked after the step. */
  readonly masked: Uint8Array;
}

/** Logits [length, vocab] (conditional, and unconditional when `guided`) for the current state. */
export type PassLogits = (
  tokens: Int32Array,
  masked: Uint8Array,
  guided: boolean,
) => Promise<{ readonly cond: Float32Array; readonly uncond?: Float32Array; readonly vocab: number }>;

export async function maskPredict(
  logitsFn: PassLogits,
  length: number,
  o: PassOptions,
  key: PhiloxKey,
  stream: number,
  onStep?: (trace: StepTrace, step: number) => void,
  signal?: AbortSignal,
): Promise<Int32Array> {
  const tokens = new Int32Array(length);
  const masked = new Uint8Array(length).fill(1);
  const guided = o.cfg !== 0;
  for (let i = 0; i < o.steps; i++) {
    signal?.throwIfAborted();
    const t = 1 - i / o.steps;
    const last = i === o.steps - 1;
    const { cond, uncond, vocab } = await logitsFn(tokens, masked, guided);
    const k = Math.min(o.topK, vocab);
    const chosen = new Int32Array(length).fill(-1);
    const conf = new Map<number, number>();
    const row = new Float64Array(vocab);
    let maskedNow = 0;
    for (let r = 0; r < length; r++) {
      if (masked[r] === 0) continue;
      maskedNow++;
      const at = r * vocab;
      for (let j = 0; j < vocab; j++) {
        const c = cond[at + j]!;
        row[j] = guided ? c + o.cfg * (c - uncond![at + j]!) : c;
      }
      const cand = topK(row, k);
      const vals = cand.map((j) => row[j]!);
      let best = 0;
      if (!last) {
        const tau = o.temperature * t;
        let bestScore = Number.NEGATIVE_INFINITY;
        for (let n = 0; n < k; n++) {
          const score = vals[n]! / tau + gumbel(uniformAt(key, stream, i, r, cand[n]!));
          if (n === 0 || score > bestScore) {
            best = n;
            bestScore = score;
          }
        }
      }
      const mx = vals[0]!;
      let total = 0;
      for (const v of vals) total += Math.exp(v - mx);
      const logp = vals[best]! - mx - Math.log(total);
      conf.set(r, logp + o.confNoise * t * gumbel(uniformAt(key, stream, i, r, vocab)));
      tokens[r] = cand[best]!;
      chosen[r] = cand[best]!;
    }
    const keep = maskedAfterStep(length, o.steps, i, maskedNow);
    const order = [...conf.keys()].sort((a, b) => conf.get(a)! - conf.get(b)! || a - b);
    masked.fill(0);
    for (let n = 0; n < keep; n++) masked[order[n]!] = 1;
    onStep?.({ chosen, masked: masked.slice() }, i);
    if (keep === 0) break;
  }
  return tokens;
}
