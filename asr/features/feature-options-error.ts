import type { z } from 'zod';
import { SpeechError } from '../../common/errors.js';

/** Turns a zod failure on feature options into the catalogue's FEATURE_BAD_OPTIONS. */
export function badFeatureOptions(what: string, error: z.ZodError): SpeechError {
  const problems = error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  return new SpeechError('FEATURE_BAD_OPTIONS', `invalid ${what} options: ${problems.join('; ')}`, {
    problems,
  });
}
