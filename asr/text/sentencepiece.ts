import type { SymbolLookup } from './symbol-lookup.js';
import { Utf8Builder } from './utf8-builder.js';
import { bytePieceValue, isSpecialSymbol, SKIP_PIECE, type WordPiece } from './word-piece.js';

/** U+2581 LOWER ONE EIGHTH BLOCK: SentencePiece's word-start marker. */
export const SP_SPACE = '\u2581';

/**
 * One SentencePiece token as a word piece (NeMo BPE vocabularies), following sherpa's
 * SymbolTable: only a leading `▁` is a word start (it becomes one space in text; a `▁`
 * elsewhere in the piece is kept as is); `<0xNN>` byte-fallback pieces become raw bytes;
 * other `<...>` specials (`<unk>`, `<blk>`, `<s>`...) and unknown ids produce nothing.
 */
export function sentencePiecePiece(symbol: string | undefined): WordPiece {
  if (symbol === undefined) return SKIP_PIECE;
  const byte = bytePieceValue(symbol);
  if (byte >= 0) return { kind: 'byte', byte };
  if (isSpecialSymbol(symbol)) return SKIP_PIECE;
  if (symbol.startsWith(SP_SPACE))
    return { kind: 'text', text: symbol.slice(SP_SPACE.length), startsWord: true };
  return { kind: 'text', text: symbol, startsWord: false };
}

export function sentencePiecePieces(tokens: readonly number[], symbols: SymbolLookup): WordPiece[] {
  return tokens.map((id) => sentencePiecePiece(symbols.symbol(id)));
}

/**
 * Text of a SentencePiece token sequence. Like sherpa's online result the leading space
 * of the first word is kept (segments can then be concatenated); trim for display.
 */
export function sentencePieceText(tokens: readonly number[], symbols: SymbolLookup): string {
  return piecesToText(sentencePiecePieces(tokens, symbols));
}

/** Concatenates pieces: a word start becomes one space, bytes are decoded as UTF-8. */
export function piecesToText(pieces: readonly WordPiece[]): string {
  const out = new Utf8Builder();
  for (const p of pieces) {
    if (p.kind === 'byte') out.appendByte(p.byte);
    else if (p.kind === 'text') out.appendText(p.startsWord ? ` ${p.text}` : p.text);
  }
  return out.toString();
}
