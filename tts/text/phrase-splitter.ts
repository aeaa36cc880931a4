/**
 * Sentence and phrase splitting for streaming synthesis.
 *
 * Text may arrive in pieces (an LLM token stream); a phrase is emitted as soon as it is
 * certainly complete, and the phrases never depend on how the text was cut into pieces:
 * every decision looks only at characters already received, and when it would need
 * more it waits. Rules, in the order they are met while scanning:
 * - a newline ends a sentence;
 * - `.` `!` `?` (runs, and closing quotes or brackets after them) followed by white space
 *   end a sentence, except a period after a title ("Dr."), an initial ("J."), "e.g."/"i.e.",
 *   "No." before a number, or an abbreviation such as "etc." or "U.S." that is followed by
 *   a lower-case word; "3.14" and "example.com" have no white space after the period;
 * - `,` `;` `:` or a spaced dash followed by white space end a phrase once the phrase has
 *   `clauseChars` characters, unless a digit follows ("March 3, 2021");
 * - a phrase that reaches `maxChars` is cut at its last clause mark, else its last space
 *   that does not follow a title or a number, else after the word that crosses the limit.
 */
import {
  abbreviationKey,
  DOTTED,
  entry,
  GENERAL,
  NUMBER_ABBREVIATION,
  STREET_SENSE,
  TITLES,
} from './abbreviations.js';

export type PhraseBoundary = 'sentence' | 'clause' | 'length' | 'end';

export interface Phrase {
  readonly text: string;
  /** Why the phrase ended: sets the pause after it. `end` is the flush of the last text. */
  readonly boundary: PhraseBoundary;
}

export interface PhraseSplitOptions {
  /** Longest phrase in characters (default 120). */
  readonly maxChars?: number;
  /** Shortest phrase that a clause mark may end (default 40). */
  readonly clauseChars?: number;
  /** Shortest phrase a length cut may leave (default 10). */
  readonly minChars?: number;
}

interface Cut {
  /** End of the phrase text in the buffer. */
  readonly end: number;
  /** Where the next phrase starts. */
  readonly next: number;
  readonly boundary: PhraseBoundary;
}

/** Scan result: a cut, no cut in the whole buffer, or "need more text to decide". */
type Scan = Cut | 'none' | 'wait';

