import { describe, expect, it } from 'vitest';
import {
  computeFeatures,
  createOnlineExtractor,
  featureDim,
  featurePresetNames,
  featurePresets,
  OnlineFbank,
  OnlineNemoMel,
  resolveFeatureSpec,
} from '../../../asr/features/index.js';
import { isSpeechError } from '../../../common/errors.js';

describe('feature presets', () => {
  it('are frozen data under stable names', () => {
    expect(featurePresetNames).toEqual([
      'sherpa-online-nemo-ctc',
      'sherpa-online-nemo-transducer',
      'sherpa-offline-nemo-ctc',
      'sherpa-offline-nemo-transducer',
      'sherpa-offline-paraformer',
      'sherpa-online-paraformer',
      'nemo-native',
      'nemo-native-streaming',
    ]);
    expect(Object.isFrozen(featurePresets)).toBe(true);
    expect(Object.isFrozen(featurePresets['sherpa-online-nemo-ctc'].options)).toBe(true);
    expect(() => {
      (featurePresets['sherpa-online-nemo-ctc'].options as { lowFreq: number }).lowFreq = 0;
    }).toThrow(TypeError);
  });

  it('all build, with 80 bins unless overridden', () => {
    for (const name of featurePresetNames) expect(featureDim(name), name).toBe(80);
    for (const name of ['sherpa-offline-nemo-transducer', 'nemo-native', 'nemo-native-streaming']) {
      expect(featureDim(name, { numMelBins: 128 }), name).toBe(128);
    }
    // Like knf, Kaldi-mode filters from 20 Hz cannot be split 128 ways on a 512-point FFT.
    expect(() => featureDim('sherpa-online-nemo-ctc', { numMelBins: 128 })).toThrow(
      /mel bin 1 covers no FFT bin/,
    );
  });

  it('create the right streaming extractor, and refuse one for per-utterance normalisation', () => {
    expect(createOnlineExtractor('sherpa-online-paraformer')).toBeInstanceOf(OnlineFbank);
    expect(createOnlineExtractor('nemo-native-streaming')).toBeInstanceOf(OnlineNemoMel);
    let caught: unknown;
    try {
      createOnlineExtractor('nemo-native');
    } catch (err) {
      caught = err;
    }
    expect(isSpeechError(caught, 'FEATURE_BAD_OPTIONS')).toBe(true);
  });

  it('name unknown presets and bad overrides in FEATURE_BAD_OPTIONS errors', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return isSpeechError(err) ? `${err.code}: ${err.message}` : 'other';
      }
      return 'none';
    };
    expect(codeOf(() => resolveFeatureSpec('whisper'))).toMatch(
      /^FEATURE_BAD_OPTIONS: unknown feature preset 'whisper'/,
    );
    expect(
      codeOf(() => computeFeatures(new Float32Array(800), 'sherpa-online-nemo-ctc', { numMelBins: 1 })),
    ).toMatch(/^FEATURE_BAD_OPTIONS: .*numMelBins/);
  });
});
