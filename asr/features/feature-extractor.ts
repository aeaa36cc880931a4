import { SpeechError } from '../../common/errors.js';
import { computeFbank } from './fbank.js';
import { FbankComputer } from './fbank-computer.js';
import type { FbankOptionsInput } from './fbank-options.js';
import type { FeatureMatrix } from './feature-matrix.js';
import { computeNemoMel } from './nemo-mel.js';
import { NemoMelComputer } from './nemo-mel-computer.js';
import type { NemoMelOptionsInput } from './nemo-mel-options.js';
import { OnlineFbank } from './online-fbank.js';
import type { OnlineFeatureExtractor } from './online-feature-extractor.js';
import { OnlineNemoMel } from './online-nemo-mel.js';
import { type FeatureSpec, featurePresetNames, featurePresets, isFeaturePresetName } from './presets.js';

/** Option overrides applied on top of a preset (e.g. numMelBins from model metadata). */
export type FeatureOverrides = Partial<FbankOptionsInput> | Partial<NemoMelOptionsInput>;

/** A preset name or an explicit spec, with overrides merged in; unknown names throw FEATURE_BAD_OPTIONS. */
export function resolveFeatureSpec(
  spec: string | FeatureSpec,
  overrides: FeatureOverrides = {},
): FeatureSpec {
  let base: FeatureSpec;
  if (typeof spec === 'string') {
    if (!isFeaturePresetName(spec)) {
      throw new SpeechError(
        'FEATURE_BAD_OPTIONS',
        `unknown feature preset '${spec}'; known: ${featurePresetNames.join(', ')}`,
        {
          preset: spec,
        },
      );
    }
    base = featurePresets[spec];
  } else {
    base = spec;
  }
  return base.kind === 'fbank'
    ? { kind: 'fbank', options: { ...base.options, ...(overrides as Partial<FbankOptionsInput>) } }
    : { kind: 'nemo-mel', options: { ...base.options, ...(overrides as Partial<NemoMelOptionsInput>) } };
}

/** Whole-utterance features for a preset or spec. */
export function computeFeatures(
  samples: Float32Array,
  spec: string | FeatureSpec,
  overrides?: FeatureOverrides,
): FeatureMatrix {
  const s = resolveFeatureSpec(spec, overrides);
  return s.kind === 'fbank' ? computeFbank(samples, s.options) : computeNemoMel(samples, s.options);
}

/** A streaming extractor for a preset or spec (NeMo specs must have normalize 'none'). */
export function createOnlineExtractor(
  spec: string | FeatureSpec,
  overrides?: FeatureOverrides,
): OnlineFeatureExtractor {
  const s = resolveFeatureSpec(spec, overrides);
  return s.kind === 'fbank' ? new OnlineFbank(s.options) : new OnlineNemoMel(s.options);
}

/** Feature dimension a spec produces (validates the options). */
export function featureDim(spec: string | FeatureSpec, overrides?: FeatureOverrides): number {
  const s = resolveFeatureSpec(spec, overrides);
  return s.kind === 'fbank' ? new FbankComputer(s.options).dim : new NemoMelComputer(s.options).dim;
}
