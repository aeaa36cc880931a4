/**
 * Offline (whole-utterance) NeMo CTC, as sherpa-onnx decodes it (contract 2.3): one
 * padded batch through `model.onnx` (padding ln(1e-10) after per-utterance
 * normalisation), then per utterance greedy CTC over `length // subsampling_factor`
 * frames; or CTC prefix beam search, with hotwords, over the same frames.
 */
import { SpeechError } from '../../common/errors.js';
import type { NemoOfflineCtcModels } from '../../models/nemo/offline-models.js';
import type { ModelManifest } from '../../models/runtime/manifest.js';
import { createCtcGreedyState, ctcGreedyDecodeChunk } from '../decoders/ctc-greedy.js';
import {
  createCtcPrefixBeamState,
  ctcPrefixBeamBest,
  ctcPrefixBeamDecodeChunk,
} from '../decoders/ctc-prefix-beam.js';
import type { DecodedTokens } from '../decoders/decoded-tokens.js';
import type { FeatureMatrix } from '../features/feature-matrix.js';
import {
  OfflineNemoRecognizerBase,
  type OfflineNemoRecognizerOptions,
  type OfflineNemoSearch,
} from './offline-recognizer-base.js';

export class OfflineNemoCtcRecognizer extends OfflineNemoRecognizerBase {
  readonly #models: NemoOfflineCtcModels;

  constructor(
    manifest: ModelManifest,
    models: NemoOfflineCtcModels,
    options: OfflineNemoRecognizerOptions = {},
  ) {
    super(manifest, models, models.model.featDim, 'ctc', options);
    this.#models = models;
    const width = models.model.declaredWidth;
    if (width !== undefined) this.checkWidth(width);
  }

  protected async decodeFeatures(
    features: readonly FeatureMatrix[],
    search: OfflineNemoSearch,
  ): Promise<DecodedTokens[]> {
    const outputs = await this.#models.model.run(features);
    return outputs.map((out) => {
      this.checkWidth(out.width);
      const opts = { blankId: this.blankId, vocabSize: out.width };
      if (search.search === 'greedy') {
        const state = createCtcGreedyState();
        ctcGreedyDecodeChunk(state, out.logProbs, opts);
        return state;
      }
      const state = createCtcPrefixBeamState();
      ctcPrefixBeamDecodeChunk(state, out.logProbs, {
        ...opts,
        beamSize: search.beam,
        context: search.context,
      });
      return ctcPrefixBeamBest(state, { context: search.context, final: true });
    });
  }

  private checkWidth(width: number): void {
    if (width !== this.tokens.size) {
      throw new SpeechError(
        'MODEL_CONTRACT_MISMATCH',
        `${this.info.id}: the CTC graph outputs ${width} classes but tokens.txt has ${this.tokens.size}`,
        { model: this.info.id, classes: width, tokens: this.tokens.size },
      );
    }
  }
}
