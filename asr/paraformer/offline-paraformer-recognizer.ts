import { SpeechError } from '../../common/errors.js';
import {
  OfflineParaformerModel,
  type OfflineParaformerOutputs,
} from '../../models/paraformer/offline-paraformer-model.js';
import type { ModelManifest, SymbolTable } from '../../models/runtime/index.js';
import { paraformerGreedyDecode } from '../decoders/paraformer-greedy.js';
import type { FeatureMatrix } from '../features/index.js';
import type { OfflineRecognizer, RecognizerInfo } from '../recognizer.js';
import { type AsrResult, buildAsrResult } from '../text/asr-result.js';
import {
  PARAFORMER_SECONDS_PER_FRAME,
  type ParaformerLogger,
  type ParaformerModelConstants,
  type ParaformerRecognizerOptions,
  readParaformerConstants,
  roundTimes,
} from './paraformer-constants.js';
import { offlineParaformerFeatures } from './paraformer-features.js';
import { type TimingSource, tokenFrames } from './paraformer-timing.js';

export interface ParaformerAsrResult extends AsrResult {
  /** Where the token times came from: BiCif peaks, or an even spread (no timing outputs). */
  readonly timing: TimingSource;
  /** The graph's CIF token count (token_num), `</s>` included. */
  readonly tokenNum: number;
  /**
   * sherpa's rule (argmax until the first `</s>`, used for `tokens`) and FunASR's rule
   * (the first token_num - predictor_bias argmaxes without blank/`</s>`) disagree: the
   * decoder's `</s>` and the CIF count do not line up, typical of noise.
   */
  readonly tokenNumMismatch: boolean;
}

/**
 * Offline (whole-utterance) Paraformer, as sherpa-onnx decodes it: fbank per the
 * `sherpa-offline-paraformer` preset, LFR with padding, CMVN from metadata, one model call
 * per batch, argmax until `</s>`, text by the `@@` rule. Tokens equal sherpa's; times and
 * per-word confidence (exp of the least certain token's log-prob) are added.
 */
export class OfflineParaformerRecognizer implements OfflineRecognizer {
  readonly info: RecognizerInfo;

  constructor(
    private readonly model: OfflineParaformerModel,
    private readonly constants: ParaformerModelConstants,
    private readonly symbols: SymbolTable,
    id: string,
    private readonly logger?: ParaformerLogger,
  ) {
    this.info = Object.freeze({
      id,
      family: 'paraformer-offline',
      mode: 'offline',
      sampleRate: constants.sampleRate,
      provider: model.provider,
      featurePreset: constants.featurePreset,
      decoders: [],
      lookaheads: [],
      secondsPerFrame: PARAFORMER_SECONDS_PER_FRAME,
    });
  }

  static async load(
    manifest: ModelManifest,
    options: ParaformerRecognizerOptions = {},
  ): Promise<OfflineParaformerRecognizer> {
    if (manifest.family !== 'paraformer-offline') {
      throw new SpeechError(
        'MODEL_MANIFEST_INVALID',
        `${manifest.dir}: family ${manifest.family} is not paraformer-offline`,
        {
          dir: manifest.dir,
          family: manifest.family,
        },
      );
    }
    const constants = readParaformerConstants(manifest, options);
    const path = manifest.files.model;
    if (path === undefined) {
      throw new SpeechError('MODEL_MANIFEST_INVALID', `${manifest.dir}: no model.onnx`, {
        dir: manifest.dir,
      });
    }
    const model = await OfflineParaformerModel.create(path, {
      ...options,
      featureDim: constants.featureDim,
      vocabSize: constants.vocabSize,
    });
    return new OfflineParaformerRecognizer(model, constants, manifest.tokens, manifest.id, options.logger);
  }

  /** Whether the graph returns BiCif timestamps (us_alphas, us_cif_peak). */
  get hasTimestampOutputs(): boolean {
    return this.model.hasTimestamps;
  }

  async transcribe(samples: Float32Array): Promise<ParaformerAsrResult> {
    const [result] = await this.transcribeBatch([samples]);
    return result!;
  }

  /**
   * One model call for every non-empty utterance. Each utterance reads only its own
   * rows and its own CIF count, so the results equal transcribing each alone.
   */
  async transcribeBatch(utterances: readonly Float32Array[]): Promise<ParaformerAsrResult[]> {
    const features = utterances.map((u) =>
      offlineParaformerFeatures(u, { ...this.constants, preset: this.constants.featurePreset }),
    );
    const present = features.map((_, i) => i).filter((i) => features[i]!.numFrames > 0);
    const results: ParaformerAsrResult[] = features.map(() => this.empty());
    if (present.length === 0) return results;
    const outputs = await this.model.run(present.map((i) => features[i]!));
    present.forEach((i, row) => {
      results[i] = this.decodeRow(outputs, row, features[i]!);
    });
    return results;
  }

  close(): Promise<void> {
    return this.model.release();
  }

  private decodeRow(out: OfflineParaformerOutputs, b: number, features: FeatureMatrix): ParaformerAsrResult {
    const { vocabSize, numPositions } = out;
    const tokenNum = out.tokenNum[b]!;
    // Positions past this utterance's CIF count exist only because of the batch.
    const positions = Math.max(0, Math.min(numPositions, tokenNum));
    const start = b * numPositions * vocabSize;
    const decoded = paraformerGreedyDecode(out.logProbs.subarray(start, start + positions * vocabSize), {
      vocabSize,
      eosId: this.constants.eosId,
      tokenNum,
      predictorBias: this.constants.predictorBias,
    });
    if (decoded.tokenNumMismatch) {
      this.logger?.debug(
        { tokens: decoded.tokens.length, tokenNum, predictorBias: this.constants.predictorBias },
        'paraformer: </s> and token_num disagree',
      );
    }
    const ts = out.timestamps;
    const peaks = ts === undefined ? undefined : ts.usCifPeak.subarray(b * ts.length, (b + 1) * ts.length);
    const timing = tokenFrames(decoded.frames, peaks, positions, features.numFrames);
    const result = buildAsrResult(
      { tokens: decoded.tokens, frames: timing.frames, logProbs: decoded.logProbs },
      { symbols: this.symbols, style: 'paraformer', secondsPerFrame: PARAFORMER_SECONDS_PER_FRAME },
    );
    return {
      ...roundTimes(result),
      timing: timing.source,
      tokenNum,
      tokenNumMismatch: decoded.tokenNumMismatch,
    };
  }

  private empty(): ParaformerAsrResult {
    return {
      text: '',
      tokens: [],
      timestamps: [],
      words: [],
      timing: this.model.hasTimestamps ? 'cif-peaks' : 'even-spread',
      tokenNum: 0,
      tokenNumMismatch: false,
    };
  }
}
