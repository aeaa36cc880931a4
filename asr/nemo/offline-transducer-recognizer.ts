/**
 * Offline (whole-utterance) NeMo RNNT, as sherpa-onnx decodes it (contract 2.3): one
 * padded batch through `encoder.onnx` (padding 0), then per utterance greedy search
 * over its `encoded_lengths` frames from blank and zero LSTM states, at most 10
 * symbols per frame; or modified beam search, with hotwords, over the same frames.
 */
import type { NemoOfflineTransducerModels } from '../../models/nemo/offline-models.js';
import type { PredictorState } from '../../models/nemo/transducer-predictor.js';
import type { ModelManifest } from '../../models/runtime/manifest.js';
import type { DecodedTokens } from '../decoders/decoded-tokens.js';
import { createRnntGreedyState, rnntGreedyDecodeChunk } from '../decoders/rnnt-greedy.js';
import type { RnntJoiner, RnntJoinerBatch, RnntPredictor } from '../decoders/rnnt-model.js';
import { createRnntBeamState, rnntBeamBest, rnntBeamDecodeChunk } from '../decoders/rnnt-modified-beam.js';
import type { FeatureMatrix } from '../features/feature-matrix.js';
import {
  OfflineNemoRecognizerBase,
  type OfflineNemoRecognizerOptions,
  type OfflineNemoSearch,
} from './offline-recognizer-base.js';

export interface OfflineNemoTransducerOptions extends OfflineNemoRecognizerOptions {
  /** Greedy search's symbols-per-frame cap (default 10, as NeMo and sherpa). */
  readonly maxSymbolsPerFrame?: number;
}

export class OfflineNemoTransducerRecognizer extends OfflineNemoRecognizerBase {
  readonly #models: NemoOfflineTransducerModels;
  readonly #maxSymbols: number;
  readonly #predictor: RnntPredictor<PredictorState>;
  readonly #joiner: RnntJoiner;
  readonly #joinerBatch: RnntJoinerBatch;

  constructor(
    manifest: ModelManifest,
    models: NemoOfflineTransducerModels,
    options: OfflineNemoTransducerOptions = {},
  ) {
    super(manifest, models, models.encoder.featDim, 'rnnt', options);
    this.#models = models;
    this.#maxSymbols = options.maxSymbolsPerFrame ?? 10;
    const { predictor, joiner } = models;
    this.#predictor = (token, state) => predictor.predict(token, state);
    this.#joiner = (enc, dec) => joiner.join(enc, dec);
    this.#joinerBatch = (enc, decs) => joiner.joinMany(enc, decs);
  }

  protected async decodeFeatures(
    features: readonly FeatureMatrix[],
    search: OfflineNemoSearch,
  ): Promise<DecodedTokens[]> {
    const encoded = await this.#models.encoder.encode(features);
    const common = {
      blankId: this.blankId,
      vocabSize: this.tokens.size,
      encDim: this.#models.joiner.encDim,
      predictor: this.#predictor,
    };
    const results: DecodedTokens[] = [];
    // Greedy search is sequential per utterance: each step depends on the last token.
    for (const enc of encoded) {
      if (search.search === 'greedy') {
        const state = createRnntGreedyState<PredictorState>();
        await rnntGreedyDecodeChunk(state, enc.frames, {
          ...common,
          joiner: this.#joiner,
          maxSymbolsPerFrame: this.#maxSymbols,
        });
        results.push(state);
      } else {
        const state = createRnntBeamState<PredictorState>();
        await rnntBeamDecodeChunk(state, enc.frames, {
          ...common,
          joinerBatch: this.#joinerBatch,
          beamSize: search.beam,
          unkId: this.tokens.idOf('<unk>'),
          context: search.context,
        });
        results.push(rnntBeamBest(state, { context: search.context, final: true }));
      }
    }
    return results;
  }
}
