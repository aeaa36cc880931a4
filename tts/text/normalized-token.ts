import type { ProsodyMark } from './phone-tokens.js';

/**
 * What the normaliser produces and the G2P consumes.
 * - word: lowercase a-z with inner apostrophes ("don't"), pronounced from the lexicon.
 * - letter: one capital letter spelled by name ("F" in "F B I"); a trailing "s" makes it
 *   plural ("Ds" in "C Ds": dee-z).
 * - mark: a prosody mark from punctuation.
 */
export type NormalizedToken =
  | { readonly kind: 'word'; readonly text: string }
  | { readonly kind: 'letter'; readonly text: string }
  | { readonly kind: 'mark'; readonly text: ProsodyMark };

export function word(text: string): NormalizedToken {
  return { kind: 'word', text };
}

export function letter(text: string): NormalizedToken {
  return { kind: 'letter', text };
}

export function mark(text: ProsodyMark): NormalizedToken {
  return { kind: 'mark', text };
}

/** Word tokens from space-separated words ("miles per hour"). */
export function words(...texts: readonly string[]): NormalizedToken[] {
  return texts.flatMap((t) =>
    t
      .split(' ')
      .filter((w) => w.length > 0)
      .map(word),
  );
}

/** Letters of an acronym: "FBI" -> F, B, I; a final plural "s" stays on the last letter. */
export function letters(text: string, plural = false): NormalizedToken[] {
  const caps = [...text.toUpperCase()].filter((c) => c >= 'A' && c <= 'Z');
  return caps.map((c, i) => letter(plural && i === caps.length - 1 ? `${c}s` : c));
}

/**
 * Text form: words separated by spaces, marks attached to the preceding word, letters in
 * capitals. This is the string handed to the teacher synthesisers, and (lowercased,
 * without marks) the reference transcript for recognisers.
 */
export function renderNormalized(tokens: readonly NormalizedToken[]): string {
  let out = '';
  for (const t of tokens) {
    if (t.kind === 'mark') out += t.text;
    else out += out.length === 0 ? t.text : ` ${t.text}`;
  }
  return out;
}

/** Lowercase words only: the transcript a recogniser should output. */
export function spokenWords(tokens: readonly NormalizedToken[]): string[] {
  return tokens.filter((t) => t.kind !== 'mark').map((t) => t.text.toLowerCase());
}
