export { letterPhones, type Pronunciation, type PronunciationSource, wordPronunciation } from './g2p.js';
export { letterToSound } from './letter-to-sound.js';
export { defaultLexicon, defaultLexiconPath, Lexicon, loadLexicon, parseLexicon } from './lexicon.js';
export { type NormalizeOptions, normalizeText, normalizeTokens } from './normalize.js';
export { type NormalizedToken, renderNormalized, spokenWords } from './normalized-token.js';
export * from './phone-tokens.js';
export {
  type Phrase,
  type PhraseBoundary,
  type PhraseSplitOptions,
  PhraseSplitter,
  splitPhrases,
} from './phrase-splitter.js';
export {
  type PhoneSequence,
  phonesFromNormalized,
  type TokenizeOptions,
  textToPhones,
  type WordPhones,
} from './tokenize.js';
