/**
 * Text -> phone tokens: the one tokeniser used at run time and, through
 * models/py/tts/tokenize_text.ts, for training data.
 *
 *   "Hello, Dr. Smith." -> HH AH L OW , D AA K T ER _ S M IH TH .
 *
 * Words are separated by `_`; a prosody mark replaces the separator where punctuation
 * was. No <bos>/<eos>: the model code frames sequences.
 */
import { letterPhones, type PronunciationSource, wordPronunciation } from './g2p.js';
import type { Lexicon } from './lexicon.js';
import { normalizeTokens } from './normalize.js';
import { type NormalizedToken, renderNormalized } from './normalized-token.js';
import { isPhone, type Phone, tokenId, WORD_BOUNDARY } from './phone-tokens.js';

export interface WordPhones {
  readonly text: string;
  readonly phones: readonly Phone[];
  readonly source: PronunciationSource;
}

export interface PhoneSequence {
  /** Normalised text (what a teacher synthesiser reads). */
  readonly text: string;
  readonly words: readonly WordPhones[];
  /** Token symbols: phones, `_`, prosody marks. */
  readonly symbols: readonly string[];
  /** Token ids (phone-tokens.ts). */
  readonly ids: readonly number[];
}

export interface TokenizeOptions {
  readonly lexicon: Lexicon;
  /**
   * End with a prosody mark, adding "." when the text has none (default true), so that
   * run-time phrases look like the punctuated sentences models are trained on.
   */
  readonly finalMark?: boolean;
}

/** Phone tokens for already normalised tokens. */
export function phonesFromNormalized(
  tokens: readonly NormalizedToken[],
  options: TokenizeOptions,
): PhoneSequence {
  const words: WordPhones[] = [];
  const symbols: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'mark') {
      if (symbols.length > 0) symbols.push(t.text);
      continue;
    }
    const pron =
      t.kind === 'letter'
        ? { phones: letterPhones(t.text), source: 'letter' as const }
        : wordPronunciation(t.text, options.lexicon);
    if (pron.phones.length === 0) continue;
    words.push({ text: t.text, phones: pron.phones, source: pron.source });
    const last = symbols[symbols.length - 1];
    if (last !== undefined && isPhone(last)) symbols.push(WORD_BOUNDARY);
    symbols.push(...pron.phones);
  }
  const last = symbols[symbols.length - 1];
  let text = renderNormalized(tokens);
  if ((options.finalMark ?? true) && last !== undefined && isPhone(last)) {
    symbols.push('.');
    text += '.';
  }
  return { text, words, symbols, ids: symbols.map((s) => tokenId(s)!) };
}

/** Normalises `text` (with the lexicon deciding acronyms) and converts it to phone tokens. */
export function textToPhones(text: string, options: TokenizeOptions): PhoneSequence {
  const { lexicon } = options;
  return phonesFromNormalized(normalizeTokens(text, { isWord: (w) => lexicon.has(w) }), options);
}
