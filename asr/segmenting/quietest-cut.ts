/**
 * Where to cut long audio for an offline model when no VAD is given: at the quietest
 * moment. Energy is the mean square of short frames, smoothed over a few frames so a
 * single quiet frame inside a word does not win over a real pause. Pure.
 */

export interface QuietestCutOptions {
  /** Earliest cut, in samples from the start of `samples`. */
  readonly from: number;
  /** Latest cut (exclusive), in samples; at most `samples.length`. */
  readonly to: number;
  /** Energy frame length in samples (10 ms is typical). */
  readonly frameSamples: number;
  /** Frames averaged around each candidate (default 10: 100 ms at 10 ms frames). */
  readonly smoothFrames?: number;
}

/**
 * The sample index in [from, to) at the centre of the quietest smoothed stretch. Ties go
 * to the latest position, so segments stay as long as allowed. Falls back to `to` when
 * the range holds less than one frame.
 */
export function findQuietestCut(samples: Float32Array, options: QuietestCutOptions): number {
  const frame = Math.max(1, Math.floor(options.frameSamples));
  const to = Math.min(samples.length, Math.floor(options.to));
  const from = Math.max(0, Math.min(Math.floor(options.from), to));
  const frames = Math.floor((to - from) / frame);
  if (frames < 1) return to;
  const energy = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    const start = from + f * frame;
    for (let i = start; i < start + frame; i++) {
      const x = samples[i]!;
      sum += x * x;
    }
    energy[f] = sum / frame;
  }
  const width = Math.max(1, Math.min(frames, Math.floor(options.smoothFrames ?? 10)));
  // Sum over `width` frames per candidate, summed afresh each time (no running sum, so
  // equal stretches compare equal); candidate = centre of the window.
  let best = Number.POSITIVE_INFINITY;
  let bestFirst = 0;
  for (let first = 0; first + width <= frames; first++) {
    let sum = 0;
    for (let f = first; f < first + width; f++) sum += energy[f]!;
    if (sum <= best) {
      best = sum;
      bestFirst = first;
    }
  }
  return from + bestFirst * frame + Math.floor((width * frame) / 2);
}
