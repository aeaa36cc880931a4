/**
 * The installed models: every model directory under the embedded directory and under
 * each --models-dir, read through its manifest (no onnxruntime session is created, so
 * listing is cheap). A directory that does not load is reported, not fatal.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { toSpeechError } from '../../common/errors.js';
import {
  declaredTask,
  loadManifest,
  loadTtsManifest,
  type ModelManifest,
  type TtsManifest,
} from '../../models/runtime/index.js';

/** Milliseconds per encoder frame of the NeMo FastConformer (10 ms hop x 8 subsampling). */
export const LOOKAHEAD_FRAME_MS = 80;

export interface ModelListing {
  readonly id: string;
  readonly task: 'asr' | 'tts';
  readonly family: string;
  readonly path: string;
  /** 'embedded' or the --models-dir it was found in. */
  readonly source: string;
  readonly mode: 'streaming' | 'offline';
  /** Encoder lookahead choices R (frames); undefined when the model has none to choose. */
  readonly lookaheads: readonly number[] | undefined;
  /** The same in milliseconds (R x 80 ms). */
  readonly lookaheadsMs: readonly number[] | undefined;
  /** Heads (decoder choices) the model offers. */
  readonly decoders: readonly string[];
  readonly featurePreset: string;
  readonly licence: string | undefined;
  readonly description: string;
  readonly int8: boolean;
}

export interface SkippedModelDir {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export interface ModelInventory {
  readonly models: ModelListing[];
  readonly skipped: SkippedModelDir[];
}

/** Heads per family: what `--decoder` accepts for it. */
const decodersByFamily: Readonly<Record<string, readonly string[]>> = {
  'nemo-ctc-streaming': ['ctc'],
  'nemo-transducer-streaming': ['rnnt'],
  'nemo-hybrid-streaming': ['ctc', 'rnnt', 'hybrid'],
  'nemo-ctc-offline': ['ctc'],
  'nemo-transducer-offline': ['rnnt'],
  'paraformer-offline': ['paraformer'],
  'paraformer-streaming': ['paraformer'],
};

export function listingOf(manifest: ModelManifest, source: string): ModelListing {
  const lookaheads = manifest.lookaheads;
  return {
    id: manifest.id,
    task: manifest.task,
    family: manifest.family,
    path: manifest.dir,
    source,
    mode: manifest.spec.mode,
    lookaheads,
    lookaheadsMs: lookaheads?.map((r) => r * LOOKAHEAD_FRAME_MS),
    decoders: decodersByFamily[manifest.family] ?? [],
    featurePreset: manifest.featurePreset,
    licence: manifest.licence,
    description: manifest.description ?? manifest.spec.summary,
    int8: manifest.int8.length > 0,
  };
}

/** A TTS component (vocoder): no heads, no lookahead; its input is the TTS log-mel contract (tts/README.md). */
export function ttsListingOf(manifest: TtsManifest, source: string): ModelListing {
  return {
    id: manifest.id,
    task: 'tts',
    family: manifest.family,
    path: manifest.dir,
    source,
    mode: 'offline',
    lookaheads: undefined,
    lookaheadsMs: undefined,
    decoders: [],
    featurePreset: 'tts-log-mel-16k',
    licence: manifest.licence,
    description: manifest.description ?? manifest.family,
    int8: false,
  };
}

/**
 * Lists the model directories directly under each root, in root order then by name. A
 * root that does not exist is skipped silently when `optional` (the embedded directory
 * before the models are installed), reported otherwise.
 */
export async function listModels(
  roots: readonly { readonly dir: string; readonly source: string; readonly optional?: boolean }[],
): Promise<ModelInventory> {
  const models: ModelListing[] = [];
  const skipped: SkippedModelDir[] = [];
  for (const root of roots) {
    let names: string[];
    try {
      const entries = await readdir(root.dir, { withFileTypes: true });
      names = entries
        .filter((e) => e.isDirectory() || e.isSymbolicLink())
        .map((e) => e.name)
        .sort();
    } catch (err) {
      if (!root.optional) {
        skipped.push({
          path: root.dir,
          code: 'MODEL_NOT_FOUND',
          message: `cannot read ${root.dir}: ${(err as Error).message}`,
        });
      }
      continue;
    }
    for (const name of names) {
      const dir = join(root.dir, name);
      try {
        models.push(
          (await declaredTask(dir)) === 'tts'
            ? ttsListingOf(await loadTtsManifest(dir), root.source)
            : listingOf(await loadManifest(dir), root.source),
        );
      } catch (err) {
        const coded = toSpeechError(err);
        skipped.push({ path: dir, code: coded.code, message: coded.message });
      }
    }
  }
  return { models, skipped };
}
