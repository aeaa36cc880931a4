/**
 * Streaming sample-rate conversion: Kaldi's LinearResample (`kaldi/src/feat/resample.cc`,
 * copied as `sherpa-onnx/csrc/resample.cc`), the resampler sherpa-onnx applies to every
 * input that is not at the model's rate. Same filter, same output count, same edge
 * handling, so results match sherpa to float rounding; float32 is kept wherever Kaldi keeps
 * float (cutoff, filter taps), only the dot product accumulates in double.
 *
 * The filter is a windowed sinc: h(t) = 2 fc sinc(2 fc t) * Hann(t), support |t| < w / (2 fc),
 * with w = `filterWidth` zero crossings (default 6) and fc = 0.99 * 0.5 * min(in, out).
 * For a rate pair reduced to in' : out' by their gcd, output sample k depends on the
 * phase k mod out'; the taps of each phase are computed once.
 *
 * Chunking never changes the output: each output sample is the same dot product over the
 * same input samples, whether they come from this call or the kept history, so any split of
 * the input yields bit-identical samples. An output sample is emitted once its whole window
 * has arrived; `flush()` emits the rest with zeros past the end (Kaldi's flush=true) and
 * resets, like Kaldi.
 *
 * Equal rates are a pass-through (sherpa never builds a resampler for them): `resample`
 * returns its input unchanged.
 */

import { SpeechError } from '../../common/errors.js';

export interface ResamplerOptions {
  /** Number of zero crossings on each side of the sinc (Kaldi's num_zeros); default 6. */
  filterWidth?: number;
  /** Low-pass cutoff in Hz; default 0.99 * 0.5 * min(inputRate, outputRate). */
  cutoffHz?: number;
}

export const MAX_SAMPLE_RATE = 384_000;

/** Largest filter table a resampler builds (1 MiB of float32); see checkResamplerRates. */
export const MAX_FILTER_TAPS = 1 << 18;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export function checkSampleRate(rate: number, what: string): void {
  if (!Number.isInteger(rate) || rate < 1 || rate > MAX_SAMPLE_RATE) {
    throw new SpeechError(
      'AUDIO_BAD_SAMPLE_RATE',
      `${what} ${rate} Hz is not an integer in 1..${MAX_SAMPLE_RATE}`,
      {
        sampleRate: rate,
      },
    );
  }
}

/**
 * Throws AUDIO_BAD_SAMPLE_RATE unless a resampler between these rates can be built: both
 * rates valid, and a filter table within MAX_FILTER_TAPS. A pair with a small common
 * divisor (383999 -> 16000 Hz) needs out/gcd phases of ~w in / fc taps each: millions of
 * taps, ~100 MB and half a second of CPU, which one client could ask for on every
 * connection. Every standard pair needs under 32 k taps.
 */
export function checkResamplerRates(inputRate: number, outputRate: number): void {
  checkSampleRate(inputRate, 'input sample rate');
  checkSampleRate(outputRate, 'output sample rate');
  if (inputRate !== outputRate) {
    checkFilterSize(inputRate, outputRate, 6, Math.fround(0.99 * 0.5 * Math.min(inputRate, outputRate)));
  }
}

function checkFilterSize(inputRate: number, outputRate: number, filterWidth: number, cutoff: number): void {
  const phases = outputRate / gcd(inputRate, outputRate);
  const taps = phases * (Math.floor((filterWidth / cutoff) * inputRate) + 1);
  if (taps > MAX_FILTER_TAPS) {
    throw new SpeechError(
      'AUDIO_BAD_SAMPLE_RATE',
      `resampling ${inputRate} Hz to ${outputRate} Hz needs a ${taps}-tap filter (limit ${MAX_FILTER_TAPS}): use a standard rate (8, 16, 22.05, 24, 44.1, 48 kHz...)`,
      { sampleRate: inputRate, outputRate },
    );
  }
}

