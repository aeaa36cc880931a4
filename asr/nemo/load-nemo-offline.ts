import { SpeechError } from '../../common/errors.js';
import { openNemoOfflineModels } from '../../models/nemo/offline-models.js';
import { type LoadManifestOptions, loadManifest, type ModelManifest } from '../../models/runtime/manifest.js';
import type { SessionOptions } from '../../models/runtime/session-options.js';
import { OfflineNemoCtcRecognizer } from './offline-ctc-recognizer.js';
import {
  type OfflineNemoTransducerOptions,
  OfflineNemoTransducerRecognizer,
} from './offline-transducer-recognizer.js';

export interface LoadNemoOfflineOptions extends OfflineNemoTransducerOptions, LoadManifestOptions {
  readonly session?: SessionOptions;
  /** Use the features sherpa-onnx computes for this family (and its population-variance normalisation). */
  readonly sherpaFeatures?: boolean;
}

export type OfflineNemoRecognizer = OfflineNemoCtcRecognizer | OfflineNemoTransducerRecognizer;

/**
 * Opens a NeMo offline model directory (or an already loaded manifest) of family
 * nemo-ctc-offline or nemo-transducer-offline as a recognizer.
 */
export async function loadNemoOfflineRecognizer(
  dirOrManifest: string | ModelManifest,
  options: LoadNemoOfflineOptions = {},
): Promise<OfflineNemoRecognizer> {
  const manifest =
    typeof dirOrManifest === 'string'
      ? await loadManifest(
          dirOrManifest,
          options.precision === undefined ? {} : { precision: options.precision },
        )
      : dirOrManifest;
  const sherpaPreset = manifest.spec.sherpaFeaturePreset;
  if (
    options.sherpaFeatures &&
    options.featurePreset !== undefined &&
    options.featurePreset !== sherpaPreset
  ) {
    throw new SpeechError(
      'CONFIG_INVALID',
      `sherpaFeatures selects ${sherpaPreset}, which contradicts featurePreset ${options.featurePreset}`,
    );
  }
  const featurePreset = options.sherpaFeatures ? sherpaPreset : options.featurePreset;
  const models = await openNemoOfflineModels(manifest, options.session);
  try {
    return models.kind === 'ctc'
      ? new OfflineNemoCtcRecognizer(manifest, models, { ...options, featurePreset })
      : new OfflineNemoTransducerRecognizer(manifest, models, { ...options, featurePreset });
  } catch (err) {
    await models.release();
    throw err;
  }
}
