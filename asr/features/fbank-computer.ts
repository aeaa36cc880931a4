import {
  type FbankOptions,
  type FbankOptionsInput,
  type FrameGeometry,
  frameGeometry,
  resolveFbankOptions,
} from './fbank-options.js';
import { GaussianNoise } from './gaussian-noise.js';
import { kaldiMelFilterbank, type MelFilterbank, slaneyMelFilterbank } from './mel-filterbank.js';
import { RealFft } from './real-fft.js';
import { makeWindow } from './window.js';

/** FLT_EPSILON: knf floors mel energies here before the log. */
export const FLT_EPSILON = 1.1920928955078125e-7;

/** The read-only parts of a computer, shared by every stream with the same options. */
interface SharedParts {
  readonly melBank: MelFilterbank;
  readonly window: Float64Array;
  /** Its scratch is only used inside the synchronous `compute`, so streams can share it. */
  readonly fft: RealFft;
}

const shared = new Map<string, SharedParts>();

function sharedParts(o: Readonly<FbankOptions>, frameLength: number, paddedLength: number): SharedParts {
  const key = [
    o.numMelBins,
    o.sampleRate,
    paddedLength,
    frameLength,
    o.lowFreq,
    o.highFreq,
    o.isLibrosa,
    o.melNorm,
    o.windowType,
  ].join('|');
  let parts = shared.get(key);
  if (parts === undefined) {
    const bank = {
      numFilters: o.numMelBins,
      sampleRate: o.sampleRate,
      fftSize: paddedLength,
      lowFreq: o.lowFreq,
      highFreq: o.highFreq,
    };
    parts = {
      melBank: o.isLibrosa ? slaneyMelFilterbank(bank, o.melNorm) : kaldiMelFilterbank(bank),
      window: makeWindow(o.windowType, frameLength),
      fft: new RealFft(paddedLength),
    };
    // A handful of presets in practice; the cap only guards against option churn.
    if (shared.size >= 64) shared.clear();
    shared.set(key, parts);
  }
  return parts;
}

/**
 * One knf filterbank frame: dither, DC removal, per-frame pre-emphasis, window, FFT,
 * power spectrum, mel, log. Holds every buffer it needs, so `compute` allocates nothing.
 *
 * Usage: write `frameLength` raw samples into `frame` (e.g. with `gatherReflected`),
 * then call `compute(out, offset)`. One computer per stream (it is stateful only through
 * its scratch buffers and the dither generator).
 */
export class FbankComputer {
  readonly options: Readonly<FbankOptions>;
  readonly geometry: FrameGeometry;
  readonly dim: number;
  readonly melBank: MelFilterbank;
  /** Scratch frame of `paddedLength` samples; the first `frameLength` are the input. */
  readonly frame: Float64Array;
  private readonly window: Float64Array;
  private readonly fft: RealFft;
  private readonly power: Float64Array;
  private readonly mel: Float64Array;
  private readonly noise: GaussianNoise;

  constructor(options: FbankOptionsInput | Readonly<FbankOptions> = {}) {
    this.options = resolveFbankOptions(options);
    const o = this.options;
    this.geometry = frameGeometry(o);
    const { frameLength, paddedLength } = this.geometry;
    const parts = sharedParts(o, frameLength, paddedLength);
    this.melBank = parts.melBank;
    this.dim = o.numMelBins;
    this.window = parts.window;
    this.fft = parts.fft;
    this.frame = new Float64Array(paddedLength);
    this.power = new Float64Array(this.fft.numBins);
    this.mel = new Float64Array(this.dim);
    this.noise = new GaussianNoise(o.ditherSeed);
  }

  /** Processes `this.frame` in place and writes `dim` features to out[offset..]. */
  compute(out: Float32Array, offset: number): void {
    const { frame, window, options: o } = this;
    const n = this.geometry.frameLength;
    if (o.dither !== 0) {
      for (let i = 0; i < n; i++) frame[i] = frame[i]! + o.dither * this.noise.next();
    }
    // DC removal, pre-emphasis and the window in one backward pass (each step reads the
    // previous sample before it is overwritten); the same operations in the same order as
    // one pass each: x' = x - mean, y[i] = x'[i] - c·x'[i-1], y[0] = x'[0] - c·x'[0], y·w.
    let mean = 0;
    if (o.removeDcOffset) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += frame[i]!;
      mean = sum / n;
    }
    const c = o.preemphCoeff;
    if (c !== 0) {
      let next = frame[n - 1]! - mean;
      for (let i = n - 1; i > 0; i--) {
        const prev = frame[i - 1]! - mean;
        frame[i] = (next - c * prev) * window[i]!;
        next = prev;
      }
      frame[0] = (next - c * next) * window[0]!;
    } else {
      for (let i = 0; i < n; i++) frame[i] = (frame[i]! - mean) * window[i]!;
    }
    frame.fill(0, n);
    this.fft.powerSpectrum(frame, this.power);
    this.melBank.apply(this.power, this.mel);
    const mel = this.mel;
    if (o.useLogFbank) {
      for (let i = 0; i < this.dim; i++) out[offset + i] = Math.log(Math.max(mel[i]!, FLT_EPSILON));
    } else {
      for (let i = 0; i < this.dim; i++) out[offset + i] = mel[i]!;
    }
  }
}
