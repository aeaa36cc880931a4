/**
 * Token times for the offline Paraformer, in LFR frames (60 ms each).
 *
 * BiCif exports (FunASR `bicif_paraformer`, and the zoo's `--timestamps` export) return
 * `us_cif_peak`: the CIF integrator upsampled 3x, so index k is 20 ms; it exceeds
 * 1 - 1e-4 where a token fires. sherpa-onnx takes every such index as k x 0.02 s, drops
 * the last (the `</s>` fire) and keeps the list only if its length equals the number of
 * tokens (`offline-paraformer-greedy-search-decoder.cc`). We map by decoder position
 * instead: the token at position j gets the j-th peak. Where sherpa reports times the two
 * agree; where sherpa gives up (a `</s>` before the last CIF token) positions still line
 * up with fires, so the times stay meaningful.
 *
 * Without BiCif outputs, or when a position has no peak, the offline graph says nothing
 * about where tokens fired; the tokens are then spread evenly over the utterance
 * (position j of N at frame j·T/N) and the result says `timing: 'even-spread'`.
 */

/** sherpa's peak test: `peak[k] > 1 - 1e-4`. */
export const CIF_PEAK_THRESHOLD = 1 - 1e-4;

/** BiCif upsampling factor: three peak indices per LFR frame. */
export const PEAK_UPSAMPLE = 3;

/** Indices k of one utterance's us_cif_peak row whose value marks a fire. */
export function cifPeakIndices(peaks: Float32Array): number[] {
  const out: number[] = [];
  for (let k = 0; k < peaks.length; k++) if (peaks[k]! > CIF_PEAK_THRESHOLD) out.push(k);
  return out;
}

export type TimingSource = 'cif-peaks' | 'even-spread';

export interface TokenTiming {
  readonly source: TimingSource;
  /** LFR frame (fractional) of each token. */
  readonly frames: number[];
}

/**
 * `positions`: decoder position of each emitted token; `peaks`: us_cif_peak row or
 * undefined; `numPositions`: the utterance's CIF count; `numFrames`: its LFR frames.
 */
export function tokenFrames(
  positions: readonly number[],
  peaks: Float32Array | undefined,
  numPositions: number,
  numFrames: number,
): TokenTiming {
  if (peaks !== undefined) {
    const fires = cifPeakIndices(peaks);
    if (positions.every((p) => p < fires.length)) {
      return { source: 'cif-peaks', frames: positions.map((p) => fires[p]! / PEAK_UPSAMPLE) };
    }
  }
  const step = numPositions > 0 ? numFrames / numPositions : 0;
  return { source: 'even-spread', frames: positions.map((p) => p * step) };
}
