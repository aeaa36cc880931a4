/**
 * Turns a hotword phrase into token ids of the model's vocabulary, for contextual
 * biasing. SentencePiece vocabularies mark word starts with U+2581; without the model's
 * .model file we segment each word greedily by the longest piece in the vocabulary
 * (max-munch), which reproduces SentencePiece for whole-word pieces and is a close
 * approximation otherwise. Paraformer-style vocabularies (`@@` continuations) are not
 * handled here.
 */
import { SpeechError } from '../../common/errors.js';

const SP_SPACE = '\u2581';

export interface TokenVocabulary {
  /** Token id for a symbol, or undefined. */
  idOf(symbol: string): number | undefined;
}

export function tokenizePhrase(phrase: string, vocab: TokenVocabulary, maxPieceLength = 32): number[] {
  const words = phrase.normalize('NFKC').trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new SpeechError('CONFIG_INVALID', 'hotword phrase is empty');
  const ids: number[] = [];
  for (const word of words) {
    const text = SP_SPACE + word;
    let at = 0;
    while (at < text.length) {
      let matched = 0;
      for (let len = Math.min(maxPieceLength, text.length - at); len > 0; len--) {
        const id = vocab.idOf(text.slice(at, at + len));
        if (id !== undefined) {
          ids.push(id);
          matched = len;
          break;
        }
      }
      if (matched === 0) {
        // A lone word-start marker may be absent when every piece carries it; skip it.
        if (text[at] === SP_SPACE) {
          at++;
          continue;
        }
        throw new SpeechError(
          'CONFIG_INVALID',
          `hotword "${phrase}" cannot be spelled with this model's tokens (stuck at "${text.slice(at)}")`,
          { phrase },
        );
      }
      at += matched;
    }
  }
  return ids;
}
