import type { FeatureMatrix } from '../asr/features/feature-matrix.js';
import { type MelFilterbank, slaneyMelFilterbank } from '../asr/features/mel-filterbank.js';
import { SpeechError } from '../common/errors.js';
import { Stft } from './audio/stft.js';

/**
 * The TTS log-mel, defined once for TypeScript (tts/README.md, "The shared audio
 * contract"); models/py/tts/mel_spec.py is its Python twin and
 * test/unit/tts-audio/mel-spec.test.ts checks the two agree on real speech.
 *
 * 16 kHz mono; STFT n_fft 1024, periodic Hann window of 1024, hop 320 (50 frames/s),
 * centred with reflect padding; |X|; 80 Slaney mels (Slaney area norm) over 0-8000 Hz;
 * log-mel = ln(max(mel, 1e-5)). N samples give N/320 + 1 frames (floor), and a vocoder
 * turns F frames into F·320 samples. Log-mels are frame-major [F, 80] here; the ONNX
 * graphs take [1, 80, F] and models/ transposes at the boundary.
 */
export const ttsMelSpec = Object.freeze({
  sampleRate: 16000,
  nFft: 1024,
  winLength: 1024,
  hopLength: 320,
  numMels: 80,
  fMin: 0,
  fMax: 8000,
  logFloor: 1e-5,
  frameRate: 50,
});

export type TtsMelSpec = typeof ttsMelSpec;

/** ln(1e-5): the value of silence. */
export const LOG_MEL_FLOOR = Math.log(ttsMelSpec.logFloor);

let bank: MelFilterbank | undefined;

/** The contract's 80 x 513 Slaney filterbank (built once). */
export function ttsMelFilterbank(): MelFilterbank {
  bank ??= slaneyMelFilterbank(
    {
      numFilters: ttsMelSpec.numMels,
      sampleRate: ttsMelSpec.sampleRate,
      fftSize: ttsMelSpec.nFft,
      lowFreq: ttsMelSpec.fMin,
      highFreq: ttsMelSpec.fMax,
    },
    'slaney',
  );
  return bank;
}

/** A fresh STFT with the contract's geometry (each owns its work buffers). */
export function ttsStft(): Stft {
  return new Stft(ttsMelSpec);
}

/** Frames the contract gives an N-sample waveform. */
export function melFrameCount(numSamples: number): number {
  return 1 + Math.floor(numSamples / ttsMelSpec.hopLength);
}

/** Log-mel [numFrames, 80] of a linear magnitude spectrogram [numFrames, 513]. */
export function logMelFromMagnitude(magnitude: Float64Array, numFrames: number): FeatureMatrix {
  const fb = ttsMelFilterbank();
  const { numMels, logFloor } = ttsMelSpec;
  const numBins = fb.numFftBins;
  if (magnitude.length !== numFrames * numBins) {
    throw new SpeechError(
      'FEATURE_BAD_OPTIONS',
      `magnitude has ${magnitude.length} values, expected ${numFrames} x ${numBins}`,
    );
  }
  const data = new Float32Array(numFrames * numMels);
  const mel = new Float64Array(numMels);
  for (let t = 0; t < numFrames; t++) {
    fb.apply(magnitude.subarray(t * numBins, (t + 1) * numBins), mel);
    for (let m = 0; m < numMels; m++) data[t * numMels + m] = Math.log(Math.max(mel[m]!, logFloor));
  }
  return { data, numFrames, dim: numMels };
}

/** The contract's log-mel [N/320 + 1, 80] of 16 kHz mono samples (at least one). */
export function computeLogMel(samples: Float32Array): FeatureMatrix {
  const { data, numFrames } = ttsStft().magnitude(samples);
  return logMelFromMagnitude(data, numFrames);
}
