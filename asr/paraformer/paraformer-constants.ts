import { SpeechError } from '../../common/errors.js';
import type { ModelManifest, SessionOptions } from '../../models/runtime/index.js';
import { type Cmvn, featureDim, resolveFeatureSpec } from '../features/index.js';
import type { AsrResult } from '../text/asr-result.js';

/** What both Paraformer recognizers read from a model directory, and their shared options. */

/** Seconds per LFR frame: 10 ms fbank shift x lfr_window_shift 6. */
export const PARAFORMER_SECONDS_PER_FRAME = 0.06;

/** What the Paraformer recognizers log; a pino logger fits. */
export interface ParaformerLogger {
  debug(details: Record<string, unknown>, message: string): void;
}

export interface ParaformerRecognizerOptions extends SessionOptions {
  /** Fbank preset (default: the manifest's, 'sherpa-offline-paraformer'). */
  readonly featurePreset?: string;
  /**
   * FunASR `model_conf.predictor_bias` for the token_num cross-check; default the
   * metadata key `predictor_bias` when present, else 1 (every released Paraformer).
   */
  readonly predictorBias?: number;
  readonly logger?: ParaformerLogger;
}

/** The model constants both Paraformer recognizers read from metadata (contract 3.1.3 / 3.2.2). */
export interface ParaformerModelConstants {
  readonly vocabSize: number;
  readonly lfrWindowSize: number;
  readonly lfrWindowShift: number;
  readonly cmvn: Cmvn;
  readonly eosId: number;
  readonly predictorBias: number;
  readonly featurePreset: string;
  readonly sampleRate: number;
  /** LFR feature width: fbank bins x lfr_window_size. */
  readonly featureDim: number;
}

export function readParaformerConstants(
  manifest: ModelManifest,
  options: ParaformerRecognizerOptions,
): ParaformerModelConstants {
  const meta = manifest.metadata;
  const negMean = meta.floats('neg_mean');
  const invStddev = meta.floats('inv_stddev', negMean.length);
  const lfrWindowSize = meta.int('lfr_window_size');
  const lfrWindowShift = meta.int('lfr_window_shift');
  const featurePreset = options.featurePreset ?? manifest.featurePreset;
  const bins = featureDim(featurePreset);
  if (bins * lfrWindowSize !== negMean.length) {
    throw new SpeechError(
      'MODEL_CMVN_INVALID',
      `${meta.file}: neg_mean has ${negMean.length} values but LFR features have ${bins} x ${lfrWindowSize}`,
      { file: meta.file, cmvn: negMean.length, bins, lfrWindowSize },
    );
  }
  const eosId = manifest.tokens.idOf('</s>');
  if (eosId === undefined) {
    throw new SpeechError('MODEL_TOKENS_INVALID', `${manifest.tokens.file}: no '</s>' symbol`, {
      file: manifest.tokens.file,
    });
  }
  const presetOptions = resolveFeatureSpec(featurePreset).options as { readonly sampleRate?: number };
  return {
    vocabSize: meta.int('vocab_size'),
    lfrWindowSize,
    lfrWindowShift,
    cmvn: { negMean, invStddev },
    eosId,
    predictorBias: options.predictorBias ?? meta.intOr('predictor_bias', 1),
    featurePreset,
    sampleRate: presetOptions.sampleRate ?? 16000,
    featureDim: negMean.length,
  };
}

/**
 * Times are multiples of 20 ms (peaks) or 60 ms (frames); products like 13 x 0.02 land a
 * hair off (0.25999999999999995). Rounding to the microsecond keeps them exact in JSON.
 */
export function roundTimes<R extends AsrResult>(result: R): R {
  const us = (t: number) => Math.round(t * 1e6) / 1e6;
  return {
    ...result,
    timestamps: result.timestamps.map(us),
    words: result.words.map((w) => ({ ...w, start: us(w.start), end: us(w.end) })),
  };
}
