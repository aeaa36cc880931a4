/**
 * Loads what a transcription job needs from model directories: the primary recognizer
 * (streaming or offline, chosen by the directory's family) and, for 2-pass mode, an
 * offline recognizer for the second pass. Used by the CLI and the server alike.
 */
import { SpeechError } from '../common/errors.js';
import { loadManifest, type ModelManifest } from '../models/runtime/manifest.js';
import type { SessionOptions } from '../models/runtime/session-options.js';
import { loadNemoOfflineRecognizer } from './nemo/load-nemo-offline.js';
import { loadNemoStreamingRecognizer } from './nemo/load-nemo-streaming.js';
import { isParaformerFamily, loadParaformerRecognizer } from './paraformer/index.js';
import type { OfflineRecognizer, StreamingDecoderChoice, StreamingRecognizer } from './recognizer.js';
import { type SecondPassCombine, whyCannotVote } from './session/asr-session.js';

/** The 2-pass final setting: 'auto' follows the streaming model's manifest. */
export type SecondPassCombineSetting = 'auto' | SecondPassCombine;

export interface EngineOptions {
  /** The primary model directory. */
  readonly model: string;
  /** Offline model directory for the second pass (2-pass mode). */
  readonly secondPassModel?: string;
  readonly session?: SessionOptions;
  /** Default head for streaming NeMo models. */
  readonly decoder?: StreamingDecoderChoice;
  /** Compute features as sherpa-onnx does instead of as the model was trained. */
  readonly sherpaFeatures?: boolean;
  /** How 2-pass finals are made (default 'auto'). */
  readonly secondPassCombine?: SecondPassCombineSetting;
}

export type PrimaryRecognizer =
  | { readonly mode: 'streaming'; readonly recognizer: StreamingRecognizer; readonly manifest: ModelManifest }
  | { readonly mode: 'offline'; readonly recognizer: OfflineRecognizer; readonly manifest: ModelManifest };

export interface AsrEngine {
  readonly primary: PrimaryRecognizer;
  readonly secondPass:
    | { readonly recognizer: OfflineRecognizer; readonly manifest: ModelManifest }
    | undefined;
  /**
   * How 2-pass sessions make their finals: 'vote' when asked for, or when 'auto' and the
   * streaming model's manifest says so; 'replace' otherwise (and without a second pass).
   * A session that pins a single head still replaces (sessionCombine).
   */
  readonly secondPassCombine: SecondPassCombine;
  /** Execution providers actually used, per model id. */
  readonly providers: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/** What a 2-pass session over this engine uses, given the head it asked for (if any). */
export function sessionCombine(
  engine: AsrEngine,
  decoder: StreamingDecoderChoice | undefined,
): SecondPassCombine {
  const { primary } = engine;
  return engine.secondPassCombine === 'vote' &&
    primary.mode === 'streaming' &&
    whyCannotVote(primary.recognizer, decoder) === undefined
    ? 'vote'
    : 'replace';
}

/** Resolves the setting against the models; an explicit 'vote' they cannot do is an error. */
function resolveCombine(
  setting: SecondPassCombineSetting,
  primary: PrimaryRecognizer,
  hasSecondPass: boolean,
  decoder: StreamingDecoderChoice | undefined,
): SecondPassCombine {
  if (!hasSecondPass || setting === 'replace') return 'replace';
  const why =
    primary.mode === 'streaming'
      ? whyCannotVote(primary.recognizer, decoder)
      : `the second-pass vote needs a streaming model; ${primary.manifest.id} is offline`;
  if (setting === 'vote' && why !== undefined) {
    throw new SpeechError('ASR_UNSUPPORTED_OPTION', why, { model: primary.manifest.dir });
  }
  return why === undefined && (setting === 'vote' || primary.manifest.secondPassCombine === 'vote')
    ? 'vote'
    : 'replace';
}

const NEMO_STREAMING = new Set(['nemo-ctc-streaming', 'nemo-transducer-streaming', 'nemo-hybrid-streaming']);
const NEMO_OFFLINE = new Set(['nemo-ctc-offline', 'nemo-transducer-offline']);

export async function loadRecognizer(
  manifest: ModelManifest,
  options: Omit<EngineOptions, 'model' | 'secondPassModel'> = {},
): Promise<PrimaryRecognizer> {
  if (NEMO_STREAMING.has(manifest.family)) {
    const recognizer = await loadNemoStreamingRecognizer(manifest, {
      session: options.session,
      sherpaFeatures: options.sherpaFeatures,
      defaultDecoder: options.decoder,
    });
    return { mode: 'streaming', recognizer, manifest };
  }
  if (NEMO_OFFLINE.has(manifest.family)) {
    const recognizer = await loadNemoOfflineRecognizer(manifest, {
      session: options.session,
      sherpaFeatures: options.sherpaFeatures,
    });
    return { mode: 'offline', recognizer, manifest };
  }
  if (isParaformerFamily(manifest.family)) {
    const featurePreset = options.sherpaFeatures ? manifest.spec.sherpaFeaturePreset : undefined;
    const recognizer = await loadParaformerRecognizer(manifest, { ...options.session, featurePreset });
    return recognizer.info.mode === 'streaming'
      ? { mode: 'streaming', recognizer: recognizer as StreamingRecognizer, manifest }
      : { mode: 'offline', recognizer: recognizer as OfflineRecognizer, manifest };
  }
  throw new SpeechError(
    'MODEL_MANIFEST_INVALID',
    `${manifest.dir}: family ${manifest.family} is not supported by the runtime yet`,
    { dir: manifest.dir, family: manifest.family },
  );
}

export async function loadAsrEngine(options: EngineOptions): Promise<AsrEngine> {
  const primaryManifest = await loadManifest(options.model);
  const primary = await loadRecognizer(primaryManifest, options);
  let secondPass: AsrEngine['secondPass'];
  try {
    if (options.secondPassModel !== undefined) {
      const manifest = await loadManifest(options.secondPassModel);
      const loaded = await loadRecognizer(manifest, options);
      if (loaded.mode !== 'offline') {
        await loaded.recognizer.close();
        throw new SpeechError(
          'ASR_UNSUPPORTED_OPTION',
          `${manifest.dir}: the second pass needs an offline model, ${manifest.family} is streaming`,
        );
      }
      secondPass = { recognizer: loaded.recognizer, manifest };
    }
    const secondPassCombine = resolveCombine(
      options.secondPassCombine ?? 'auto',
      primary,
      secondPass !== undefined,
      options.decoder,
    );
    const providers: Record<string, string> = { [primary.manifest.id]: primary.recognizer.info.provider };
    if (secondPass) providers[secondPass.manifest.id] = secondPass.recognizer.info.provider;
    let closing: Promise<void> | undefined;
    return {
      primary,
      secondPass,
      secondPassCombine,
      providers,
      close() {
        closing ??= Promise.all([primary.recognizer.close(), secondPass?.recognizer.close()]).then(
          () => undefined,
        );
        return closing;
      },
    };
  } catch (err) {
    await primary.recognizer.close();
    await secondPass?.recognizer.close();
    throw err;
  }
}
