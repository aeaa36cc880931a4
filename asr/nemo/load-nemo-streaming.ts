import { openNemoStreamingModels } from '../../models/nemo/streaming-models.js';
import { loadManifest, type ModelManifest } from '../../models/runtime/manifest.js';
import type { SessionOptions } from '../../models/runtime/session-options.js';
import { type NemoRecognizerOptions, NemoStreamingRecognizer } from './nemo-streaming-recognizer.js';

export interface LoadNemoStreamingOptions extends NemoRecognizerOptions {
  readonly session?: SessionOptions;
  /** Use the features sherpa-onnx computes for this family instead of the training ones. */
  readonly sherpaFeatures?: boolean;
  /**
   * Run CTC-only streams of a hybrid directory through its fused `model.onnx` (one
   * encoder call per step instead of encoder + CTC head), at the cost of holding the
   * encoder weights twice. Default: on when the default decoder (the option's, else the
   * manifest's) is 'ctc'.
   */
  readonly fusedCtcGraph?: boolean;
  /** A static-shape copy of each encoder graph for one-stream steps (streaming-models.ts); default 'auto'. */
  readonly singleStreamGraphs?: boolean | 'auto';
  /** Under WebGPU, keep encoder caches in GPU memory between calls (encoder-cache.ts); default on. */
  readonly cachesOnDevice?: boolean;
}

/** Opens a NeMo streaming model directory (or an already loaded manifest) as a recognizer. */
export async function loadNemoStreamingRecognizer(
  dirOrManifest: string | ModelManifest,
  options: LoadNemoStreamingOptions = {},
): Promise<NemoStreamingRecognizer> {
  const manifest = typeof dirOrManifest === 'string' ? await loadManifest(dirOrManifest) : dirOrManifest;
  const models = await openNemoStreamingModels(manifest, options.session, {
    fusedCtcGraph: options.fusedCtcGraph ?? (options.defaultDecoder ?? manifest.defaultDecoder) === 'ctc',
    singleStreamGraphs: options.singleStreamGraphs ?? 'auto',
    cachesOnDevice: options.cachesOnDevice ?? true,
  });
  try {
    const featurePreset = options.sherpaFeatures ? manifest.spec.sherpaFeaturePreset : options.featurePreset;
    return new NemoStreamingRecognizer(manifest, models, { ...options, featurePreset });
  } catch (err) {
    await models.release();
    throw err;
  }
}
