import type { z } from 'zod';

/** "query.sample_rate: Too small: expected number to be >=1; query.encoding: ..." */
export function formatZodError(error: z.ZodError, where: string): string {
  return error.issues
    .map((issue) => `${[where, ...issue.path.map(String)].join('.')}: ${issue.message}`)
    .join('; ');
}