const TERMINATOR = /[.!?\u2026]/;
const CLOSER = /[)\]}"'\u2019\u201d\u00bb]/;
const CLAUSE = /[,;:]/;
const SPACE = /\s/;
const OPENERS = /^[([{"'\u2018\u201c\u00ab]+/;

/** The whitespace-delimited word ending just before `i`, without opening punctuation. */
function wordBefore(buf: string, i: number): { core: string; start: number } {
  let s = i;
  while (s > 0 && !SPACE.test(buf[s - 1]!)) s--;
  return { core: buf.slice(s, i).replace(OPENERS, ''), start: s };
}

/** First non-space index at or after `i`; -1 when the buffer ends first. */
function nextNonSpace(buf: string, i: number): number {
  let k = i;
  while (k < buf.length && SPACE.test(buf[k]!)) k++;
  return k < buf.length ? k : -1;
}

function isCapitalisedWord(core: string): boolean {
  return /^[A-Z][a-z]/.test(core);
}

/** Does a single period after `core` end the sentence? 'wait' when it depends on text not yet seen. */
function periodEnds(
  buf: string,
  wordStart: number,
  core: string,
  after: number,
  final: boolean,
): boolean | 'wait' {
  const key = abbreviationKey(core);
  if (/^[A-Za-z]$/.test(core) || entry(DOTTED, key) !== undefined) return false;
  const prev = wordBefore(buf, Math.max(0, wordStart - 1)).core;
  const streetSense = entry(STREET_SENSE, key) !== undefined && isCapitalisedWord(prev);
  if (entry(TITLES, key) !== undefined && !streetSense) return false;
  const lookahead =
    streetSense ||
    entry(GENERAL, key) !== undefined ||
    key === NUMBER_ABBREVIATION ||
    /^([A-Za-z]\.)+[A-Za-z]$/.test(core);
  if (!lookahead) return true;
  const k = nextNonSpace(buf, after);
  if (k < 0) return final ? true : 'wait';
  const c = buf[k]!;
  if (key === NUMBER_ABBREVIATION) return !/\d/.test(c);
  return /[A-Z"'([\u2018\u201c]/.test(c);
}

/** Where a phrase that has grown to `limit` characters is cut (see the module comment). */
function lengthCut(buf: string, limit: number, minChars: number): Cut | undefined {
  for (let i = limit - 1; i >= minChars; i--) {
    if (CLAUSE.test(buf[i - 1]!) && SPACE.test(buf[i]!)) return { end: i, next: i, boundary: 'length' };
  }
  for (let i = limit; i >= minChars; i--) {
    if (!SPACE.test(buf[i]!) || SPACE.test(buf[i - 1]!)) continue;
    const { core } = wordBefore(buf, i);
    if (entry(TITLES, abbreviationKey(core)) !== undefined || /\d$/.test(core) || /^[$€£¥]/.test(core))
      continue;
    return { end: i, next: i, boundary: 'length' };
  }
  return undefined;
}

function scan(buf: string, opts: Required<PhraseSplitOptions>, final: boolean): Scan {
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]!;
    if (i >= opts.maxChars) {
      const cut = lengthCut(buf, opts.maxChars, opts.minChars);
      if (cut) return cut;
      // One word longer than the limit: cut after it, once its end is seen.
      if (SPACE.test(c)) return { end: i, next: i, boundary: 'length' };
      continue;
    }
    if (c === '\n' || c === '\r') {
      if (/[\p{L}\p{N}]/u.test(buf.slice(0, i))) return { end: i, next: i + 1, boundary: 'sentence' };
      continue;
    }
    if (TERMINATOR.test(c)) {
      let j = i;
      while (j < buf.length && TERMINATOR.test(buf[j]!)) j++;
      while (j < buf.length && CLOSER.test(buf[j]!)) j++;
      if (j === buf.length) {
        if (final) return { end: j, next: j, boundary: 'sentence' };
        return 'wait';
      }
      if (!SPACE.test(buf[j]!)) {
        i = j - 1;
        continue;
      }
      const run = buf.slice(i, j);
      if (/^\.[)\]}"'\u2019\u201d\u00bb]*$/.test(run)) {
        const { core, start } = wordBefore(buf, i);
        const ends = periodEnds(buf, start, core, j, final);
        if (ends === 'wait') return 'wait';
        if (!ends) {
          i = j - 1;
          continue;
        }
      }
      return { end: j, next: j, boundary: 'sentence' };
    }
    const clause = CLAUSE.test(c) || (c === '-' && i > 0 && SPACE.test(buf[i - 1]!));
    if (clause && i + 1 >= opts.clauseChars) {
      if (i + 1 === buf.length) {
        if (final) return { end: i + 1, next: i + 1, boundary: 'end' };
        return 'wait';
      }
      if (!SPACE.test(buf[i + 1]!)) continue;
      const k = nextNonSpace(buf, i + 1);
      if (k < 0 && !final) return 'wait';
      if (k >= 0 && /\d/.test(buf[k]!)) continue;
      return { end: i + 1, next: i + 1, boundary: 'clause' };
    }
  }
  return 'none';
}

function resolve(options: PhraseSplitOptions): Required<PhraseSplitOptions> {
  const maxChars = options.maxChars ?? 120;
  const clauseChars = Math.min(options.clauseChars ?? 40, maxChars);
  const minChars = Math.min(options.minChars ?? 10, clauseChars);
  if (!(maxChars >= 2 && minChars >= 1)) throw new RangeError(`bad phrase limits ${JSON.stringify(options)}`);
  return { maxChars, clauseChars, minChars };
}

const SPEAKABLE = /[\p{L}\p{N}]/u;

/** Incremental splitter: push text as it arrives, flush at the end. */
export class PhraseSplitter {
  readonly #opts: Required<PhraseSplitOptions>;
  #buf = '';

  constructor(options: PhraseSplitOptions = {}) {
    this.#opts = resolve(options);
  }

  /** Adds text; returns the phrases it completed. */
  push(text: string): Phrase[] {
    this.#buf += text;
    return this.#drain(false);
  }

  /** The input is complete: returns every remaining phrase. */
  flush(): Phrase[] {
    const out = this.#drain(true);
    this.#buf = '';
    return out;
  }

  /** Text received but not yet emitted. */
  get pending(): string {
    return this.#buf;
  }

  reset(): void {
    this.#buf = '';
  }

  #drain(final: boolean): Phrase[] {
    const out: Phrase[] = [];
    for (;;) {
      this.#buf = this.#buf.replace(/^\s+/, '');
      if (this.#buf.length === 0) break;
      const cut = scan(this.#buf, this.#opts, final);
      if (cut === 'wait') break;
      if (cut === 'none') {
        if (!final) break;
        const text = this.#buf.trim();
        if (SPEAKABLE.test(text)) out.push({ text, boundary: 'end' });
        this.#buf = '';
        break;
      }
      const text = this.#buf.slice(0, cut.end).trim();
      if (SPEAKABLE.test(text)) out.push({ text, boundary: cut.boundary });
      this.#buf = this.#buf.slice(cut.next);
    }
    return out;
  }
}

/** All phrases of a complete text. */
export function splitPhrases(text: string, options: PhraseSplitOptions = {}): Phrase[] {
  const splitter = new PhraseSplitter(options);
  return [...splitter.push(text), ...splitter.flush()];
}
