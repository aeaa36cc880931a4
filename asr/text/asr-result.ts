import type { DecodedTokens } from '../decoders/decoded-tokens.js';
import { paraformerPieces, paraformerText } from './paraformer-text.js';
import { sentencePiecePieces, sentencePieceText } from './sentencepiece.js';
import type { SymbolLookup } from './symbol-lookup.js';
import { type AsrWord, groupWords } from './words.js';

/** What a recognizer reports for one segment. */
export interface AsrResult {
  readonly text: string;
  /** Token ids as decoded. */
  readonly tokens: readonly number[];
  /** Seconds, one per token: start of the frame on which it was emitted. */
  readonly timestamps: readonly number[];
  readonly words: readonly AsrWord[];
}

/** Which detokenisation rules apply: NeMo SentencePiece (`▁`) or FunASR Paraformer (`@@`). */
export type TokenizerStyle = 'sentencepiece' | 'paraformer';

export interface AsrResultOptions {
  readonly symbols: SymbolLookup;
  readonly style: TokenizerStyle;
  /** 0.08 for NeMo FastConformer (10 ms x 8), 0.06 for Paraformer LFR frames. */
  readonly secondsPerFrame: number;
  /** Added to all times (the segment's start in the stream); default 0. */
  readonly timeOffset?: number;
  /** Keep the leading space both tokenizers produce (default false: trimmed). */
  readonly keepLeadingSpace?: boolean;
}

export function buildAsrResult(decoded: DecodedTokens, opts: AsrResultOptions): AsrResult {
  const { symbols, style, secondsPerFrame } = opts;
  const offset = opts.timeOffset ?? 0;
  const raw =
    style === 'paraformer'
      ? paraformerText(decoded.tokens, symbols)
      : sentencePieceText(decoded.tokens, symbols);
  const pieces =
    style === 'paraformer'
      ? paraformerPieces(decoded.tokens, symbols)
      : sentencePiecePieces(decoded.tokens, symbols);
  return {
    text: opts.keepLeadingSpace ? raw : raw.trim(),
    tokens: [...decoded.tokens],
    timestamps: decoded.frames.map((f) => offset + f * secondsPerFrame),
    words: groupWords(pieces, decoded.frames, decoded.logProbs, { secondsPerFrame, timeOffset: offset }),
  };
}
