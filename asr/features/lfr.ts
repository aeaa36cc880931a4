import { SpeechError } from '../../common/errors.js';
import type { FeatureMatrix } from './feature-matrix.js';

/**
 * Paraformer's low frame rate (LFR) stacking: output frame i concatenates m consecutive
 * input frames starting at n·i (m=7, n=6 in every released model: 60 ms, 560 dims).
 */

function checkLfr(m: number, n: number): void {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 1 || n < 1) {
    throw new SpeechError('FEATURE_BAD_OPTIONS', `LFR window ${m} / shift ${n} must be positive integers`, {
      m,
      n,
    });
  }
}

/**
 * Offline LFR (FunASR `apply_lfr`, sherpa `lfr.cc`): left-pad (m-1)/2 copies of frame 0,
 * produce ceil(T/n) frames, and repeat the last input frame wherever a window runs
 * past the end.
 */
export function applyLfrOffline(input: FeatureMatrix, m = 7, n = 6): FeatureMatrix {
  checkLfr(m, n);
  const { data, numFrames: t, dim } = input;
  const outFrames = Math.ceil(t / n);
  const out = new Float32Array(outFrames * m * dim);
  const leftPad = Math.floor((m - 1) / 2);
  for (let i = 0; i < outFrames; i++) {
    for (let k = 0; k < m; k++) {
      // Index into the padded sequence, mapped back to an input frame and clamped at both ends.
      const src = Math.min(Math.max(n * i + k - leftPad, 0), t - 1);
      out.set(data.subarray(src * dim, (src + 1) * dim), (i * m + k) * dim);
    }
  }
  return { data: out, numFrames: outFrames, dim: m * dim };
}

/** Number of online LFR frames from T input frames: no padding, only complete windows. */
export function numLfrFramesOnline(t: number, m = 7, n = 6): number {
  return t < m ? 0 : Math.floor((t - m) / n) + 1;
}

/**
 * Online LFR (sherpa `online-recognizer-paraformer-impl.h`): no padding, output i =
 * frames [n·i, n·i + m). Writes into `out` if given (length >= frames·m·dim) so a
 * streaming caller can reuse one buffer per chunk.
 */
export function applyLfrOnline(input: FeatureMatrix, m = 7, n = 6, out?: Float32Array): FeatureMatrix {
  checkLfr(m, n);
  const { data, numFrames: t, dim } = input;
  const outFrames = numLfrFramesOnline(t, m, n);
  const stride = m * dim;
  const target = out ?? new Float32Array(outFrames * stride);
  if (target.length < outFrames * stride) {
    throw new SpeechError(
      'INTERNAL',
      `LFR output buffer holds ${target.length} floats, needs ${outFrames * stride}`,
    );
  }
  // The m frames of a window are contiguous rows, so each output frame is one copy.
  for (let i = 0; i < outFrames; i++) target.set(data.subarray(n * i * dim, (n * i + m) * dim), i * stride);
  return { data: target.subarray(0, outFrames * stride), numFrames: outFrames, dim: stride };
}
