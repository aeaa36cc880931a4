/**
 * FunASR Paraformer recognizers (contract section 3): offline (one graph, optional BiCif
 * timestamps) and streaming (encoder + decoder with FSMN caches), token-identical to
 * sherpa-onnx. `loadParaformerRecognizer` builds the right one from a model directory.
 */
import { SpeechError } from '../../common/errors.js';
import { type LoadManifestOptions, loadManifest, type ModelManifest } from '../../models/runtime/index.js';
import type { EndpointConfig } from '../endpoint.js';
import { OfflineParaformerRecognizer } from './offline-paraformer-recognizer.js';
import type { ParaformerRecognizerOptions } from './paraformer-constants.js';
import { StreamingParaformerRecognizer } from './streaming-paraformer-recognizer.js';

export { OfflineParaformerRecognizer, type ParaformerAsrResult } from './offline-paraformer-recognizer.js';
export { type CifFires, type CifState, cifStep, createCifState, resetCifState } from './online-cif.js';
export {
  PARAFORMER_SECONDS_PER_FRAME,
  type ParaformerLogger,
  type ParaformerModelConstants,
  type ParaformerRecognizerOptions,
  readParaformerConstants,
} from './paraformer-constants.js';
export {
  addPositionEncodingFloat32,
  applyCmvnFloat32,
  offlineParaformerFeatures,
} from './paraformer-features.js';
export {
  CIF_PEAK_THRESHOLD,
  cifPeakIndices,
  PEAK_UPSAMPLE,
  type TimingSource,
  type TokenTiming,
  tokenFrames,
} from './paraformer-timing.js';
export {
  CHUNK_FRAMES,
  LEFT_CONTEXT,
  ParaformerStream,
  RIGHT_CONTEXT,
  StreamingParaformerRecognizer,
} from './streaming-paraformer-recognizer.js';

export const paraformerFamilies = ['paraformer-offline', 'paraformer-streaming'] as const;
export type ParaformerFamily = (typeof paraformerFamilies)[number];

export function isParaformerFamily(family: string): family is ParaformerFamily {
  return (paraformerFamilies as readonly string[]).includes(family);
}

export interface LoadParaformerOptions extends ParaformerRecognizerOptions, LoadManifestOptions {
  /** Default endpoint rules of the streaming recognizer (sessions may override per stream). */
  readonly endpoint?: EndpointConfig;
}

export type ParaformerRecognizer = OfflineParaformerRecognizer | StreamingParaformerRecognizer;

/**
 * Loads a Paraformer model directory (or an already loaded manifest) and returns the
 * recognizer of its family: `paraformer-offline` -> OfflineParaformerRecognizer,
 * `paraformer-streaming` -> StreamingParaformerRecognizer. Another family is
 * MODEL_MANIFEST_INVALID.
 */
export async function loadParaformerRecognizer(
  source: string | ModelManifest,
  options: LoadParaformerOptions = {},
): Promise<ParaformerRecognizer> {
  const manifest =
    typeof source === 'string'
      ? await loadManifest(source, options.precision === undefined ? {} : { precision: options.precision })
      : source;
  if (manifest.family === 'paraformer-offline') return OfflineParaformerRecognizer.load(manifest, options);
  if (manifest.family === 'paraformer-streaming')
    return StreamingParaformerRecognizer.load(manifest, options);
  throw new SpeechError(
    'MODEL_MANIFEST_INVALID',
    `${manifest.dir}: family ${manifest.family} is not a Paraformer (${paraformerFamilies.join(', ')})`,
    { dir: manifest.dir, family: manifest.family },
  );
}
