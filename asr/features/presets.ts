import type { FbankOptionsInput } from './fbank-options.js';
import type { NemoMelOptionsInput } from './nemo-mel-options.js';

/**
 * Feature configurations as data, keyed by stable names a model manifest can cite.
 * The sherpa-* entries reproduce what sherpa-onnx feeds each model path (contract
 * section 1.2); the nemo-* entries reproduce NeMo's own preprocessor (section 1.3).
 * `numMelBins` is 80 everywhere; a model whose metadata says otherwise (e.g. 128 for
 * parakeet-tdt-0.6b) overrides it when the extractor is created.
 */
export type FeatureSpec =
  | { readonly kind: 'fbank'; readonly options: Readonly<FbankOptionsInput> }
  | { readonly kind: 'nemo-mel'; readonly options: Readonly<NemoMelOptionsInput> };

export type FeaturePreset = FeatureSpec & {
  /** What the preset is for and what the model path does after it. */
  readonly description: string;
};

const sherpaFbank = {
  sampleRate: 16000,
  frameLengthMs: 25,
  frameShiftMs: 10,
  dither: 0,
  preemphCoeff: 0.97,
  roundToPowerOfTwo: true,
  numMelBins: 80,
  useLogFbank: true,
} as const;

const paraformerFbank = {
  ...sherpaFbank,
  windowType: 'hamming',
  lowFreq: 20,
  highFreq: 8000,
  isLibrosa: false,
  removeDcOffset: true,
  snipEdges: true,
  sampleScale: 32768,
} as const;

function freezeDeep<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) freezeDeep(inner);
    Object.freeze(value);
  }
  return value;
}

export const featurePresets = freezeDeep({
  'sherpa-online-nemo-ctc': {
    kind: 'fbank',
    description:
      'sherpa online NeMo CTC: plain knf defaults (povey, 20-7600 Hz, Kaldi mel, DC removal, snip_edges off); no normalisation.',
    options: {
      ...sherpaFbank,
      windowType: 'povey',
      lowFreq: 20,
      highFreq: -400,
      isLibrosa: false,
      removeDcOffset: true,
      snipEdges: false,
    },
  },
  'sherpa-online-nemo-transducer': {
    kind: 'fbank',
    description:
      'sherpa online NeMo transducer: periodic hann, 0-8000 Hz, librosa/Slaney mel, no DC removal, snip_edges off; no normalisation.',
    options: {
      ...sherpaFbank,
      windowType: 'hann',
      lowFreq: 0,
      highFreq: 8000,
      isLibrosa: true,
      removeDcOffset: false,
      snipEdges: false,
    },
  },
  'sherpa-offline-nemo-ctc': {
    kind: 'fbank',
    description:
      'sherpa offline NeMo CTC: periodic hann, 0-Nyquist, librosa mel, no DC removal, snip_edges off; then per-feature CMVN (population std) if metadata normalize_type=per_feature.',
    options: {
      ...sherpaFbank,
      windowType: 'hann',
      lowFreq: 0,
      highFreq: 0,
      isLibrosa: true,
      removeDcOffset: false,
      snipEdges: false,
    },
  },
  'sherpa-offline-nemo-transducer': {
    kind: 'fbank',
    description:
      'sherpa offline NeMo transducer: povey, 0-7600 Hz, librosa mel, no DC removal, snip_edges off; then per-feature CMVN (population std) per metadata.',
    options: {
      ...sherpaFbank,
      windowType: 'povey',
      lowFreq: 0,
      highFreq: -400,
      isLibrosa: true,
      removeDcOffset: false,
      snipEdges: false,
    },
  },
  'sherpa-offline-paraformer': {
    kind: 'fbank',
    description:
      'sherpa offline Paraformer: hamming, 20-8000 Hz, Kaldi mel, DC removal, snip_edges on, samples x32768; then offline LFR 7/6 and CMVN from am.mvn.',
    options: paraformerFbank,
  },
  'sherpa-online-paraformer': {
    kind: 'fbank',
    description:
      'sherpa online Paraformer (since sherpa 50ec8c1c3): same fbank as offline; then 61-frame chunks, online LFR 7/6, CMVN x sqrt(512), sinusoidal PE.',
    options: paraformerFbank,
  },
  'nemo-native': {
    kind: 'nemo-mel',
    description:
      'NeMo FilterbankFeatures as offline FastConformer/Parakeet models were trained: hann(400, symmetric), n_fft 512, Slaney mel 0-8000, ln(x+2^-24), per_feature normalisation.',
    options: { normalize: 'per_feature' },
  },
  'nemo-native-streaming': {
    kind: 'nemo-mel',
    description:
      'NeMo FilterbankFeatures for cache-aware streaming FastConformer (normalize: NA); streamable with OnlineNemoMel.',
    options: { normalize: 'none' },
  },
} as const satisfies Record<string, FeaturePreset>);

export type FeaturePresetName = keyof typeof featurePresets;

export const featurePresetNames = Object.freeze(Object.keys(featurePresets) as FeaturePresetName[]);

export function isFeaturePresetName(name: string): name is FeaturePresetName {
  return Object.hasOwn(featurePresets, name);
}