export class LinearResampler {
  readonly inputRate: number;
  readonly outputRate: number;
  readonly cutoffHz: number;
  readonly filterWidth: number;
  private readonly passThrough: boolean;
  private readonly inputUnit: number;
  private readonly outputUnit: number;
  /** Ticks per input/output period on the common clock lcm(in, out). */
  private readonly ticksPerInput: number;
  private readonly ticksPerOutput: number;
  private readonly windowTicks: number;
  /** Per output phase: first input index (relative to the unit start), tap offset, tap count. */
  private readonly firstIndex: Float64Array;
  private readonly tapOffset: Uint32Array;
  private readonly tapCount: Uint32Array;
  private readonly taps: Float32Array;
  /** The last `history.length` input samples before the current call (zeros before time 0). */
  private readonly history: Float32Array;
  private inputOffset = 0;
  private outputOffset = 0;

  constructor(inputRate: number, outputRate: number, options: ResamplerOptions = {}) {
    checkSampleRate(inputRate, 'input sample rate');
    checkSampleRate(outputRate, 'output sample rate');
    const filterWidth = options.filterWidth ?? 6;
    // Kaldi stores the cutoff as a float; every later step sees the rounded value.
    const cutoff = Math.fround(options.cutoffHz ?? 0.99 * 0.5 * Math.min(inputRate, outputRate));
    if (!Number.isInteger(filterWidth) || filterWidth < 1 || filterWidth > 64) {
      throw new SpeechError(
        'CONFIG_INVALID',
        `resampler filter width must be an integer in 1..64, got ${filterWidth}`,
      );
    }
    if (!(cutoff > 0) || cutoff * 2 > inputRate || cutoff * 2 > outputRate) {
      throw new SpeechError(
        'CONFIG_INVALID',
        `resampler cutoff ${cutoff} Hz must be in (0, min(rates) / 2]`,
        {
          cutoffHz: cutoff,
        },
      );
    }
    this.inputRate = inputRate;
    this.outputRate = outputRate;
    this.cutoffHz = cutoff;
    this.filterWidth = filterWidth;
    this.passThrough = inputRate === outputRate;

    const base = gcd(inputRate, outputRate);
    this.inputUnit = inputRate / base;
    this.outputUnit = outputRate / base;
    const tickFreq = this.inputUnit * outputRate; // lcm(in, out)
    this.ticksPerInput = tickFreq / inputRate;
    this.ticksPerOutput = tickFreq / outputRate;
    // Kaldi: float window_width; floor(window_width * tick_freq) in float arithmetic.
    const windowWidthF = Math.fround(filterWidth / (2 * cutoff));
    this.windowTicks = Math.floor(Math.fround(windowWidthF * Math.fround(tickFreq)));

    const phases = this.passThrough ? 0 : this.outputUnit;
    if (!this.passThrough) checkFilterSize(inputRate, outputRate, filterWidth, cutoff);
    const windowWidth = filterWidth / (2 * cutoff); // double, as in SetIndexesAndWeights
    this.firstIndex = new Float64Array(phases);
    this.tapOffset = new Uint32Array(phases);
    this.tapCount = new Uint32Array(phases);
    const taps: number[] = [];
    let maxTaps = 0;
    for (let i = 0; i < phases; i++) {
      const outputT = i / outputRate;
      const minIndex = Math.ceil((outputT - windowWidth) * inputRate);
      const maxIndex = Math.floor((outputT + windowWidth) * inputRate);
      const count = maxIndex - minIndex + 1;
      this.firstIndex[i] = minIndex;
      this.tapOffset[i] = taps.length;
      this.tapCount[i] = count;
      maxTaps = Math.max(maxTaps, count);
      for (let j = 0; j < count; j++) {
        const deltaT = (minIndex + j) / inputRate - outputT;
        taps.push(Math.fround(this.filterAt(Math.fround(deltaT)) / inputRate));
      }
    }
    this.taps = Float32Array.from(taps);
    // Kaldi keeps ceil(in * num_zeros / cutoff) samples (the full window, both sides);
    // outputs still pending never reach further back. The extra maxTaps is headroom only.
    const kaldiRemainder = Math.ceil(Math.fround((inputRate * filterWidth) / cutoff));
    this.history = new Float32Array(this.passThrough ? 0 : kaldiRemainder + maxTaps);
  }

