import { describe, expect, it } from 'vitest';
import { featurePresets } from '../../../asr/features/presets.js';
import { families, featurePresetNames } from '../../../models/runtime/families.js';

// models/ declares preset names as data without importing asr/; this keeps the two in step.
describe('feature preset names', () => {
  it('every name models/ can cite is implemented in asr/features', () => {
    expect([...featurePresetNames].sort()).toEqual(Object.keys(featurePresets).sort());
  });

  it('every family names implemented presets', () => {
    for (const spec of Object.values(families)) {
      expect(Object.hasOwn(featurePresets, spec.featurePreset), spec.id).toBe(true);
      expect(Object.hasOwn(featurePresets, spec.sherpaFeaturePreset), spec.id).toBe(true);
    }
  });
});
