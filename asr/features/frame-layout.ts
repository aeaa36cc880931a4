import { SpeechError } from '../../common/errors.js';
import type { FrameGeometry } from './fbank-options.js';

/**
 * Where Kaldi frames sit in the signal (knf `FirstSampleOfFrame` / `NumFrames`) and
 * how their samples are gathered, with knf's reflection at the signal edges.
 */

/** Absolute index of the first sample of frame `f` (negative for early frames when snipEdges is off). */
export function firstSampleOfFrame(f: number, g: FrameGeometry): number {
  if (g.snipEdges) return f * g.frameShift;
  // Centred on f·shift + shift/2 (integer halves, as in C++).
  return f * g.frameShift + Math.trunc(g.frameShift / 2) - Math.trunc(g.frameLength / 2);
}

/**
 * Number of frames for `numSamples` samples. `flush` says the input is complete: with
 * snipEdges off that rounds N/shift to the nearest integer and lets the tail frames
 * reflect past the end; without flush only frames whose last sample exists are counted.
 */
export function numFrames(numSamples: number, g: FrameGeometry, flush: boolean): number {
  if (g.snipEdges) {
    return numSamples < g.frameLength ? 0 : 1 + Math.floor((numSamples - g.frameLength) / g.frameShift);
  }
  let n = Math.floor((numSamples + Math.trunc(g.frameShift / 2)) / g.frameShift);
  if (flush) return n;
  let end = firstSampleOfFrame(n - 1, g) + g.frameLength;
  while (n > 0 && end > numSamples) {
    n--;
    end -= g.frameShift;
  }
  return n;
}

/**
 * Copies frame samples [start, start + length) of a signal whose samples [0, total) are
 * known, times `scale`, into dst[0..length). `buffer[0]` holds absolute sample
 * `bufferStart`. Indices outside [0, total) reflect about the edges, repeatedly if the
 * signal is shorter than the frame (-1 -> 0, -2 -> 1; total -> total-1, total+1 -> total-2).
 */
export function gatherReflected(
  buffer: Float32Array,
  bufferStart: number,
  total: number,
  start: number,
  length: number,
  scale: number,
  dst: Float64Array,
): void {
  const rel = start - bufferStart;
  if (start >= 0 && start + length <= total) {
    if (rel < 0 || rel + length > buffer.length) throw retentionBug(start, bufferStart, buffer.length);
    // The common case: no edge; a straight scaled copy.
    for (let i = 0; i < length; i++) dst[i] = buffer[rel + i]! * scale;
    return;
  }
  for (let i = 0; i < length; i++) {
    let s = start + i;
    while (s < 0 || s >= total) s = s < 0 ? -s - 1 : 2 * total - 1 - s;
    const j = s - bufferStart;
    if (j < 0 || j >= buffer.length) throw retentionBug(s, bufferStart, buffer.length);
    dst[i] = buffer[j]! * scale;
  }
}

function retentionBug(index: number, bufferStart: number, length: number): SpeechError {
  return new SpeechError(
    'INTERNAL',
    `feature extractor needs sample ${index} but holds [${bufferStart}, ${bufferStart + length})`,
  );
}
