/**
 * The token inventory shared by the G2P, the training data and both TTS families.
 *
 * Phones are the 39 ARPAbet phones of the CMU dictionary WITHOUT stress digits: the
 * dictionary copy we build the lexicon from (pocketsphinx-en-us) carries no stress, and
 * small models learn prosody from context better than from a sparse stress mark. So AH
 * covers both "but" and the schwa of "about".
 *
 * Non-phone tokens:
 * - `<pad>` 0, `<bos>`, `<eos>`: sequence framing, added by the model code, never by the G2P.
 * - `sil`: silence. The G2P never emits it; it labels silent frames in frame-level phone
 *   targets (synthesiser alignments), so text and frame streams share one table.
 * - `_`: word boundary between two words with no punctuation between them.
 * - `,` `.` `?` `!`: prosody marks from punctuation. They replace the word boundary
 *   where they occur. `,` stands for every clause mark (, ; : dash, brackets).
 *
 * Ids are append-only: trained models store them.
 */

export const PHONES = [
  'AA',
  'AE',
  'AH',
  'AO',
  'AW',
  'AY',
  'B',
  'CH',
  'D',
  'DH',
  'EH',
  'ER',
  'EY',
  'F',
  'G',
  'HH',
  'IH',
  'IY',
  'JH',
  'K',
  'L',
  'M',
  'N',
  'NG',
  'OW',
  'OY',
  'P',
  'R',
  'S',
  'SH',
  'T',
  'TH',
  'UH',
  'UW',
  'V',
  'W',
  'Y',
  'Z',
  'ZH',
] as const;

export type Phone = (typeof PHONES)[number];

export const PAD = '<pad>';
export const BOS = '<bos>';
export const EOS = '<eos>';
export const SILENCE = 'sil';
export const WORD_BOUNDARY = '_';
/** Prosody marks, in the order of their ids. */
export const PROSODY_MARKS = [',', '.', '?', '!'] as const;
export type ProsodyMark = (typeof PROSODY_MARKS)[number];

/** Every token, index = id. */
export const TOKENS: readonly string[] = [PAD, BOS, EOS, SILENCE, WORD_BOUNDARY, ...PROSODY_MARKS, ...PHONES];

const TOKEN_IDS: ReadonlyMap<string, number> = new Map(TOKENS.map((t, i) => [t, i]));
const PHONE_SET: ReadonlySet<string> = new Set(PHONES);

export const PAD_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
export const SILENCE_ID = 3;
export const WORD_BOUNDARY_ID = 4;
export const VOCAB_SIZE = TOKENS.length;

export function isPhone(symbol: string): symbol is Phone {
  return PHONE_SET.has(symbol);
}

export function isProsodyMark(symbol: string): symbol is ProsodyMark {
  return (PROSODY_MARKS as readonly string[]).includes(symbol);
}

/** Id of a token; undefined when the symbol is not in the inventory. */
export function tokenId(symbol: string): number | undefined {
  return TOKEN_IDS.get(symbol);
}

export function tokenSymbol(id: number): string | undefined {
  return TOKENS[id];
}

/** `tokens.txt` style listing ("symbol id" per line), for model directories. */
export function tokensTxt(): string {
  return TOKENS.map((t, i) => `${t} ${i}\n`).join('');
}
