import { z } from 'zod';
import { familyIds, featurePresetNames } from './families.js';

/**
 * `speechstream.json`, the optional manifest in a model directory. Without it the
 * family is detected from the files and metadata (a plain sherpa-onnx package works).
 * Unknown keys are rejected so that a typo does not silently fall back to a default.
 */
/** A file name inside the model directory (no absolute paths, no '..'). */
export const relativeFile = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..') && !/^[A-Za-z]:/.test(p), {
    message: 'must be a path inside the model directory',
  });

export const manifestFileSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, ".", "_" and "-" only'),
    family: z.enum(familyIds),
    task: z.enum(['asr', 'tts']),
    description: z.string().max(2000).optional(),
    /** Per-role file names overriding the family's defaults (no int8 fallback for those). */
    files: z
      .object({
        model: relativeFile,
        encoder: relativeFile,
        decoder: relativeFile,
        joiner: relativeFile,
        ctcHead: relativeFile,
        tokens: relativeFile,
      })
      .partial()
      .strict()
      .optional(),
    featurePreset: z.enum(featurePresetNames).optional(),
    /** A hybrid's default head when the session does not choose one (its most accurate). */
    defaultDecoder: z.enum(['ctc', 'rnnt', 'hybrid']).optional(),
    /**
     * How a 2-pass final is made over this streaming model when the setting is 'auto':
     * 'vote' where its card measured a vote among its heads and the second pass better than
     * the second pass alone (asr/session/asr-session.ts); absent means 'replace'.
     */
    secondPassCombine: z.enum(['replace', 'vote']).optional(),
    /** Which of sherpa's file variants to prefer; a loadManifest option overrides it. */
    precision: z.enum(['fp32', 'int8']).optional(),
    licence: z.string().max(200).optional(),
    languages: z.array(z.string().min(1)).optional(),
    url: z.string().optional(),
  })
  .strict();

export type ManifestFile = z.infer<typeof manifestFileSchema>;
