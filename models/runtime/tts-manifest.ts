/**
 * `speechstream.json` of a TTS component (a vocoder now; acoustic models when they land).
 * These are not ASR families, so they get their own small schema: enough for listing and
 * for the TTS runtime to find its files, with the same path rules as ASR manifests.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { SpeechError } from '../../common/errors.js';
import { relativeFile } from './manifest-schema.js';

export const ttsFamilyIds = ['vocos-vocoder', 'ardit-tts', 'maskgct-tts'] as const;
export type TtsFamilyId = (typeof ttsFamilyIds)[number];

const modelId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, ".", "_" and "-" only');
const voiceName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" and "-" only');

const common = {
  id: modelId,
  task: z.literal('tts'),
  description: z.string().max(2000).optional(),
  licence: z.string().max(200).optional(),
  languages: z.array(z.string().min(1)).optional(),
};

/** Acoustic models name the vocoder they were trained for and their default voice. */
const acoustic = {
  ...common,
  /** Id of the vocoder model: a sibling directory, else one under models/embedded. */
  vocoder: modelId,
  defaultVoice: voiceName.optional(),
};

/**
 * Sampling settings the model was evaluated with (its MODEL_CARD says why), used instead of
 * the runtime's defaults; a request cannot change them. Ranges are checked again when a
 * generation starts.
 */
const positive = z.number().positive().finite();
const count = z.number().int().min(1).max(1000);
const arditSampling = z
  .object({ flowSteps: count, cfgScale: z.number().finite(), noiseScale: z.number().min(0).finite() })
  .partial()
  .strict();
const maskGctSampling = z
  .object({
    t2sSteps: count,
    t2sTemperature: positive,
    t2sTopK: count,
    t2sCfg: z.number().finite(),
    s2aSteps: z.array(count).min(1),
    s2aTemperature: positive,
    s2aTopK: count,
    s2aCfg: z.number().finite(),
    confNoise: z.number().min(0).finite(),
  })
  .partial()
  .strict();

export const ttsManifestSchema = z.discriminatedUnion('family', [
  z
    .object({
      ...common,
      family: z.literal('vocos-vocoder'),
      files: z.object({ model: relativeFile }).strict(),
    })
    .strict(),
  // Graph files have fixed names (models/tts/ardit-model.ts ARDIT_GRAPHS); voices are in the metadata.
  z.object({ ...acoustic, family: z.literal('ardit-tts'), sampling: arditSampling.optional() }).strict(),
  // Voices are prompts: voices/<name>.json (tokens of a reference utterance).
  z
    .object({
      ...acoustic,
      family: z.literal('maskgct-tts'),
      voices: z.array(voiceName).min(1),
      sampling: maskGctSampling.optional(),
    })
    .strict(),
]);

export type TtsManifest = z.infer<typeof ttsManifestSchema> & { readonly dir: string };

/** The task a model directory's manifest declares, or undefined without a readable one. */
export async function declaredTask(dir: string): Promise<string | undefined> {
  try {
    const json = JSON.parse(await readFile(join(dir, 'speechstream.json'), 'utf8')) as { task?: unknown };
    return typeof json.task === 'string' ? json.task : undefined;
  } catch {
    return undefined;
  }
}

export async function loadTtsManifest(dir: string): Promise<TtsManifest> {
  const file = join(dir, 'speechstream.json');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new SpeechError('MODEL_MANIFEST_INVALID', `${file}: not valid JSON (${(err as Error).message})`, {
      file,
    });
  }
  const parsed = ttsManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new SpeechError('MODEL_MANIFEST_INVALID', `${file}: ${issues.join('; ')}`, { file, issues });
  }
  return { ...parsed.data, dir };
}
