/**
 * The model families speechstream runs, declared as data: the files each needs (with
 * sherpa-onnx's int8 alternatives), which file carries the metadata_props, the keys
 * read from it, the ONNX input/output counts of each graph, the tokens.txt rules, and
 * the feature preset (by name; the presets themselves live in asr/features/).
 * Sources: shared/reference/asr-model-contracts.md sections 2.1-2.3, 3.1-3.2, 4.3.
 */

/**
 * Feature presets by name, in one place (implemented in asr/features/presets.ts; a
 * test checks the two lists agree). NeMo families default to NeMo's own preprocessor,
 * which is what real NeMo checkpoints were trained with; `sherpaFeaturePreset` is what
 * sherpa-onnx feeds the same path (contract 1.2), selected by the sherpa-compat switch.
 */
export const featurePresetNames = [
  'sherpa-online-nemo-ctc',
  'sherpa-online-nemo-transducer',
  'sherpa-offline-nemo-ctc',
  'sherpa-offline-nemo-transducer',
  'sherpa-offline-paraformer',
  'sherpa-online-paraformer',
  'nemo-native',
  'nemo-native-streaming',
] as const;
export type FeaturePresetName = (typeof featurePresetNames)[number];

export const familyIds = [
  'nemo-ctc-streaming',
  'nemo-transducer-streaming',
  'nemo-hybrid-streaming',
  'nemo-ctc-offline',
  'nemo-transducer-offline',
  'paraformer-offline',
  'paraformer-streaming',
] as const;
export type FamilyId = (typeof familyIds)[number];

export const fileRoles = ['model', 'encoder', 'decoder', 'joiner', 'ctcHead', 'tokens'] as const;
export type FileRole = (typeof fileRoles)[number];
export type OnnxRole = Exclude<FileRole, 'tokens'>;

export interface FileSpec {
  readonly role: FileRole;
  /** The fp32 (or only) file name. */
  readonly file: string;
  /** sherpa-onnx's quantised alternative, used when it is the only one present or int8 is asked for. */
  readonly int8?: string;
  readonly required: boolean;
}

export type MetadataType = 'int' | 'string' | 'floats' | 'ints';

export interface MetadataSpec {
  readonly key: string;
  readonly type: MetadataType;
  readonly required: boolean;
  /** floats: must have as many values as this other key. */
  readonly sameLengthAs?: string;
}

/** How many inputs/outputs a graph has; `plusKey` adds an integer metadata value to both bounds. */
export interface CountRule {
  readonly min: number;
  readonly max?: number;
  readonly plusKey?: string;
}

export interface TokensRule {
  /** A symbol that must be the last id (NeMo's blank). */
  readonly blankLast?: string;
  /** tokens.txt line count relative to metadata vocab_size. */
  readonly count?: 'vocab_size' | 'vocab_size+1';
  /** Symbols the decoder looks up by name (Paraformer's '</s>'). */
  readonly requiredSymbols?: readonly string[];
}

export interface FamilySpec {
  readonly id: FamilyId;
  readonly task: 'asr';
  readonly mode: 'streaming' | 'offline';
  readonly summary: string;
  readonly files: readonly FileSpec[];
  readonly metadataFrom: OnnxRole;
  readonly metadata: readonly MetadataSpec[];
  /** Features the model was trained with (the runtime default). */
  readonly featurePreset: FeaturePresetName;
  /** Features sherpa-onnx computes for this path (for bit-level agreement with sherpa). */
  readonly sherpaFeaturePreset: FeaturePresetName;
  readonly tokens: TokensRule;
  readonly io: Readonly<
    Partial<Record<OnnxRole, { readonly inputs: CountRule; readonly outputs: CountRule }>>
  >;
}

const int = (key: string, required = true): MetadataSpec => ({ key, type: 'int', required });
const str = (key: string): MetadataSpec => ({ key, type: 'string', required: false });

const TOKENS: FileSpec = { role: 'tokens', file: 'tokens.txt', required: true };
const onnx = (role: OnnxRole, name: string, required = true): FileSpec => ({
  role,
  file: `${name}.onnx`,
  int8: `${name}.int8.onnx`,
  required,
});

