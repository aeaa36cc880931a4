/**
 * Opens a TTS model directory (speechstream.json with task "tts") as a SpeechSynthesizer:
 * the acoustic model's graphs, the vocoder its manifest names, the lexicon, and for the
 * MaskGCT family the voice prompts. Everything opened is released if any part fails.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { SpeechError, toSpeechError } from '../../common/errors.js';
import { packageRoot } from '../../common/package-info.js';
import { ArditSynthesizer } from '../../tts/ardit/ardit-synthesizer.js';
import { resolveMaskGctOptions } from '../../tts/maskgct/maskgct-generator.js';
import { MaskGctSynthesizer, type MaskGctVoice } from '../../tts/maskgct/maskgct-synthesizer.js';
import type { SpeechSynthesizer } from '../../tts/speech/speech-synthesizer.js';
import { defaultLexicon, type Lexicon } from '../../tts/text/index.js';
import type { SessionOptions } from '../runtime/index.js';
import { loadTtsManifest, type TtsManifest } from '../runtime/tts-manifest.js';
import { ArditModel } from './ardit-model.js';
import { MaskGctModel } from './maskgct-model.js';
import { VocoderModel } from './vocoder-model.js';

export interface LoadSpeechModelOptions {
  readonly session?: SessionOptions;
  readonly lexicon?: Lexicon;
  /**
   * Where else a manifest's `vocoder` id is looked up, after the model's own parent
   * directory; models/embedded is always tried last.
   */
  readonly searchDirs?: readonly string[];
  /**
   * Sampling knobs other than the defaults (benches, evaluation). A knob of the other family
   * is refused (CONFIG_INVALID) rather than silently ignored.
   */
  readonly generation?: {
    /** ARDiT: Euler steps per patch. */
    readonly flowSteps?: number;
    /** MaskGCT: T2S mask-predict steps. */
    readonly t2sSteps?: number;
  };
}

export async function loadSpeechModel(
  dir: string,
  options: LoadSpeechModelOptions = {},
): Promise<SpeechSynthesizer> {
  const manifest = await loadTtsManifest(dir);
  if (manifest.family === 'vocos-vocoder') {
    throw new SpeechError(
      'MODEL_MANIFEST_INVALID',
      `${dir} is a vocoder, not a speech model; pass an ardit-tts or maskgct-tts model`,
      {
        dir,
      },
    );
  }
  const session = { ...options.session };
  const { flowSteps, t2sSteps } = options.generation ?? {};
  if (manifest.family === 'ardit-tts' && t2sSteps !== undefined) {
    throw new SpeechError(
      'CONFIG_INVALID',
      `${manifest.id}: t2sSteps is a MaskGCT knob; ARDiT takes flowSteps`,
    );
  }
  if (manifest.family === 'maskgct-tts' && flowSteps !== undefined) {
    throw new SpeechError(
      'CONFIG_INVALID',
      `${manifest.id}: flowSteps is an ARDiT knob; MaskGCT takes t2sSteps`,
    );
  }
  const lexicon = options.lexicon ?? defaultLexicon();
  const vocoder = await VocoderModel.load(findVocoder(manifest, options.searchDirs ?? []), {
    label: `${manifest.id}-vocoder`,
    ...session,
  });
  try {
    if (manifest.family === 'ardit-tts') {
      const graphs = await ArditModel.load(dir, session);
      return new ArditSynthesizer({
        id: manifest.id,
        graphs,
        vocoder,
        lexicon,
        provider: graphs.provider,
        defaultVoice: manifest.defaultVoice,
        generation: { ...manifest.sampling, ...definedOnly({ flowSteps }) },
        close: () => releaseAll(graphs, vocoder),
      });
    }
    const voices = await Promise.all(manifest.voices.map((name) => readVoice(dir, name)));
    const graphs = await MaskGctModel.load(dir, session);
    try {
      const generation = { ...manifest.sampling, ...definedOnly({ t2sSteps }) };
      resolveMaskGctOptions(graphs.info, generation); // bad settings fail the load, not each request
      return new MaskGctSynthesizer({
        id: manifest.id,
        graphs,
        vocoder,
        lexicon,
        provider: graphs.provider,
        voices,
        defaultVoice: manifest.defaultVoice,
        generation,
        close: () => releaseAll(graphs, vocoder),
      });
    } catch (err) {
      await graphs.release();
      throw err;
    }
  } catch (err) {
    await vocoder.release();
    throw toSpeechError(err);
  }
}

async function releaseAll(...parts: { release(): Promise<void> }[]): Promise<void> {
  await Promise.all(parts.map((p) => p.release()));
}

/** The vocoder id: a sibling of the model directory first, then the search directories. */
function findVocoder(
  manifest: Exclude<TtsManifest, { family: 'vocos-vocoder' }>,
  searchDirs: readonly string[],
): string {
  const tried: string[] = [];
  for (const base of [dirname(manifest.dir), ...searchDirs, join(packageRoot(), 'models', 'embedded')]) {
    const candidate = join(base, manifest.vocoder);
    tried.push(candidate);
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
  }
  throw new SpeechError(
    'MODEL_NOT_FOUND',
    `${manifest.id}: vocoder ${manifest.vocoder} not found (tried ${tried.join(', ')})`,
    {
      tried,
    },
  );
}

const voiceFileSchema = z
  .object({
    name: z.string(),
    text: z.string().optional(),
    // The training clip the tokens come from (export.py).
    source: z.string().optional(),
    phones: z.array(z.number().int().nonnegative()).min(1),
    sem: z.array(z.number().int().nonnegative()).min(1),
    ac: z.array(z.number().int().nonnegative()).min(1),
    // The phones' aligned centres in frames from the clip start (CONTRACT.md "Positions").
    phone_pos: z.array(z.number().finite()).optional(),
  })
  .strict();

/** voices/<name>.json: a reference utterance's tokens (models/py/tts/maskgct/export.py writes them). */
async function readVoice(dir: string, name: string): Promise<MaskGctVoice> {
  const file = join(dir, 'voices', `${name}.json`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new SpeechError(
      'MODEL_MANIFEST_INVALID',
      `${file}: cannot read the voice prompt (${(err as Error).message})`,
      {
        file,
      },
    );
  }
  const parsed = voiceFileSchema.safeParse(json);
  if (!parsed.success || parsed.data.name !== name) {
    throw new SpeechError('MODEL_MANIFEST_INVALID', `${file}: not a voice prompt named ${name}`, { file });
  }
  const v = parsed.data;
  if (v.phone_pos !== undefined && v.phone_pos.length !== v.phones.length) {
    throw new SpeechError(
      'MODEL_MANIFEST_INVALID',
      `${file}: phone_pos has ${v.phone_pos.length} positions for ${v.phones.length} phones`,
      { file },
    );
  }
  const prompt = { phones: v.phones, sem: Int32Array.from(v.sem), ac: Int32Array.from(v.ac) };
  return {
    name,
    prompt: v.phone_pos === undefined ? prompt : { ...prompt, phonePos: Float64Array.from(v.phone_pos) },
  };
}

/** Keeps the keys whose value is set, so an unset override does not hide the manifest's. */
function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}
