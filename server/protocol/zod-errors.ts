import type { z } from 'zod';

/** Issues named in one message; the rest are counted (a 100-item array of wrong types would be 100). */
const MAX_ISSUES = 5;

/** "query.sample_rate: Too small: expected number to be >=1; query.encoding: ..." */
export function formatZodError(error: z.ZodError, where: string): string {
  const named = error.issues
    .slice(0, MAX_ISSUES)
    .map((issue) => `${[where, ...issue.path.map(String)].join('.')}: ${issue.message}`)
    .join('; ');
  const more = error.issues.length - MAX_ISSUES;
  return more > 0 ? `${named}; and ${more} more` : named;
}
