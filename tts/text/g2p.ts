/**
 * Grapheme-to-phoneme for normalised tokens: the lexicon first, then what can be derived
 * from it (possessives and plurals of known words, hyphen-free compounds of two known
 * words), then the NRL letter-to-sound rules.
 */
import { letterToSound } from './letter-to-sound.js';
import type { Lexicon } from './lexicon.js';
import type { Phone } from './phone-tokens.js';

/** How a pronunciation was found: useful to count out-of-vocabulary words in data. */
export type PronunciationSource = 'lexicon' | 'derived' | 'rules' | 'letter';

export interface Pronunciation {
  readonly phones: Phone[];
  readonly source: PronunciationSource;
}

/** Letter names, as the CMU dictionary spells them ("a." EY, "w." D AH B AH L Y UW). */
const LETTER_NAMES: Readonly<Record<string, string>> = {
  A: 'EY',
  B: 'B IY',
  C: 'S IY',
  D: 'D IY',
  E: 'IY',
  F: 'EH F',
  G: 'JH IY',
  H: 'EY CH',
  I: 'AY',
  J: 'JH EY',
  K: 'K EY',
  L: 'EH L',
  M: 'EH M',
  N: 'EH N',
  O: 'OW',
  P: 'P IY',
  Q: 'K Y UW',
  R: 'AA R',
  S: 'EH S',
  T: 'T IY',
  U: 'Y UW',
  V: 'V IY',
  W: 'D AH B AH L Y UW',
  X: 'EH K S',
  Y: 'W AY',
  Z: 'Z IY',
};

const SIBILANTS: ReadonlySet<Phone> = new Set(['S', 'Z', 'SH', 'ZH', 'CH', 'JH']);
const VOICELESS: ReadonlySet<Phone> = new Set(['P', 'T', 'K', 'F', 'TH']);

/** English -s ending after a stem: IH Z after sibilants, S after voiceless, else Z. */
export function plural(stem: readonly Phone[]): Phone[] {
  const last = stem[stem.length - 1];
  if (last !== undefined && SIBILANTS.has(last)) return [...stem, 'IH', 'Z'];
  if (last !== undefined && VOICELESS.has(last)) return [...stem, 'S'];
  return [...stem, 'Z'];
}

/** A spelled letter ("F") or its plural ("Fs": eff-s). */
export function letterPhones(text: string): Phone[] {
  const name = LETTER_NAMES[text[0]!.toUpperCase()];
  if (name === undefined) return [];
  const phones = name.split(' ') as Phone[];
  return text.length > 1 ? plural(phones) : phones;
}

/** Two known words, each at least 3 letters, longest first part first: "sunbird", "firetruck". */
function compound(word: string, lexicon: Lexicon): Phone[] | undefined {
  for (let cut = word.length - 3; cut >= 3; cut--) {
    const head = lexicon.lookup(word.slice(0, cut));
    const tail = head && lexicon.lookup(word.slice(cut));
    if (head && tail) return [...head, ...tail];
  }
  return undefined;
}

function derived(word: string, lexicon: Lexicon): Phone[] | undefined {
  const possessive = /^(.+?)'s?$/.exec(word);
  if (possessive) {
    const stem = lexicon.lookup(possessive[1]!);
    if (stem) return word.endsWith("'") ? stem : plural(stem);
  }
  if (word.includes("'")) {
    const bare = lexicon.lookup(word.replace(/'/g, ''));
    if (bare) return bare;
  }
  if (word.endsWith('s') && !word.endsWith('ss')) {
    const stem = lexicon.lookup(word.slice(0, -1));
    if (stem) return plural(stem);
  }
  return word.length >= 6 ? compound(word, lexicon) : undefined;
}

/** Pronunciation of one normalised word (lowercase a-z and apostrophes). */
export function wordPronunciation(word: string, lexicon: Lexicon): Pronunciation {
  const known = lexicon.lookup(word);
  if (known) return { phones: known, source: 'lexicon' };
  const fromLexicon = derived(word, lexicon);
  if (fromLexicon) return { phones: fromLexicon, source: 'derived' };
  return { phones: letterToSound(word), source: 'rules' };
}
