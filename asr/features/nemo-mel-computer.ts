import { type MelFilterbank, slaneyMelFilterbank } from './mel-filterbank.js';
import { type NemoMelOptions, type NemoMelOptionsInput, resolveNemoMelOptions } from './nemo-mel-options.js';
import { RealFft } from './real-fft.js';
import { makeWindow } from './window.js';

/**
 * One NeMo log-mel frame: torch.stft(center=True, pad_mode='constant') over the
 * pre-emphasised signal, |X|², Slaney mel (norm 'slaney'), ln(x + guard).
 *
 * torch centres frame f on sample f·hop and places the win-length window in the middle
 * of the n_fft frame, so the only non-zero samples are y[f·hop - nFft/2 + (nFft-win)/2 ..
 * + win). We FFT them at offset 0 instead of offset (nFft-win)/2: a circular shift only
 * changes the phase, and the power spectrum is identical.
 */
export class NemoMelComputer {
  readonly options: Readonly<NemoMelOptions>;
  readonly dim: number;
  readonly melBank: MelFilterbank;
  /** Offset of a frame's first non-zero sample relative to f·hop (-200 for 400/512). */
  readonly frameOffset: number;
  private readonly window: Float64Array;
  private readonly fft: RealFft;
  private readonly frame: Float64Array;
  private readonly power: Float64Array;
  private readonly mel: Float64Array;

  constructor(options: NemoMelOptionsInput | Readonly<NemoMelOptions> = {}) {
    this.options = resolveNemoMelOptions(options);
    const o = this.options;
    this.dim = o.numMelBins;
    this.frameOffset = Math.floor((o.nFft - o.windowLength) / 2) - Math.floor(o.nFft / 2);
    this.melBank = slaneyMelFilterbank(
      {
        numFilters: o.numMelBins,
        sampleRate: o.sampleRate,
        fftSize: o.nFft,
        lowFreq: o.lowFreq,
        highFreq: o.highFreq ?? o.sampleRate / 2,
      },
      'slaney',
    );
    this.window = makeWindow(o.window, o.windowLength);
    this.fft = new RealFft(o.nFft);
    this.frame = new Float64Array(o.nFft);
    this.power = new Float64Array(this.fft.numBins);
    this.mel = new Float64Array(this.dim);
  }

  /** Absolute index of frame f's first window sample. */
  frameStart(f: number): number {
    return f * this.options.hopLength + this.frameOffset;
  }

  /** Valid frames for a complete utterance of n samples: floor(n / hop) (NeMo drops the last STFT frame). */
  numFrames(numSamples: number): number {
    return Math.floor(numSamples / this.options.hopLength);
  }

  /**
   * Computes frame f from raw samples x[0, total), of which buffer[0] is x[bufferStart];
   * the buffer must also hold x[start - 1] for pre-emphasis. Out-of-range samples are 0.
   */
  compute(
    buffer: Float32Array,
    bufferStart: number,
    total: number,
    f: number,
    out: Float32Array,
    offset: number,
  ): void {
    const { frame, window } = this;
    const { windowLength: n, preemph: c, logGuard } = this.options;
    const start = this.frameStart(f);
    for (let i = 0; i < n; i++) {
      const s = start + i;
      let y = 0;
      if (s >= 0 && s < total) {
        const j = s - bufferStart;
        // Global pre-emphasis y[s] = x[s] - c·x[s-1], y[0] = x[0]; exactly the same
        // arithmetic whether the utterance arrives whole or in chunks.
        y = s > 0 ? buffer[j]! - c * buffer[j - 1]! : buffer[j]!;
      }
      frame[i] = y * window[i]!;
    }
    frame.fill(0, n);
    this.fft.powerSpectrum(frame, this.power);
    this.melBank.apply(this.power, this.mel);
    const mel = this.mel;
    for (let i = 0; i < this.dim; i++) out[offset + i] = Math.log(mel[i]! + logGuard);
  }
}
