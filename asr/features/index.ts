/** Feature extraction for the ASR families: pure DSP, no I/O. */
export { parseAmMvn } from './am-mvn.js';
export { applyCmvn, type Cmvn } from './cmvn.js';
export { computeFbank } from './fbank.js';
export { FbankComputer, FLT_EPSILON } from './fbank-computer.js';
export {
  type FbankOptions,
  type FbankOptionsInput,
  type FrameGeometry,
  fbankOptionsSchema,
  frameGeometry,
  resolveFbankOptions,
} from './fbank-options.js';
export {
  computeFeatures,
  createOnlineExtractor,
  type FeatureOverrides,
  featureDim,
  resolveFeatureSpec,
} from './feature-extractor.js';
export { type FeatureMatrix, featureRow } from './feature-matrix.js';
export { FrameBuffer } from './frame-buffer.js';
export { firstSampleOfFrame, gatherReflected, numFrames } from './frame-layout.js';
export { applyLfrOffline, applyLfrOnline, numLfrFramesOnline } from './lfr.js';
export {
  kaldiMelFilterbank,
  type MelBankOptions,
  MelFilterbank,
  type MelNorm,
  slaneyMelFilterbank,
} from './mel-filterbank.js';
export { htkMel, htkMelToHz, slaneyMel, slaneyMelToHz } from './mel-scale.js';
export { computeNemoMel } from './nemo-mel.js';
export { NemoMelComputer } from './nemo-mel-computer.js';
export {
  type NemoMelOptions,
  type NemoMelOptionsInput,
  nemoMelOptionsSchema,
  resolveNemoMelOptions,
} from './nemo-mel-options.js';
export { OnlineFbank } from './online-fbank.js';
export type { OnlineFeatureExtractor } from './online-feature-extractor.js';
export { OnlineNemoMel } from './online-nemo-mel.js';
export { normalizePerFeature, type PerFeatureNormOptions } from './per-feature-norm.js';
export {
  type FeaturePreset,
  type FeaturePresetName,
  type FeatureSpec,
  featurePresetNames,
  featurePresets,
  isFeaturePresetName,
} from './presets.js';
export { RealFft } from './real-fft.js';
export { SampleBuffer } from './sample-buffer.js';
export { addSinusoidalPositionEncoding } from './sinusoidal-position.js';
export { makeWindow, type WindowType, windowTypes } from './window.js';