  /** Kaldi's FilterFunc, with its float/double mix, so taps match to the last bit. */
  private filterAt(t: number): number {
    const cutoff = this.cutoffHz;
    const width = this.filterWidth;
    let window = 0;
    if (Math.abs(t) < width / (2 * cutoff)) {
      window = Math.fround(0.5 * (1 + Math.cos(((2 * Math.PI * cutoff) / width) * t)));
    }
    const filter = t !== 0 ? Math.fround(Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t)) : 2 * cutoff;
    return Math.fround(filter * window);
  }

  /**
   * Number of output samples available once `totalInput` input samples have arrived
   * (Kaldi's GetNumOutputSamples): with `flush`, every output before the end of input;
   * without, only those whose whole window has arrived.
   */
  private outputsFor(totalInput: number, flush: boolean): number {
    let ticks = totalInput * this.ticksPerInput;
    if (!flush) ticks -= this.windowTicks;
    if (ticks <= 0) return 0;
    let last = Math.floor(ticks / this.ticksPerOutput);
    if (last * this.ticksPerOutput === ticks) last--;
    return last + 1;
  }

  /**
   * Resamples the next chunk. With `flush`, also emits the tail that depends on samples past
   * the end (taken as zeros) and resets, ready for a new signal.
   */
  resample(input: Float32Array, flush = false): Float32Array {
    if (this.passThrough) return input;
    const n = input.length;
    const totalInput = this.inputOffset + n;
    const totalOutput = this.outputsFor(totalInput, flush);
    const out = new Float32Array(Math.max(0, totalOutput - this.outputOffset));
    const taps = this.taps;
    const history = this.history;
    const historyLength = history.length;
    const inputOffset = this.inputOffset;
    const outputUnit = this.outputUnit;
    const inputUnit = this.inputUnit;
    const tapCount = this.tapCount;
    const tapOffset = this.tapOffset;
    const firstIndex = this.firstIndex;
    let phase = this.outputOffset % outputUnit;
    let unitStart = ((this.outputOffset - phase) / outputUnit) * this.inputUnit;
    for (let k = 0; k < out.length; k++) {
      const count = tapCount[phase]!;
      const offset = tapOffset[phase]!;
      // Index of the first tap's input sample, relative to the start of this call's input.
      const first = firstIndex[phase]! + unitStart - inputOffset;
      let sum = 0;
      if (first >= 0 && first + count <= n) {
        for (let j = 0; j < count; j++) sum += taps[offset + j]! * input[first + j]!;
      } else {
        // Window straddles the history or runs past the input (flush): same order of terms,
        // so the result does not depend on where the chunk boundaries fell.
        for (let j = 0; j < count; j++) {
          const idx = first + j;
          let x = 0;
          if (idx < 0) {
            if (idx >= -historyLength) x = history[historyLength + idx]!;
          } else if (idx < n) x = input[idx]!;
          sum += taps[offset + j]! * x;
        }
      }
      out[k] = sum;
      if (++phase === outputUnit) {
        phase = 0;
        unitStart += inputUnit;
      }
    }
    if (flush) {
      this.reset();
    } else {
      this.remember(input);
      this.inputOffset = totalInput;
      this.outputOffset = totalOutput;
    }
    return out;
  }

  /** Ends the signal: emits the remaining tail (zeros past the end) and resets. */
  flush(): Float32Array {
    return this.resample(new Float32Array(0), true);
  }

  /** Forgets all input so far; the next sample starts a new signal at time 0. */
  reset(): void {
    this.inputOffset = 0;
    this.outputOffset = 0;
    this.history.fill(0);
  }

  private remember(input: Float32Array): void {
    const h = this.history;
    const n = input.length;
    if (n >= h.length) {
      h.set(input.subarray(n - h.length));
    } else {
      h.copyWithin(0, n);
      h.set(input, h.length - n);
    }
  }
}