/** Encoder lookahead frames R the streaming export supports, e.g. "0,1,6,13" (speechstream's own key). */
const LOOKAHEADS: MetadataSpec = { key: 'speechstream_lookaheads', type: 'ints', required: false };

// contract 2.1.2: every integer is required by sherpa
const NEMO_STREAMING: readonly MetadataSpec[] = [
  int('vocab_size'),
  int('window_size'),
  int('chunk_shift'),
  int('subsampling_factor'),
  int('cache_last_channel_dim1'),
  int('cache_last_channel_dim2'),
  int('cache_last_channel_dim3'),
  int('cache_last_time_dim1'),
  int('cache_last_time_dim2'),
  int('cache_last_time_dim3'),
  str('normalize_type'),
  str('model_type'),
  LOOKAHEADS,
];
// contract 2.2.2
const NEMO_STREAMING_ENCODER: readonly MetadataSpec[] = [
  ...NEMO_STREAMING,
  int('pred_rnn_layers'),
  int('pred_hidden'),
  int('feat_dim', false),
];
const NEMO_TOKENS: TokensRule = { blankLast: '<blk>', count: 'vocab_size+1' };

const STREAMING_ENCODER_IO = { inputs: { min: 5, max: 6 }, outputs: { min: 5, max: 5 } }; // 6th input: prompt_index
const NEMO_DECODER_IO = { inputs: { min: 4, max: 4 }, outputs: { min: 2 } }; // one output = icefall, not NeMo
const NEMO_JOINER_IO = { inputs: { min: 2, max: 2 }, outputs: { min: 1, max: 1 } };
const TRANSDUCER_FILES = [
  onnx('encoder', 'encoder'),
  onnx('decoder', 'decoder'),
  onnx('joiner', 'joiner'),
  TOKENS,
];

// contract 3.1.3 / 3.2.2
const PARAFORMER: readonly MetadataSpec[] = [
  int('vocab_size'),
  int('lfr_window_size'),
  int('lfr_window_shift'),
  { key: 'neg_mean', type: 'floats', required: true },
  { key: 'inv_stddev', type: 'floats', required: true, sameLengthAs: 'neg_mean' },
  str('model_type'),
];

