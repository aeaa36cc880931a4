import type { FeatureMatrix } from '../../asr/features/feature-matrix.js';
import type { MelFilterbank } from '../../asr/features/mel-filterbank.js';
import { SpeechError } from '../../common/errors.js';

/**
 * Mel -> linear magnitude by least squares: the minimum-norm solution x = Mᵀ(MMᵀ)⁻¹m of
 * M x = m (the Moore-Penrose pseudo-inverse of the filterbank M), clamped at zero because
 * magnitudes cannot be negative. Without NNLS this is exact on the mel the filterbank
 * sees and smooth in between. The contract's 80 x 513 Slaney bank gives MMᵀ a condition
 * number of about 20, so a plain Cholesky factorisation is enough.
 */
export class MelInverse {
  readonly numMels: number;
  readonly numBins: number;
  /** Pseudo-inverse, [numBins, numMels] row-major. */
  readonly pinv: Float64Array;

  constructor(bank: MelFilterbank) {
    const m = bank.numFilters;
    const n = bank.numFftBins;
    this.numMels = m;
    this.numBins = n;
    const dense = bank.toDense();
    const gram = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += dense[i * n + k]! * dense[j * n + k]!;
        gram[i * m + j] = s;
        gram[j * m + i] = s;
      }
    }
    const chol = cholesky(gram, m);
    // Column k of M is the right-hand side; solve G y = M[:, k], then pinv[k, :] = y.
    this.pinv = new Float64Array(n * m);
    const y = new Float64Array(m);
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < m; i++) y[i] = dense[i * n + k]!;
      choleskySolve(chol, m, y);
      this.pinv.set(y, k * m);
    }
  }

  /** Linear magnitudes [numFrames, numBins] of a log-mel [numFrames, numMels]. */
  magnitude(logMel: FeatureMatrix): Float64Array {
    const { numMels, numBins, pinv } = this;
    if (logMel.dim !== numMels || logMel.data.length !== logMel.numFrames * numMels) {
      throw new SpeechError(
        'FEATURE_BAD_OPTIONS',
        `log-mel is [${logMel.numFrames}, ${logMel.dim}] with ${logMel.data.length} values; expected ${numMels} bins`,
      );
    }
    const out = new Float64Array(logMel.numFrames * numBins);
    const mel = new Float64Array(numMels);
    for (let t = 0; t < logMel.numFrames; t++) {
      for (let i = 0; i < numMels; i++) mel[i] = Math.exp(logMel.data[t * numMels + i]!);
      const base = t * numBins;
      for (let k = 0; k < numBins; k++) {
        let s = 0;
        const row = k * numMels;
        for (let i = 0; i < numMels; i++) s += pinv[row + i]! * mel[i]!;
        out[base + k] = Math.max(s, 0);
      }
    }
    return out;
  }
}

/** Lower-triangular L with LLᵀ = a (a symmetric positive definite, n x n row-major). */
function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(s > 0))
          throw new SpeechError('INTERNAL', 'mel filterbank Gram matrix is not positive definite');
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j]!;
      }
    }
  }
  return l;
}

/** Solves LLᵀ x = b in place. */
function choleskySolve(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
}
