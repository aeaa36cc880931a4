import type { FeatureMatrix } from '../../asr/features/feature-matrix.js';
import { GaussianNoise } from '../../asr/features/gaussian-noise.js';
import { SpeechError } from '../../common/errors.js';
import { ttsMelFilterbank, ttsMelSpec, ttsStft } from '../mel-spec.js';
import { MelInverse } from './mel-inverse.js';
import type { Spectrum } from './stft.js';

/**
 * Griffin-Lim vocoder: the zero-training fallback and the oracle the neural vocoder is
 * compared with. Log-mel -> linear magnitude (pseudo-inverse of the filterbank, clamped
 * at zero) -> fast Griffin-Lim (Perraudin, Balazs & Søndergaard 2013; the momentum form
 * of torchaudio.functional.griffinlim and librosa.griffinlim) -> 16 kHz audio of
 * numFrames · 320 samples, the same length the neural vocoder returns. Pure and
 * deterministic: the initial phase comes from a seeded generator.
 */
export interface GriffinLimOptions {
  /** Default 32. */
  readonly iterations?: number;
  /** Fast Griffin-Lim momentum; 0 is the classic algorithm. Default 0.99. */
  readonly momentum?: number;
  /** 'random' (default): uniform phase from `seed`; 'zeros': zero phase. */
  readonly init?: 'random' | 'zeros';
  readonly seed?: number;
}

let inverse: MelInverse | undefined;

/** The contract's mel pseudo-inverse (built once; ~40k multiply-adds a frame to apply). */
export function ttsMelInverse(): MelInverse {
  inverse ??= new MelInverse(ttsMelFilterbank());
  return inverse;
}

/** Audio [numFrames · 320] from a contract log-mel [numFrames, 80]. */
export function griffinLim(logMel: FeatureMatrix, options: GriffinLimOptions = {}): Float32Array {
  if (logMel.numFrames < 1) {
    throw new SpeechError('FEATURE_BAD_OPTIONS', 'Griffin-Lim needs at least one mel frame');
  }
  return griffinLimMagnitude(ttsMelInverse().magnitude(logMel), logMel.numFrames, options);
}

/** Audio [numFrames · 320] whose STFT magnitude approximates `magnitude` [numFrames, 513]. */
export function griffinLimMagnitude(
  magnitude: Float64Array,
  numFrames: number,
  options: GriffinLimOptions = {},
): Float32Array {
  const iterations = options.iterations ?? 32;
  const momentum = options.momentum ?? 0.99;
  if (!(Number.isInteger(iterations) && iterations >= 0) || !(momentum >= 0 && momentum < 1)) {
    throw new SpeechError(
      'FEATURE_BAD_OPTIONS',
      `Griffin-Lim needs iterations >= 0 and momentum in [0, 1), got ${iterations} and ${momentum}`,
      { iterations, momentum },
    );
  }
  const stft = ttsStft();
  const { numBins, hopLength } = stft;
  const size = numFrames * numBins;
  if (magnitude.length !== size) {
    throw new SpeechError(
      'FEATURE_BAD_OPTIONS',
      `magnitude has ${magnitude.length} values, expected ${numFrames} x ${numBins}`,
    );
  }
  // Unit-modulus phase factors.
  const cosA = new Float64Array(size);
  const sinA = new Float64Array(size);
  if (options.init === 'zeros') {
    cosA.fill(1);
  } else {
    const noise = new GaussianNoise(options.seed ?? 0);
    for (let i = 0; i < size; i++) {
      const a = noise.next();
      const b = noise.next();
      const r = Math.sqrt(a * a + b * b) || 1;
      cosA[i] = a / r;
      sinA[i] = b / r;
    }
  }
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const spectrum: Spectrum = { re, im, numFrames, numBins };
  const applyPhase = (): void => {
    for (let i = 0; i < size; i++) {
      re[i] = magnitude[i]! * cosA[i]!;
      im[i] = magnitude[i]! * sinA[i]!;
    }
  };
  // Inside the loop the signal is (F - 1)·hop long so that its STFT has exactly F frames.
  const loopLength = (numFrames - 1) * hopLength;
  const prevRe = new Float64Array(size);
  const prevIm = new Float64Array(size);
  const beta = momentum / (1 + momentum);
  for (let it = 0; it < iterations && loopLength > 0; it++) {
    applyPhase();
    const rebuilt = stft.forward(stft.inverse(spectrum, loopLength));
    for (let i = 0; i < size; i++) {
      const r = rebuilt.re[i]!;
      const j = rebuilt.im[i]!;
      const ar = r - beta * prevRe[i]!;
      const ai = j - beta * prevIm[i]!;
      const norm = Math.sqrt(ar * ar + ai * ai) + 1e-16;
      cosA[i] = ar / norm;
      sinA[i] = ai / norm;
      prevRe[i] = r;
      prevIm[i] = j;
    }
  }
  applyPhase();
  return Float32Array.from(stft.inverse(spectrum, numFrames * ttsMelSpec.hopLength));
}
