/**
 * How one token contributes to text and words, decided per tokenizer family
 * (SentencePiece or Paraformer). Bytes come from SentencePiece byte fallback and are
 * decoded as UTF-8 together with their neighbours.
 */
export type WordPiece =
  | { readonly kind: 'skip' }
  | { readonly kind: 'text'; readonly text: string; readonly startsWord: boolean }
  | { readonly kind: 'byte'; readonly byte: number };

export const SKIP_PIECE: WordPiece = Object.freeze({ kind: 'skip' });

/** `<...>` symbols (`<unk>`, `<blk>`, `<s>`, `</s>`, `<blank>`...) carry no text. */
export function isSpecialSymbol(symbol: string): boolean {
  return symbol.length >= 3 && symbol.startsWith('<') && symbol.endsWith('>');
}

const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;

/** The byte of a SentencePiece byte-fallback piece `<0xNN>`, or -1. */
export function bytePieceValue(symbol: string): number {
  const m = BYTE_PIECE.exec(symbol);
  return m === null ? -1 : Number.parseInt(m[1]!, 16);
}
