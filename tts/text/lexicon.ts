/**
 * The pronouncing lexicon: lowercase word -> ARPAbet phones (no stress), one reading per
 * word. Built from the CMU dictionary by models/py/tts/data/build_lexicon.py into
 * tts/lexicon/cmudict-en-us.txt.gz (sorted "word PH PH" lines, gzip).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { SpeechError } from '../../common/errors.js';
import { isPhone, type Phone } from './phone-tokens.js';

export const LEXICON_FILE = 'cmudict-en-us.txt.gz';

export class Lexicon {
  readonly #entries: ReadonlyMap<string, string>;

  constructor(entries: ReadonlyMap<string, string>) {
    this.#entries = entries;
  }

  get size(): number {
    return this.#entries.size;
  }

  has(word: string): boolean {
    return this.#entries.has(word);
  }

  /** Phones of a lowercase word, or undefined when absent. */
  lookup(word: string): Phone[] | undefined {
    const phones = this.#entries.get(word);
    return phones === undefined ? undefined : (phones.split(' ') as Phone[]);
  }
}

/** Parses "word PH PH ..." lines; blank lines and ";;;" comments are skipped. */
export function parseLexicon(text: string, source = 'lexicon'): Lexicon {
  const entries = new Map<string, string>();
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.length === 0 || line.startsWith(';;;')) continue;
    const space = line.indexOf(' ');
    const word = space > 0 ? line.slice(0, space) : '';
    const phones = line.slice(space + 1).trim();
    if (!/^[a-z][a-z']*$/.test(word) || phones.length === 0 || !phones.split(' ').every(isPhone)) {
      throw new SpeechError(
        'TTS_LEXICON_INVALID',
        `${source}:${lineNo}: not "word PHONE...": ${line.slice(0, 80)}`,
        {
          source,
          line: lineNo,
        },
      );
    }
    if (!entries.has(word)) entries.set(word, phones);
  }
  return new Lexicon(entries);
}

/**
 * Where the shipped lexicon is: next to this module's folder when run from source
 * (tts/text -> tts/lexicon), or in the source tree when run from the compiled dist/tts/text.
 */
export function defaultLexiconPath(): string {
  const candidates = [`../lexicon/${LEXICON_FILE}`, `../../../tts/lexicon/${LEXICON_FILE}`].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url)),
  );
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

/** Reads a lexicon file, gzip (by magic bytes) or plain text. */
export function loadLexicon(path: string = defaultLexiconPath()): Lexicon {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (err) {
    throw new SpeechError('TTS_LEXICON_INVALID', `cannot read the lexicon ${path}`, { path }, { cause: err });
  }
  const gzipped = data.length > 2 && data[0] === 0x1f && data[1] === 0x8b;
  let text: string;
  try {
    text = (gzipped ? gunzipSync(data) : data).toString('utf8');
  } catch (err) {
    throw new SpeechError(
      'TTS_LEXICON_INVALID',
      `the lexicon ${path} is not valid gzip`,
      { path },
      { cause: err },
    );
  }
  return parseLexicon(text, path);
}

let shared: Lexicon | undefined;

/** The shipped lexicon, loaded once per process (about 0.2 s) and shared: it is immutable. */
export function defaultLexicon(): Lexicon {
  shared ??= loadLexicon();
  return shared;
}
