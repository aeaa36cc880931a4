/**
 * Whole-utterance features for the NeMo offline models (contract 1.2, 1.3, 2.3). Which
 * normalisation runs is read from the model (metadata `normalize_type`), and how it is
 * estimated follows the feature preset: NeMo's own preprocessor ('nemo-*' presets)
 * uses torch.std (unbiased), sherpa-onnx's knf path ('sherpa-*' presets) the population
 * variance of `NemoNormalizePerFeature`.
 */
import { SpeechError } from '../../common/errors.js';
import type { ModelManifest } from '../../models/runtime/manifest.js';
import { computeFeatures, resolveFeatureSpec } from '../features/feature-extractor.js';
import type { FeatureMatrix } from '../features/feature-matrix.js';
import { normalizePerFeature } from '../features/per-feature-norm.js';
import type { FeaturePresetName } from '../features/presets.js';

export type NemoNormalizeType = 'per_feature' | 'none';

/** Metadata `normalize_type`: 'per_feature', or nothing for ''/'NA'/'none' (sherpa normalises only per_feature). */
export function readNormalizeType(manifest: ModelManifest): NemoNormalizeType {
  const raw = manifest.metadata.stringOr('normalize_type', '').trim();
  if (raw === 'per_feature') return 'per_feature';
  if (raw === '' || raw === 'NA' || raw === 'none') return 'none';
  throw new SpeechError(
    'MODEL_METADATA_INVALID',
    `${manifest.metadata.file}: normalize_type '${raw}' is not supported (per_feature or empty)`,
    { file: manifest.metadata.file, key: 'normalize_type', value: raw },
  );
}

export interface OfflineNemoFeatureConfig {
  readonly preset: FeaturePresetName;
  readonly numMelBins: number;
  readonly normalize: NemoNormalizeType;
}

/** Time-major [frames, numMelBins]; zero frames for audio shorter than one hop. */
export function offlineNemoFeatures(samples: Float32Array, config: OfflineNemoFeatureConfig): FeatureMatrix {
  const spec = resolveFeatureSpec(config.preset);
  if (spec.kind === 'nemo-mel') {
    return computeFeatures(samples, spec, { numMelBins: config.numMelBins, normalize: config.normalize });
  }
  const m = computeFeatures(samples, spec, { numMelBins: config.numMelBins });
  if (config.normalize === 'per_feature') normalizePerFeature(m, { variance: 'population' });
  return m;
}
