import { RealFft } from '../../asr/features/real-fft.js';
import { makeWindow } from '../../asr/features/window.js';
import { SpeechError } from '../../common/errors.js';

/**
 * Centred short-time Fourier transform and its inverse, as torch.stft / torch.istft compute
 * them with `center=True, pad_mode='reflect'` and a periodic Hann window: frame t covers
 * padded samples [t·hop, t·hop + nFft), i.e. it is centred on signal sample t·hop, and
 * N samples give 1 + floor(N / hop) frames. The inverse divides the windowed overlap-add
 * by the overlap-added squared window (torch's envelope), so it undoes `forward` exactly
 * wherever at least one window covers a sample.
 *
 * Spectra are frame-major: bin k of frame t is at t·numBins + k. One instance owns its FFT
 * and work buffers; it is not safe to share across concurrent calls (there are none in JS).
 */
export interface StftGeometry {
  readonly nFft: number;
  readonly winLength: number;
  readonly hopLength: number;
}

export interface Spectrum {
  readonly re: Float64Array;
  readonly im: Float64Array;
  readonly numFrames: number;
  /** nFft/2 + 1. */
  readonly numBins: number;
}

export class Stft {
  readonly nFft: number;
  readonly hopLength: number;
  readonly numBins: number;
  /** The analysis/synthesis window zero-padded (centred) to nFft, as torch pads it. */
  readonly window: Float64Array;
  readonly #fft: RealFft;
  readonly #frame: Float64Array;
  readonly #re: Float64Array;
  readonly #im: Float64Array;

  constructor(geometry: StftGeometry) {
    const { nFft, winLength, hopLength } = geometry;
    if (!(Number.isInteger(hopLength) && hopLength > 0 && winLength <= nFft && winLength > 1)) {
      throw new SpeechError('FEATURE_BAD_OPTIONS', `bad STFT geometry ${JSON.stringify(geometry)}`, {
        ...geometry,
      });
    }
    this.#fft = new RealFft(nFft);
    this.nFft = nFft;
    this.hopLength = hopLength;
    this.numBins = nFft / 2 + 1;
    this.window = new Float64Array(nFft);
    this.window.set(makeWindow('hann', winLength), Math.floor((nFft - winLength) / 2));
    this.#frame = new Float64Array(nFft);
    this.#re = new Float64Array(this.numBins);
    this.#im = new Float64Array(this.numBins);
  }

  /** Frames of an N-sample signal: 1 + floor(N / hop). */
  numFrames(numSamples: number): number {
    return 1 + Math.floor(numSamples / this.hopLength);
  }

  /** The complex STFT of `samples` (at least one sample). */
  forward(samples: ArrayLike<number>): Spectrum {
    const numFrames = this.framesOf(samples);
    const { numBins } = this;
    const re = new Float64Array(numFrames * numBins);
    const im = new Float64Array(numFrames * numBins);
    for (let t = 0; t < numFrames; t++) {
      this.windowedFrame(samples, t);
      this.#fft.forward(this.#frame, this.#re, this.#im);
      re.set(this.#re, t * numBins);
      im.set(this.#im, t * numBins);
    }
    return { re, im, numFrames, numBins };
  }

  /** |STFT| frame-major [numFrames, numBins]. */
  magnitude(samples: ArrayLike<number>): { data: Float64Array; numFrames: number } {
    const numFrames = this.framesOf(samples);
    const { numBins } = this;
    const data = new Float64Array(numFrames * numBins);
    const re = this.#re;
    const im = this.#im;
    for (let t = 0; t < numFrames; t++) {
      this.windowedFrame(samples, t);
      this.#fft.forward(this.#frame, re, im);
      const base = t * numBins;
      for (let k = 0; k < numBins; k++) data[base + k] = Math.sqrt(re[k]! * re[k]! + im[k]! * im[k]!);
    }
    return { data, numFrames };
  }

  /**
   * torch.istft(center=True): the signal of `length` samples (default numFrames·hop; the
   * contract's vocoder output length) whose STFT is closest to `spectrum` in the
   * least-squares sense. Samples no window reaches are zero.
   */
  inverse(spectrum: Spectrum, length = spectrum.numFrames * this.hopLength): Float64Array {
    const { nFft, hopLength, numBins, window } = this;
    const { numFrames } = spectrum;
    if (spectrum.numBins !== numBins) {
      throw new SpeechError(
        'FEATURE_BAD_OPTIONS',
        `spectrum has ${spectrum.numBins} bins, expected ${numBins}`,
      );
    }
    const pad = nFft / 2;
    const out = new Float64Array(length);
    const envelope = new Float64Array(length);
    for (let t = 0; t < numFrames; t++) {
      this.#re.set(spectrum.re.subarray(t * numBins, (t + 1) * numBins));
      this.#im.set(spectrum.im.subarray(t * numBins, (t + 1) * numBins));
      this.#fft.inverse(this.#re, this.#im, this.#frame);
      const start = t * hopLength - pad;
      const from = Math.max(0, -start);
      const to = Math.min(nFft, length - start);
      for (let i = from; i < to; i++) {
        const w = window[i]!;
        out[start + i]! += w * this.#frame[i]!;
        envelope[start + i]! += w * w;
      }
    }
    for (let n = 0; n < length; n++) {
      const e = envelope[n]!;
      out[n] = e > 1e-11 ? out[n]! / e : 0;
    }
    return out;
  }

  private framesOf(samples: ArrayLike<number>): number {
    if (samples.length < 1) {
      throw new SpeechError('FEATURE_BAD_OPTIONS', 'STFT of an empty signal');
    }
    return this.numFrames(samples.length);
  }

  /** Frame t of the reflect-padded signal, times the window, into this.#frame. */
  private windowedFrame(samples: ArrayLike<number>, t: number): void {
    const { nFft, window } = this;
    const frame = this.#frame;
    const n = samples.length;
    const start = t * this.hopLength - nFft / 2;
    if (start >= 0 && start + nFft <= n) {
      for (let i = 0; i < nFft; i++) frame[i] = samples[start + i]! * window[i]!;
      return;
    }
    for (let i = 0; i < nFft; i++) frame[i] = samples[reflectIndex(start + i, n)]! * window[i]!;
  }
}

/**
 * torch 'reflect' padding (the edge sample is not repeated: -1 -> 1, N -> N-2), applied
 * repeatedly when the pad is longer than the signal (torch refuses that case).
 */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}
