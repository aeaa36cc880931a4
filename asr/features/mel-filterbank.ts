import { SpeechError } from '../../common/errors.js';
import { htkMel, slaneyMel, slaneyMelToHz } from './mel-scale.js';

/**
 * A bank of triangular mel filters stored sparsely: each filter keeps only the run of
 * FFT bins where its weight is non-zero (knf's `bins_[i] = {first, weights}`), so
 * applying 80 filters to a 257-bin spectrum costs ~2x257 multiply-adds, not 80x257.
 */
export class MelFilterbank {
  /** Number of mel filters (output dimension). */
  readonly numFilters: number;
  /** Length of the power spectrum the bank reads (fftSize/2 + 1). */
  readonly numFftBins: number;
  /** First FFT bin of each filter. */
  readonly firstBin: Int32Array;
  /** Start of each filter's weights inside `weights`; filter i spans [start[i], start[i+1]). */
  readonly start: Int32Array;
  readonly weights: Float64Array;

  constructor(numFftBins: number, filters: readonly { firstBin: number; weights: readonly number[] }[]) {
    this.numFilters = filters.length;
    this.numFftBins = numFftBins;
    this.firstBin = new Int32Array(filters.length);
    this.start = new Int32Array(filters.length + 1);
    let total = 0;
    filters.forEach((f, i) => {
      this.firstBin[i] = f.firstBin;
      this.start[i] = total;
      total += f.weights.length;
    });
    this.start[filters.length] = total;
    this.weights = new Float64Array(total);
    filters.forEach((f, i) => {
      this.weights.set(f.weights, this.start[i]!);
    });
  }

  /** mel[i] = Σ_k w_i[k]·power[k]; `power` has numFftBins entries, `out` numFilters. */
  apply(power: Float64Array, out: Float64Array): void {
    const { firstBin, start, weights, numFilters } = this;
    for (let i = 0; i < numFilters; i++) {
      const begin = start[i]!;
      const end = start[i + 1]!;
      const shift = firstBin[i]! - begin;
      let energy = 0;
      for (let j = begin; j < end; j++) energy += weights[j]! * power[shift + j]!;
      out[i] = energy;
    }
  }

  /** Dense [numFilters, numFftBins] copy, for tests and debugging. */
  toDense(): Float64Array {
    const dense = new Float64Array(this.numFilters * this.numFftBins);
    for (let i = 0; i < this.numFilters; i++) {
      for (let j = this.start[i]!; j < this.start[i + 1]!; j++) {
        dense[i * this.numFftBins + this.firstBin[i]! + j - this.start[i]!] = this.weights[j]!;
      }
    }
    return dense;
  }
}

export interface MelBankOptions {
  numFilters: number;
  sampleRate: number;
  /** FFT size (the padded frame length). */
  fftSize: number;
  /** Lower edge of the first filter, Hz. */
  lowFreq: number;
  /** Upper edge of the last filter, Hz; <= 0 means Nyquist + highFreq (Kaldi's convention). */
  highFreq: number;
}

export type MelNorm = 'slaney' | 'none';

/** Resolves Kaldi's high-frequency convention and checks the band against Nyquist. */
export function resolveMelBand(opts: MelBankOptions): { low: number; high: number; nyquist: number } {
  const nyquist = 0.5 * opts.sampleRate;
  const low = opts.lowFreq;
  const high = opts.highFreq > 0 ? opts.highFreq : nyquist + opts.highFreq;
  if (!(low >= 0 && low < nyquist && high > 0 && high <= nyquist && high > low)) {
    throw new SpeechError(
      'FEATURE_BAD_OPTIONS',
      `bad mel band: low-freq ${low} and high-freq ${high} (from ${opts.highFreq}) vs. Nyquist ${nyquist}`,
      { lowFreq: opts.lowFreq, highFreq: opts.highFreq, nyquist },
    );
  }
  if (!Number.isInteger(opts.numFilters) || opts.numFilters < 3) {
    throw new SpeechError('FEATURE_BAD_OPTIONS', `need at least 3 mel bins, got ${opts.numFilters}`, {
      numMelBins: opts.numFilters,
    });
  }
  return { low, high, nyquist };
}

