import { SpeechError } from '../../common/errors.js';

/**
 * Radix-2 real FFT of a power-of-two size n, computed as an n/2-point complex FFT of
 * the even/odd samples followed by the usual split step.
 *
 * Twiddles, the bit-reversal table and the work arrays are built once per instance, so
 * `forward` and `powerSpectrum` allocate nothing: one instance per extractor, reused for
 * every frame. Arithmetic is float64 (JS numbers are doubles anyway; knf also runs its
 * FFT in double).
 */
export class RealFft {
  readonly size: number;
  private readonly half: number;
  private readonly bitReversed: Uint32Array;
  /** e^{-2πik/half} for the complex stages, k < half/2. */
  private readonly stageCos: Float64Array;
  private readonly stageSin: Float64Array;
  /** e^{-2πik/size} for the split step, k <= half. */
  private readonly splitCos: Float64Array;
  private readonly splitSin: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 2 || (size & (size - 1)) !== 0) {
      throw new SpeechError('FEATURE_BAD_OPTIONS', `FFT size must be a power of two >= 2, got ${size}`, {
        size,
      });
    }
    this.size = size;
    const half = size / 2;
    this.half = half;
    this.bitReversed = new Uint32Array(half);
    const bits = Math.log2(half);
    for (let i = 0; i < half; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.bitReversed[i] = r;
    }
    const quarter = Math.max(1, half / 2);
    this.stageCos = new Float64Array(quarter);
    this.stageSin = new Float64Array(quarter);
    for (let k = 0; k < quarter; k++) {
      this.stageCos[k] = Math.cos((2 * Math.PI * k) / half);
      this.stageSin[k] = -Math.sin((2 * Math.PI * k) / half);
    }
    this.splitCos = new Float64Array(half + 1);
    this.splitSin = new Float64Array(half + 1);
    for (let k = 0; k <= half; k++) {
      this.splitCos[k] = Math.cos((2 * Math.PI * k) / size);
      this.splitSin[k] = -Math.sin((2 * Math.PI * k) / size);
    }
    this.re = new Float64Array(half);
    this.im = new Float64Array(half);
  }

  /** Number of non-redundant bins, size/2 + 1 (DC to Nyquist). */
  get numBins(): number {
    return this.half + 1;
  }

  /** X[k] for k = 0..size/2 of the real `input` (length >= size; only the first `size` are read). */
  forward(input: Float64Array, outRe: Float64Array, outIm: Float64Array): void {
    this.complexHalf(input);
    const { re, im, half, splitCos, splitSin } = this;
    for (let k = 0; k <= half; k++) {
      const a = k === half ? 0 : k;
      const b = k === 0 ? 0 : half - k;
      const ar = re[a]!;
      const ai = im[a]!;
      const br = re[b]!;
      const bi = -im[b]!;
      const evenRe = 0.5 * (ar + br);
      const evenIm = 0.5 * (ai + bi);
      const oddRe = 0.5 * (ai - bi);
      const oddIm = -0.5 * (ar - br);
      const c = splitCos[k]!;
      const s = splitSin[k]!;
      outRe[k] = evenRe + c * oddRe - s * oddIm;
      outIm[k] = evenIm + c * oddIm + s * oddRe;
    }
  }

  /** |X[k]|² for k = 0..size/2 into `out` (length >= size/2 + 1). */
  powerSpectrum(input: Float64Array, out: Float64Array): void {
    this.complexHalf(input);
    const { re, im, half, splitCos, splitSin } = this;
    for (let k = 0; k <= half; k++) {
      const a = k === half ? 0 : k;
      const b = k === 0 ? 0 : half - k;
      const ar = re[a]!;
      const ai = im[a]!;
      const br = re[b]!;
      const bi = -im[b]!;
      const evenRe = 0.5 * (ar + br);
      const evenIm = 0.5 * (ai + bi);
      const oddRe = 0.5 * (ai - bi);
      const oddIm = -0.5 * (ar - br);
      const c = splitCos[k]!;
      const s = splitSin[k]!;
      const xr = evenRe + c * oddRe - s * oddIm;
      const xi = evenIm + c * oddIm + s * oddRe;
      out[k] = xr * xr + xi * xi;
    }
  }

  /**
   * Inverse of `forward`: the real x[0..size) whose bins 0..size/2 are (inRe, inIm), with
   * the 1/size scale (numpy's irfft), so inverse(forward(x)) = x. The imaginary parts of
   * the DC and Nyquist bins are ignored. Runs the same half-size complex FFT on
   * conj(Z), Z[k] = E[k] + j·O[k] the even/odd-sample spectra rebuilt from X.
   */
  inverse(inRe: Float64Array, inIm: Float64Array, out: Float64Array): void {
    const { re, im, half, splitCos, splitSin, bitReversed } = this;
    for (let k = 0; k < half; k++) {
      const m = half - k;
      const ar = inRe[k]!;
      const ai = k === 0 ? 0 : inIm[k]!;
      const br = inRe[m]!;
      const bi = m === half ? 0 : -inIm[m]!;
      const eRe = 0.5 * (ar + br);
      const eIm = 0.5 * (ai + bi);
      const dRe = 0.5 * (ar - br);
      const dIm = 0.5 * (ai - bi);
      const c = splitCos[k]!;
      const s = -splitSin[k]!;
      const oRe = dRe * c - dIm * s;
      const oIm = dRe * s + dIm * c;
      const r = bitReversed[k]!;
      re[r] = eRe - oIm;
      im[r] = -(eIm + oRe);
    }
    this.butterflies();
    const scale = 1 / half;
    for (let n = 0; n < half; n++) {
      out[2 * n] = re[n]! * scale;
      out[2 * n + 1] = -im[n]! * scale;
    }
  }

  /** In-place iterative radix-2 FFT of z[i] = x[2i] + j·x[2i+1] into this.re/this.im. */
  private complexHalf(input: Float64Array): void {
    const { re, im, half, bitReversed } = this;
    for (let i = 0; i < half; i++) {
      const r = bitReversed[i]!;
      re[r] = input[2 * i]!;
      im[r] = input[2 * i + 1]!;
    }
    this.butterflies();
  }

  /** The radix-2 stages over this.re/this.im, already in bit-reversed order. */
  private butterflies(): void {
    const { re, im, half, stageCos, stageSin } = this;
    for (let span = 1; span < half; span *= 2) {
      const step = half / (2 * span);
      for (let j = 0; j < span; j++) {
        const wr = stageCos[j * step]!;
        const wi = stageSin[j * step]!;
        for (let a = j; a < half; a += 2 * span) {
          const b = a + span;
          const xr = re[b]!;
          const xi = im[b]!;
          const tr = wr * xr - wi * xi;
          const ti = wr * xi + wi * xr;
          const ur = re[a]!;
          const ui = im[a]!;
          re[b] = ur - tr;
          im[b] = ui - ti;
          re[a] = ur + tr;
          im[a] = ui + ti;
        }
      }
    }
  }
}
