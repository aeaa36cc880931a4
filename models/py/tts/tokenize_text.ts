/**
 * Batch bridge from Python to the run-time text front end, so training data is tokenised
 * by exactly the code that serves requests.
 *
 *   npx tsx models/py/tts/tokenize_text.ts < in.jsonl > out.jsonl
 *   npx tsx models/py/tts/tokenize_text.ts --inventory
 *
 * Input: one JSON object per line, {"id": any, "text": string}. Output, one line each in
 * the same order: {"id", "text" (normalised, what the synthesiser reads), "words"
 * (lowercase spoken words: the recogniser reference), "symbols", "ids", "oov" (words
 * pronounced by rule or derivation)}. --inventory prints {"tokens": [...]} (index = id).
 */
import { createInterface } from 'node:readline';
import { defaultLexicon } from '../../../tts/text/lexicon.js';
import { normalizeTokens } from '../../../tts/text/normalize.js';
import { spokenWords } from '../../../tts/text/normalized-token.js';
import { TOKENS } from '../../../tts/text/phone-tokens.js';
import { phonesFromNormalized } from '../../../tts/text/tokenize.js';

async function main(): Promise<void> {
  if (process.argv.includes('--inventory')) {
    process.stdout.write(`${JSON.stringify({ tokens: TOKENS })}\n`);
    return;
  }
  const lexicon = defaultLexicon();
  const isWord = (w: string) => lexicon.has(w);
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    const item = JSON.parse(line) as { id?: unknown; text?: unknown };
    if (typeof item.text !== 'string') throw new Error(`line ${lineNo}: "text" must be a string`);
    const normalized = normalizeTokens(item.text, { isWord });
    const seq = phonesFromNormalized(normalized, { lexicon });
    const out = {
      id: item.id,
      text: seq.text,
      words: spokenWords(normalized),
      symbols: seq.symbols,
      ids: seq.ids,
      oov: seq.words.filter((w) => w.source === 'rules' || w.source === 'derived').map((w) => w.text),
    };
    if (!process.stdout.write(`${JSON.stringify(out)}\n`)) {
      await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
