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

export const ttsFamilyIds = ['vocos-vocoder'] as const;
export type TtsFamilyId = (typeof ttsFamilyIds)[number];

export const ttsManifestSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, ".", "_" and "-" only'),
    family: z.enum(ttsFamilyIds),
    task: z.literal('tts'),
    description: z.string().max(2000).optional(),
    files: z.object({ model: relativeFile }).strict(),
    licence: z.string().max(200).optional(),
    languages: z.array(z.string().min(1)).optional(),
  })
  .strict();

export interface TtsManifest extends z.infer<typeof ttsManifestSchema> {
  readonly dir: string;
}

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
