export { type AsrResult, type AsrResultOptions, buildAsrResult, type TokenizerStyle } from './asr-result.js';
export { paraformerPieces, paraformerText } from './paraformer-text.js';
export {
  piecesToText,
  SP_SPACE,
  sentencePiecePiece,
  sentencePiecePieces,
  sentencePieceText,
} from './sentencepiece.js';
export { type SymbolLookup, symbolsFromList } from './symbol-lookup.js';
export { type TokenVocabulary, tokenizePhrase } from './tokenize-phrase.js';
export { Utf8Builder } from './utf8-builder.js';
export { bytePieceValue, isSpecialSymbol, type WordPiece } from './word-piece.js';
export { type AsrWord, groupWords, type WordTiming } from './words.js';
