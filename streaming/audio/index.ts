/**
 * Audio in and out: everything that turns bytes into mono float32 at the model's rate, and
 * float32 back into WAV bytes. Failures are SpeechErrors with AUDIO_* codes.
 *
 * - Decoding a file or stream:  decodeAudio (native WAV, else ffmpeg), decodeWithFfmpeg,
 *   probeAudio, locateFfmpeg.
 * - WAV:                         WavParser (incremental), readWav, readWavStream,
 *                                encodeWav, wavHeader + encodeWavData + patchWavSizes (streamed).
 * - Raw client frames:           decodeRawPcm, decodeRawPcmMono (linear16|linear32|mulaw|alaw).
 * - Sample helpers:              int/float conversion, (de)interleave, downmixToMono, G.711.
 * - Rate conversion:             LinearResampler (Kaldi/sherpa-onnx compatible, streaming).
 */

export { decodeAll } from './decode-all.js';
export { type DecodeOptions, decodeAudio } from './decode-audio.js';
export {
  type FfmpegBinary,
  type FfmpegSource,
  type LocateFfmpegOptions,
  locateFfmpeg,
} from './ffmpeg-binary.js';
export { type DecodedAudioInfo, decodeWithFfmpeg } from './ffmpeg-decode.js';
export type { AudioSourceInfo } from './ffmpeg-info.js';
export { decodeAlaw, decodeMulaw, encodeAlaw, encodeMulaw } from './g711.js';
export {
  concatSamples,
  deinterleave,
  downmixToMono,
  float32ToInt16,
  float32ToInt24,
  float32ToInt32,
  int16ToFloat32,
  int24ToFloat32,
  int32ToFloat32,
  interleave,
  sanitizeSamples,
} from './pcm.js';
export { type ProbedAudio, type ProbeOptions, probeAudio } from './probe-audio.js';
export {
  type DecodedRawPcm,
  decodeRawPcm,
  decodeRawPcmMono,
  RAW_PCM_ENCODINGS,
  type RawPcmEncoding,
  type RawPcmFormat,
} from './raw-pcm.js';
export { LinearResampler, MAX_SAMPLE_RATE, type ResamplerOptions } from './resampler.js';
export { bytesPerSample, SAMPLE_ENCODINGS, type SampleEncoding } from './sample-codec.js';
export type { WavFormat } from './wav-format.js';
export { type WavEndStatus, WavParser, type WavParserOptions } from './wav-parser.js';
export { type DecodedWav, readWav, readWavStream, type WavFrames } from './wav-reader.js';
export {
  encodeWav,
  encodeWavData,
  patchWavSizes,
  type WavAudio,
  type WavHeaderOptions,
  type WavWriteOptions,
  wavHeader,
} from './wav-writer.js';
