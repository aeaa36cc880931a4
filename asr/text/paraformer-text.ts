import type { SymbolLookup } from './symbol-lookup.js';
import { isSpecialSymbol, SKIP_PIECE, type WordPiece } from './word-piece.js';

/**
 * Paraformer (FunASR) tokens: English word pieces end in `@@` when the word continues
 * in the next token; CJK tokens are characters. Rules from sherpa-onnx's
 * offline-recognizer-paraformer-impl.h `Convert`. Unlike sherpa, `<...>` specials
 * (`<blank>`, `<s>`, `</s>`, `<unk>`) are dropped here instead of printed.
 */
const CONTINUES = '@@';

function isAscii(symbol: string): boolean {
  return symbol.charCodeAt(0) < 0x80;
}

function usable(symbol: string | undefined): symbol is string {
  return symbol !== undefined && symbol.length > 0 && !isSpecialSymbol(symbol);
}

/**
 * Text as sherpa builds it: an `@@` piece starts a word with a space unless a word is
 * already open, and keeps it open; an ASCII token closes an open word or starts a new
 * one with a space; a CJK token is appended directly, after one space when the previous
 * token was ASCII. English results therefore start with a space (kept, as in sherpa).
 */
export function paraformerText(tokens: readonly number[], symbols: SymbolLookup): string {
  let text = '';
  let open = false;
  let prevAscii: boolean | undefined;
  for (const id of tokens) {
    const sym = symbols.symbol(id);
    if (!usable(sym)) continue;
    if (sym.endsWith(CONTINUES)) {
      const stem = sym.slice(0, -CONTINUES.length);
      text += open ? stem : ` ${stem}`;
      open = true;
    } else if (isAscii(sym)) {
      text += open ? sym : ` ${sym}`;
      open = false;
    } else {
      open = false;
      if (prevAscii === true) text += ' ';
      text += sym;
    }
    prevAscii = isAscii(sym);
  }
  return text;
}

/**
 * Word pieces for word timing: an `@@` piece or a fresh ASCII token starts a word, the
 * token after an `@@` piece continues it, and every CJK token is a word of its own.
 */
export function paraformerPieces(tokens: readonly number[], symbols: SymbolLookup): WordPiece[] {
  const pieces: WordPiece[] = [];
  let open = false;
  for (const id of tokens) {
    const sym = symbols.symbol(id);
    if (!usable(sym)) {
      pieces.push(SKIP_PIECE);
    } else if (sym.endsWith(CONTINUES)) {
      pieces.push({ kind: 'text', text: sym.slice(0, -CONTINUES.length), startsWord: !open });
      open = true;
    } else if (isAscii(sym)) {
      pieces.push({ kind: 'text', text: sym, startsWord: !open });
      open = false;
    } else {
      pieces.push({ kind: 'text', text: sym, startsWord: true });
      open = false;
    }
  }
  return pieces;
}
