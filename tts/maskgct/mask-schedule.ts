import { SpeechError } from '../../common/errors.js';
import { philox4x32 } from '../ardit/philox.js';

/**
 * The pure pieces of MaskGCT's mask-predict decoding (CONTRACT.md "Runtime algorithm"),
 * mirrored operation for operation by models/py/tts/maskgct/sampler.py.
 */

const TWO_32 = 4294967296;
/** floor(L cos(...) + eps): a last-ulp difference between libms cannot move an integer. */
const SCHEDULE_EPS = 1e-9;
/** Philox counter word 3 = phrase * 16 + pass (pass 0: T2S, 1 + q: S2A layer q). */
export const PASSES_PER_PHRASE = 16;

export type PhiloxKey = readonly [number, number];

/** Philox key of a seed (an integer in [0, 2^53)), as tts/ardit/philox.ts derives it. */
export function seedKey(seed: number): PhiloxKey {
  if (!(Number.isSafeInteger(seed) && seed >= 0)) {
    throw new SpeechError('CONFIG_INVALID', `seed must be an integer in [0, 2^53), got ${seed}`);
  }
  return [seed % TWO_32, Math.floor(seed / TWO_32)];
}

/**
 * Uniform in (0, 1) for one decision: word `word` of counter (word >> 2, row, step, stream).
 * Addressed by what it decides (candidate id, or the vocabulary size for the confidence
 * noise), so a value never depends on how many were drawn before it.
 */
export function uniformAt(key: PhiloxKey, stream: number, step: number, row: number, word: number): number {
  const w = philox4x32([word >>> 2, row, step, stream], key)[word & 3]!;
  return (w + 0.5) / TWO_32;
}

export function gumbel(u: number): number {
  return -Math.log(-Math.log(u));
}

/**
 * Positions still masked after step `step` (0-based) of `steps`: the cosine schedule
 * floor(L cos(pi/2 (step + 1) / steps)), at least one fewer than `maskedNow` (each step
 * commits a token), and 0 after the last step.
 */
export function maskedAfterStep(length: number, steps: number, step: number, maskedNow: number): number {
  if (step >= steps - 1) return 0;
  const n = Math.floor(length * Math.cos((Math.PI / 2) * ((step + 1) / steps)) + SCHEDULE_EPS);
  return Math.max(0, Math.min(maskedNow - 1, n));
}

/** Ids of the k largest values of row [offset, offset + vocab), largest first, ties to the lower id. */
export function topK(row: Float64Array, k: number): number[] {
  const ids = Array.from(row.keys());
  ids.sort((a, b) => row[b]! - row[a]! || a - b);
  return ids.slice(0, Math.min(k, ids.length));
}
