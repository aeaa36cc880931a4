/**
 * First step of normalisation: clean the Unicode and cut the text into whitespace tokens,
 * each with its leading and trailing punctuation peeled off.
 */

export interface RawToken {
  /** Opening quotes and brackets before the core. */
  readonly lead: string;
  /** The token without surrounding punctuation ("Dr", "$5.50", "3:30", "U.S"). */
  readonly core: string;
  /** Closing punctuation after the core (".", ",", "?!", ")."). */
  readonly trail: string;
}

const REPLACEMENTS: readonly (readonly [RegExp, string])[] = [
  [/[\u2018\u2019\u201a\u201b\u2032]/g, "'"],
  [/[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]/g, '"'],
  [/\u2026/g, '...'],
  // An en dash between digits is a range; elsewhere, like an em dash, a clause break.
  [/(\d)\s*\u2013\s*(?=\d)/g, '$1-'],
  [/\s*[\u2013\u2014\u2015]\s*/g, ' - '],
  [/[\u2010\u2011\u2212]/g, '-'],
  [/\u00d7/g, ' x '],
  [/[\u00a0\u2000-\u200b\u202f\u205f\u3000]/g, ' '],
];

/**
 * NFKC (full-width forms, ligatures, "½" -> "1⁄2"), typographic quotes and dashes to ASCII,
 * accents stripped ("café" -> "cafe"). Characters outside Latin, digits and the symbols the
 * normaliser reads are left for it to drop.
 */
export function cleanText(text: string): string {
  let s = text.normalize('NFKC').replace(/\u2044/g, '/');
  for (const [re, to] of REPLACEMENTS) s = s.replace(re, to);
  s = s.normalize('NFD').replace(/\p{M}/gu, '');
  return s.replace(/\p{Cc}/gu, ' ');
}

const LEAD = /^[([{"'¿¡<*_]+/;
const TRAIL = /[)\]}"'.,;:!?>*_]+$/;

/** Splits one whitespace-free chunk. An apostrophe that starts "'90s" or "'em" stays in the core. */
export function peelPunctuation(chunk: string): RawToken {
  let lead = LEAD.exec(chunk)?.[0] ?? '';
  if (lead.endsWith("'") && /^'\w/.test(chunk.slice(lead.length - 1))) lead = lead.slice(0, -1);
  const rest = chunk.slice(lead.length);
  let trail = TRAIL.exec(rest)?.[0] ?? '';
  // "dogs'" keeps no apostrophe; "rock'n'roll'" likewise. A lone trailing "'" is a quote.
  if (trail.length === rest.length) trail = rest;
  return { lead, core: rest.slice(0, rest.length - trail.length), trail };
}

export function rawTokens(text: string): RawToken[] {
  return cleanText(text)
    .split(/\s+/)
    .filter((c) => c.length > 0)
    .map(peelPunctuation);
}
