/** TTS audio back end: pure DSP (STFT, mel inversion, Griffin-Lim) and vocoder streaming. */
export { type GriffinLimOptions, griffinLim, griffinLimMagnitude, ttsMelInverse } from './griffin-lim.js';
export { MelInverse } from './mel-inverse.js';
export { reflectIndex, type Spectrum, Stft, type StftGeometry } from './stft.js';
export { type MelVocoder, VocoderStream, type VocoderStreamOptions } from './vocoder-stream.js';