export const families: Readonly<Record<FamilyId, FamilySpec>> = {
  'nemo-ctc-streaming': {
    id: 'nemo-ctc-streaming',
    task: 'asr',
    mode: 'streaming',
    summary: 'NeMo cache-aware FastConformer, CTC head, one graph (sherpa "online nemo ctc")',
    files: [onnx('model', 'model'), TOKENS],
    metadataFrom: 'model',
    metadata: NEMO_STREAMING,
    featurePreset: 'nemo-native-streaming',
    sherpaFeaturePreset: 'sherpa-online-nemo-ctc',
    tokens: NEMO_TOKENS,
    io: { model: { inputs: { min: 5, max: 5 }, outputs: { min: 5, max: 5 } } },
  },
  'nemo-transducer-streaming': {
    id: 'nemo-transducer-streaming',
    task: 'asr',
    mode: 'streaming',
    summary: 'NeMo cache-aware FastConformer, RNNT head: encoder, decoder, joiner',
    files: TRANSDUCER_FILES,
    metadataFrom: 'encoder',
    metadata: NEMO_STREAMING_ENCODER,
    featurePreset: 'nemo-native-streaming',
    sherpaFeaturePreset: 'sherpa-online-nemo-transducer',
    tokens: NEMO_TOKENS,
    io: { encoder: STREAMING_ENCODER_IO, decoder: NEMO_DECODER_IO, joiner: NEMO_JOINER_IO },
  },
  'nemo-hybrid-streaming': {
    id: 'nemo-hybrid-streaming',
    task: 'asr',
    mode: 'streaming',
    summary: 'NeMo hybrid: one streaming encoder, RNNT decoder/joiner and a CTC head ([B,D,T] -> [B,T,V+1])',
    files: [
      ...TRANSDUCER_FILES,
      onnx('ctcHead', 'ctc-head'),
      // the fused encoder+CTC graph, only for sherpa-onnx compatibility
      onnx('model', 'model', false),
    ],
    metadataFrom: 'encoder',
    metadata: NEMO_STREAMING_ENCODER,
    featurePreset: 'nemo-native-streaming',
    sherpaFeaturePreset: 'sherpa-online-nemo-transducer',
    tokens: NEMO_TOKENS,
    io: {
      encoder: STREAMING_ENCODER_IO,
      decoder: NEMO_DECODER_IO,
      joiner: NEMO_JOINER_IO,
      ctcHead: { inputs: { min: 1, max: 1 }, outputs: { min: 1, max: 1 } },
      model: { inputs: { min: 5, max: 5 }, outputs: { min: 5, max: 5 } },
    },
  },
  'nemo-ctc-offline': {
    id: 'nemo-ctc-offline',
    task: 'asr',
    mode: 'offline',
    summary: 'NeMo FastConformer/Parakeet CTC, whole utterance',
    files: [onnx('model', 'model'), TOKENS],
    metadataFrom: 'model',
    metadata: [
      int('vocab_size'),
      int('subsampling_factor'),
      str('normalize_type'),
      str('model_type'),
      int('is_giga_am', false),
    ],
    featurePreset: 'nemo-native',
    sherpaFeaturePreset: 'sherpa-offline-nemo-ctc',
    // vocab_size's meaning varies between NeMo CTC classes (contract 2.3), so the count is not checked.
    tokens: { blankLast: '<blk>' },
    io: { model: { inputs: { min: 2, max: 2 }, outputs: { min: 1 } } },
  },
  'nemo-transducer-offline': {
    id: 'nemo-transducer-offline',
    task: 'asr',
    mode: 'offline',
    summary: 'NeMo FastConformer/Parakeet RNNT (or TDT), whole utterance',
    files: TRANSDUCER_FILES,
    metadataFrom: 'encoder',
    metadata: [
      int('vocab_size'),
      int('subsampling_factor'),
      int('pred_rnn_layers'),
      int('pred_hidden'),
      str('normalize_type'),
      str('model_type'),
      str('url'),
      int('feat_dim', false),
      int('is_giga_am', false),
    ],
    featurePreset: 'nemo-native',
    sherpaFeaturePreset: 'sherpa-offline-nemo-transducer',
    tokens: NEMO_TOKENS,
    io: {
      encoder: { inputs: { min: 2, max: 2 }, outputs: { min: 2, max: 2 } },
      decoder: NEMO_DECODER_IO,
      joiner: NEMO_JOINER_IO,
    },
  },
  'paraformer-offline': {
    id: 'paraformer-offline',
    task: 'asr',
    mode: 'offline',
    summary: 'FunASR Paraformer, whole utterance, one graph',
    files: [onnx('model', 'model'), TOKENS],
    metadataFrom: 'model',
    metadata: PARAFORMER,
    featurePreset: 'sherpa-offline-paraformer',
    sherpaFeaturePreset: 'sherpa-offline-paraformer',
    tokens: { count: 'vocab_size', requiredSymbols: ['</s>'] },
    io: { model: { inputs: { min: 2, max: 2 }, outputs: { min: 2, max: 4 } } },
  },
  'paraformer-streaming': {
    id: 'paraformer-streaming',
    task: 'asr',
    mode: 'streaming',
    summary: 'FunASR streaming Paraformer: encoder + decoder with FSMN caches',
    files: [onnx('encoder', 'encoder'), onnx('decoder', 'decoder'), TOKENS],
    metadataFrom: 'encoder',
    metadata: [
      ...PARAFORMER,
      int('encoder_output_size'),
      int('decoder_num_blocks'),
      int('decoder_kernel_size'),
    ],
    featurePreset: 'sherpa-online-paraformer',
    sherpaFeaturePreset: 'sherpa-online-paraformer',
    tokens: { count: 'vocab_size' },
    io: {
      encoder: { inputs: { min: 2, max: 2 }, outputs: { min: 3, max: 3 } },
      decoder: {
        inputs: { min: 4, max: 4, plusKey: 'decoder_num_blocks' },
        outputs: { min: 2, max: 2, plusKey: 'decoder_num_blocks' },
      },
    },
  },
};
