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
  /** Per-stage twiddles: the stage of span s (1, 2, 4, ..) at [s - 1, 2s - 1), e^{-iπj/s}. */
  private readonly stageRe: Float64Array;
  private readonly stageIm: Float64Array;
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
    this.stageRe = new Float64Array(Math.max(1, half));
    this.stageIm = new Float64Array(Math.max(1, half));
    for (let span = 1; span < half; span *= 2) {
      for (let j = 0; j < span; j++) {
        // The same value the single half-size table gave: e^{-2πi·(j·half/2span)/half}.
        const k = j * (half / (2 * span));
        this.stageRe[span - 1 + j] = Math.cos((2 * Math.PI * k) / half);
        this.stageIm[span - 1 + j] = -Math.sin((2 * Math.PI * k) / half);
      }
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
    // DC and Nyquist are real: Z[0] = E[0] + O[0] with E[0] = re[0], O[0] = im[0].
    const dc = re[0]! + im[0]!;
    const nyquist = re[0]! - im[0]!;
    out[0] = dc * dc;
    out[half] = nyquist * nyquist;
    for (let k = 1; k < half; k++) {
      const b = half - k;
      const ar = re[k]!;
      const ai = im[k]!;
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

  /**
   * The radix-2 stages over this.re/this.im, already in bit-reversed order. The first two
   * stages have the twiddles 1 and -j only, so they run as one multiplication-free pass;
   * the others run in pairs, reading their twiddles from one contiguous table per stage.
   */
  private butterflies(): void {
    const { re, im, half, stageRe, stageIm } = this;
    let firstSpan = 1;
    if (half >= 4) {
      for (let a = 0; a < half; a += 4) {
        const r0 = re[a]!;
        const i0 = im[a]!;
        const r1 = re[a + 1]!;
        const i1 = im[a + 1]!;
        const r2 = re[a + 2]!;
        const i2 = im[a + 2]!;
        const r3 = re[a + 3]!;
        const i3 = im[a + 3]!;
        const s0r = r0 + r1;
        const s0i = i0 + i1;
        const d0r = r0 - r1;
        const d0i = i0 - i1;
        const s1r = r2 + r3;
        const s1i = i2 + i3;
        const d1r = r2 - r3;
        const d1i = i2 - i3;
        re[a] = s0r + s1r;
        im[a] = s0i + s1i;
        re[a + 2] = s0r - s1r;
        im[a + 2] = s0i - s1i;
        // (a+1, a+3) with the twiddle -j: -j·(x + iy) = y - ix.
        re[a + 1] = d0r + d1i;
        im[a + 1] = d0i - d1r;
        re[a + 3] = d0r - d1i;
        im[a + 3] = d0i + d1r;
      }
      firstSpan = 4;
    }
    // The remaining stages two at a time (radix 2²): spans s and 2s in one pass, so each
    // value is loaded and stored once per two stages. The stage of span s reads its s
    // twiddles e^{-iπj/s} from stageRe/stageIm[s - 1 + j]; in the second stage the pair
    // (a + s, a + 3s) takes e^{-iπ(j+s)/2s} = -j·e^{-iπj/2s}. Same operations, same order
    // as two radix-2 stages.
    let span = firstSpan;
    for (; 2 * span < half; span *= 4) {
      const base1 = span - 1;
      const base2 = 2 * span - 1;
      const step = 4 * span;
      for (let j = 0; j < span; j++) {
        const w1r = stageRe[base1 + j]!;
        const w1i = stageIm[base1 + j]!;
        const w2r = stageRe[base2 + j]!;
        const w2i = stageIm[base2 + j]!;
        const w3r = w2i;
        const w3i = -w2r;
        for (let a = j; a < half; a += step) {
          const b = a + span;
          const c = b + span;
          const d = c + span;
          const x0r = re[a]!;
          const x0i = im[a]!;
          const x1r = re[b]!;
          const x1i = im[b]!;
          const x2r = re[c]!;
          const x2i = im[c]!;
          const x3r = re[d]!;
          const x3i = im[d]!;
          let tr = w1r * x1r - w1i * x1i;
          let ti = w1r * x1i + w1i * x1r;
          const y0r = x0r + tr;
          const y0i = x0i + ti;
          const y1r = x0r - tr;
          const y1i = x0i - ti;
          tr = w1r * x3r - w1i * x3i;
          ti = w1r * x3i + w1i * x3r;
          const y2r = x2r + tr;
          const y2i = x2i + ti;
          const y3r = x2r - tr;
          const y3i = x2i - ti;
          tr = w2r * y2r - w2i * y2i;
          ti = w2r * y2i + w2i * y2r;
          re[a] = y0r + tr;
          im[a] = y0i + ti;
          re[c] = y0r - tr;
          im[c] = y0i - ti;
          tr = w3r * y3r - w3i * y3i;
          ti = w3r * y3i + w3i * y3r;
          re[b] = y1r + tr;
          im[b] = y1i + ti;
          re[d] = y1r - tr;
          im[d] = y1i - ti;
        }
      }
    }
    // An odd number of stages left: the last one alone.
    for (; span < half; span *= 2) {
      const base = span - 1;
      for (let j = 0; j < span; j++) {
        const wr = stageRe[base + j]!;
        const wi = stageIm[base + j]!;
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