function emptyFilter(bin: number, opts: MelBankOptions): SpeechError {
  return new SpeechError(
    'FEATURE_BAD_OPTIONS',
    `mel bin ${bin} covers no FFT bin: ${opts.numFilters} mel bins is too many for a ${opts.fftSize}-point FFT`,
    { numMelBins: opts.numFilters, fftSize: opts.fftSize },
  );
}

/**
 * Kaldi / knf `is_librosa=false`: HTK mel scale, triangles in the mel domain, FFT bins
 * 0..fftSize/2-1 (the Nyquist bin never contributes), no area normalisation.
 */
export function kaldiMelFilterbank(opts: MelBankOptions): MelFilterbank {
  const { low, high } = resolveMelBand(opts);
  const numFftBins = opts.fftSize / 2;
  const binWidth = opts.sampleRate / opts.fftSize;
  const melLow = htkMel(low);
  const melDelta = (htkMel(high) - melLow) / (opts.numFilters + 1);
  const filters: { firstBin: number; weights: number[] }[] = [];
  for (let bin = 0; bin < opts.numFilters; bin++) {
    const left = melLow + bin * melDelta;
    const centre = melLow + (bin + 1) * melDelta;
    const right = melLow + (bin + 2) * melDelta;
    let firstBin = -1;
    const weights: number[] = [];
    for (let i = 0; i < numFftBins; i++) {
      const mel = htkMel(binWidth * i);
      if (mel > left && mel < right) {
        if (firstBin < 0) firstBin = i;
        // Zeros inside the run are kept so that weights stay contiguous.
        while (firstBin + weights.length < i) weights.push(0);
        weights.push(mel <= centre ? (mel - left) / (centre - left) : (right - mel) / (right - centre));
      }
    }
    if (firstBin < 0) throw emptyFilter(bin, opts);
    filters.push({ firstBin, weights });
  }
  return new MelFilterbank(numFftBins + 1, filters);
}

/**
 * librosa / knf `is_librosa=true` / torchaudio `melscale_fbanks(mel_scale='slaney')`:
 * Slaney mel scale for the band edges, triangles computed in Hz over bins
 * 0..fftSize/2 (Nyquist included), optionally scaled by 2/(right_hz - left_hz).
 */
export function slaneyMelFilterbank(opts: MelBankOptions, norm: MelNorm = 'slaney'): MelFilterbank {
  const { low, high } = resolveMelBand(opts);
  const numFftBins = opts.fftSize / 2 + 1;
  const binWidth = opts.sampleRate / opts.fftSize;
  const melLow = slaneyMel(low);
  const melDelta = (slaneyMel(high) - melLow) / (opts.numFilters + 1);
  const filters: { firstBin: number; weights: number[] }[] = [];
  for (let bin = 0; bin < opts.numFilters; bin++) {
    const left = slaneyMelToHz(melLow + bin * melDelta);
    const centre = slaneyMelToHz(melLow + (bin + 1) * melDelta);
    const right = slaneyMelToHz(melLow + (bin + 2) * melDelta);
    const scale = norm === 'slaney' ? 2 / (right - left) : 1;
    let firstBin = -1;
    const weights: number[] = [];
    for (let i = 0; i < numFftBins; i++) {
      const hz = binWidth * i;
      if (hz > left && hz < right) {
        if (firstBin < 0) firstBin = i;
        while (firstBin + weights.length < i) weights.push(0);
        weights.push(
          scale * (hz <= centre ? (hz - left) / (centre - left) : (right - hz) / (right - centre)),
        );
      }
    }
    if (firstBin < 0) throw emptyFilter(bin, opts);
    filters.push({ firstBin, weights });
  }
  return new MelFilterbank(numFftBins, filters);
}
