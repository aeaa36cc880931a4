/**
 * What the NeMo offline recognizers (CTC and transducer) share: features per the
 * preset and the model's normalize_type, batching (utterances sorted by length, one
 * model call per group of `maxBatch`), search options and hotwords, results with
 * 80 ms frames, and the closed state. Subclasses only turn features into tokens.
 */
import { SpeechError } from '../../common/errors.js';
import type { ModelManifest } from '../../models/runtime/manifest.js';
import type { SymbolTable } from '../../models/runtime/tokens.js';
import { ContextGraph } from '../decoders/context-graph.js';
import type { DecodedTokens } from '../decoders/decoded-tokens.js';
import type { FeatureMatrix } from '../features/feature-matrix.js';
import type { FeaturePresetName } from '../features/presets.js';
import type {
  Hotword,
  OfflineRecognizer,
  RecognizerInfo,
  SearchKind,
  StreamingDecoderKind,
} from '../recognizer.js';
import { type AsrResult, buildAsrResult } from '../text/asr-result.js';
import { tokenizePhrase } from '../text/tokenize-phrase.js';
import { type OfflineNemoFeatureConfig, offlineNemoFeatures, readNormalizeType } from './offline-features.js';

/** Feature frame shift the NeMo contracts assume (10 ms at 16 kHz). */
const FRAME_SHIFT_SECONDS = 0.01;
const DEFAULT_HOTWORD_SCORE = 1.5;
const DEFAULT_MAX_BATCH = 16;

/** Per-call search settings (the recognizer's options are the defaults). */
export interface OfflineNemoDecodeOptions {
  readonly search?: SearchKind;
  /** Beam width for beam search (default 4). */
  readonly beam?: number;
  /** Contextual biasing; forces beam search. */
  readonly hotwords?: readonly Hotword[];
}

export interface OfflineNemoRecognizerOptions extends OfflineNemoDecodeOptions {
  /** Feature preset; default the manifest's (what the model was trained with). */
  readonly featurePreset?: FeaturePresetName;
  /** Bonus per matched hotword token when a hotword gives none (default 1.5, as sherpa). */
  readonly hotwordScore?: number;
  /** Utterances per model call in transcribeBatch (default 16). */
  readonly maxBatch?: number;
}

/** Search settings after defaults and validation. */
export interface OfflineNemoSearch {
  readonly search: SearchKind;
  readonly beam: number;
  readonly context: ContextGraph | undefined;
}

export interface OfflineNemoModelHandle {
  readonly provider: string;
  release(): Promise<void>;
}

export abstract class OfflineNemoRecognizerBase implements OfflineRecognizer {
  readonly info: RecognizerInfo;
  protected readonly tokens: SymbolTable;
  protected readonly blankId: number;
  readonly #models: OfflineNemoModelHandle;
  readonly #features: OfflineNemoFeatureConfig;
  readonly #defaults: OfflineNemoDecodeOptions;
  readonly #hotwordScore: number;
  readonly #maxBatch: number;
  #closed = false;

  protected constructor(
    manifest: ModelManifest,
    models: OfflineNemoModelHandle,
    featDim: number,
    decoder: StreamingDecoderKind,
    options: OfflineNemoRecognizerOptions,
  ) {
    this.#models = models;
    this.tokens = manifest.tokens;
    this.blankId = manifest.tokens.idOf('<blk>') ?? manifest.tokens.size - 1;
    this.#features = {
      preset: options.featurePreset ?? manifest.featurePreset,
      numMelBins: featDim,
      normalize: readNormalizeType(manifest),
    };
    this.#hotwordScore = options.hotwordScore ?? DEFAULT_HOTWORD_SCORE;
    this.#maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    if (!Number.isInteger(this.#maxBatch) || this.#maxBatch < 1) {
      throw new SpeechError('CONFIG_INVALID', `maxBatch must be a positive integer, got ${options.maxBatch}`);
    }
    this.#defaults = { search: options.search, beam: options.beam, hotwords: options.hotwords };
    this.info = Object.freeze({
      id: manifest.id,
      family: manifest.family,
      mode: 'offline',
      sampleRate: 16000,
      provider: models.provider,
      featurePreset: this.#features.preset,
      decoders: [decoder],
      lookaheads: [],
      secondsPerFrame: manifest.metadata.int('subsampling_factor') * FRAME_SHIFT_SECONDS,
    });
    // Fail at load, not on the first request, for a bad preset or default search.
    offlineNemoFeatures(new Float32Array(0), this.#features);
    this.resolveSearch({});
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  async transcribe(samples: Float32Array, options?: OfflineNemoDecodeOptions): Promise<AsrResult> {
    const [result] = await this.transcribeBatch([samples], options);
    return result!;
  }

  /**
   * Every utterance is encoded in a padded batch (up to `maxBatch` per model call, the
   * utterances sorted by length so padding stays small) and decoded on its own valid
   * frames, so results equal transcribing each alone.
   */
  async transcribeBatch(
    utterances: readonly Float32Array[],
    options: OfflineNemoDecodeOptions = {},
  ): Promise<AsrResult[]> {
    this.assertOpen();
    const search = this.resolveSearch(options);
    const features = utterances.map((u) => offlineNemoFeatures(u, this.#features));
    const results: AsrResult[] = features.map(() => ({ text: '', tokens: [], timestamps: [], words: [] }));
    const order = features
      .map((_, i) => i)
      .filter((i) => features[i]!.numFrames > 0)
      .sort((a, b) => features[a]!.numFrames - features[b]!.numFrames);
    for (let at = 0; at < order.length; at += this.#maxBatch) {
      const group = order.slice(at, at + this.#maxBatch);
      this.assertOpen();
      const decoded = await this.decodeFeatures(
        group.map((i) => features[i]!),
        search,
      );
      group.forEach((i, j) => {
        results[i] = buildAsrResult(decoded[j]!, {
          symbols: this.tokens,
          style: 'sentencepiece',
          secondsPerFrame: this.info.secondsPerFrame,
        });
      });
    }
    return results;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#models.release();
  }

  /** One model call for `features` (all non-empty); one decoded result each, in order. */
  protected abstract decodeFeatures(
    features: readonly FeatureMatrix[],
    search: OfflineNemoSearch,
  ): Promise<DecodedTokens[]>;

  private resolveSearch(options: OfflineNemoDecodeOptions): OfflineNemoSearch {
    const hotwords = options.hotwords ?? this.#defaults.hotwords ?? [];
    const context =
      hotwords.length === 0
        ? undefined
        : ContextGraph.build(
            hotwords.map((h) => ({
              tokens: tokenizePhrase(h.phrase, this.tokens),
              score: h.boost,
              phrase: h.phrase,
            })),
            this.#hotwordScore,
          );
    const search = context !== undefined ? 'beam' : (options.search ?? this.#defaults.search ?? 'greedy');
    if (search !== 'greedy' && search !== 'beam') {
      throw new SpeechError('ASR_UNSUPPORTED_OPTION', `search must be 'greedy' or 'beam', got '${search}'`);
    }
    const beam = options.beam ?? this.#defaults.beam ?? 4;
    if (!Number.isInteger(beam) || beam < 1 || beam > 64) {
      throw new SpeechError('CONFIG_INVALID', `beam must be an integer in 1..64, got ${beam}`);
    }
    return { search, beam, context };
  }

  private assertOpen(): void {
    if (this.#closed) {
      throw new SpeechError('MODEL_RELEASED', `${this.info.id}: recognizer used after close()`, {
        model: this.info.id,
      });
    }
  }
}
