/**
 * Text normalisation: written English -> spoken words, spelled letters and prosody marks.
 *
 *   normalizeText('Dr. Smith paid $42.50 on 3/4/2021.')
 *   // 'doctor smith paid forty two dollars and fifty cents on march fourth twenty twenty one.'
 *
 * Deterministic and context-light: each raw token is read with at most its neighbours
 * (abbreviation sense, units, am/pm, dates). The same code tokenises training text and
 * run-time text, so any change here changes what trained models hear: keep it stable.
 */
import {
  abbreviationKey,
  DOTTED,
  entry,
  GENERAL,
  MONTH_INDEX,
  MONTHS,
  NUMBER_ABBREVIATION,
  STREET_SENSE,
  TITLES,
  WEEKDAYS,
} from './abbreviations.js';
import { readDate } from './normalize-date.js';
import { normalizeNumeric } from './normalize-numeric.js';
import { normalizeWordish, type WordContext } from './normalize-word.js';
import { letters, mark, type NormalizedToken, renderNormalized, words } from './normalized-token.js';
import type { ProsodyMark } from './phone-tokens.js';
import { type RawToken, rawTokens } from './raw-tokens.js';

export interface NormalizeOptions {
  /** Lexicon membership (lowercase word). Lets "IBM" be spelled and "NATO" be read. */
  readonly isWord?: (w: string) => boolean;
}

const MARK_STRENGTH: Readonly<Record<ProsodyMark, number>> = { ',': 0, '.': 1, '!': 2, '?': 3 };

/** Prosody mark for a run of closing punctuation: the strongest one wins ("?!" -> "?"). */
export function trailMark(trail: string): ProsodyMark | undefined {
  let best: ProsodyMark | undefined;
  for (const c of trail) {
    const m: ProsodyMark | undefined =
      c === '?' ? '?' : c === '!' ? '!' : c === '.' ? '.' : /[,;:)\]}]/.test(c) ? ',' : undefined;
    if (m !== undefined && (best === undefined || MARK_STRENGTH[m] > MARK_STRENGTH[best])) best = m;
  }
  return best;
}

function pushMark(out: NormalizedToken[], m: ProsodyMark | undefined): void {
  if (m === undefined || out.length === 0) return;
  const last = out[out.length - 1]!;
  if (last.kind === 'mark') {
    if (MARK_STRENGTH[m] > MARK_STRENGTH[last.text]) out[out.length - 1] = mark(m);
    return;
  }
  out.push(mark(m));
}

function isCapitalised(t: RawToken | undefined): boolean {
  return t !== undefined && /^[A-Z][a-z]/.test(t.core);
}

/** Mostly capitals (at least three words, over 60%): capitals are words, not acronyms. */
function isShouting(raw: readonly RawToken[]): boolean {
  const alpha = raw.filter((t) => /^[A-Za-z]{2,}$/.test(t.core));
  const caps = alpha.filter((t) => /^[A-Z]+$/.test(t.core));
  return alpha.length >= 3 && caps.length / alpha.length > 0.6;
}

interface Reading {
  readonly tokens: NormalizedToken[];
  /** Raw tokens read, counting the current one. */
  readonly length: number;
  /** Closing punctuation still to turn into a mark. */
  readonly trail: string;
}

/** After an abbreviation's own period: does that period also end the sentence? */
function periodEndsSentence(next: RawToken | undefined): boolean {
  return next === undefined || /^[A-Z"'(]/.test(next.lead + next.core);
}

/**
 * Abbreviations that need the period or a neighbour: titles, street types, "No. 5",
 * e.g./i.e., dotted initials, month and weekday abbreviations. A period that also ends
 * the sentence (last token, or "etc." before a capital) is kept in the trail.
 */
function readAbbreviation(raw: readonly RawToken[], i: number): Reading | undefined {
  const t = raw[i]!;
  const dotted = t.trail.startsWith('.');
  const key = abbreviationKey(t.core);
  const prev = raw[i - 1];
  const next = raw[i + 1];
  const rest = dotted ? t.trail.slice(1) : t.trail;
  const endsSentence = periodEndsSentence(next);
  const finalTrail = (keepPeriod: boolean) => (keepPeriod && dotted && rest === '' ? '.' : rest);

  if (
    entry(STREET_SENSE, key) !== undefined &&
    isCapitalised(prev) &&
    prev!.trail === '' &&
    (dotted || !isCapitalised(next))
  ) {
    if (dotted || /^[A-Z]/.test(t.core)) {
      return { tokens: words(entry(STREET_SENSE, key)!), length: 1, trail: finalTrail(endsSentence) };
    }
  }
  if (
    entry(TITLES, key) !== undefined &&
    (dotted || /^(mr|mrs|ms|dr)$/.test(key) || (key === 'st' && isCapitalised(next)))
  ) {
    if (dotted || isCapitalised(next)) return { tokens: words(entry(TITLES, key)!), length: 1, trail: rest };
  }
  if (key === NUMBER_ABBREVIATION && dotted && next !== undefined && /^\d/.test(next.core)) {
    return { tokens: words('number'), length: 1, trail: rest };
  }
  if (!dotted) return undefined;
  if (entry(DOTTED, key) !== undefined)
    return { tokens: words(entry(DOTTED, key)!), length: 1, trail: finalTrail(endsSentence) };
  if (/^([A-Za-z]\.)+[A-Za-z]$/.test(t.core)) {
    return { tokens: letters(t.core), length: 1, trail: finalTrail(endsSentence) };
  }
  if (/^[A-Z]$/.test(t.core))
    return { tokens: letters(t.core), length: 1, trail: finalTrail(next === undefined) };
  if (entry(GENERAL, key) !== undefined)
    return { tokens: words(entry(GENERAL, key)!), length: 1, trail: finalTrail(endsSentence) };
  if (/^[A-Z]/.test(t.core) && entry(WEEKDAYS, key) !== undefined) {
    return { tokens: words(entry(WEEKDAYS, key)!), length: 1, trail: finalTrail(endsSentence) };
  }
  const month = MONTH_INDEX.get(key);
  if (/^[A-Z]/.test(t.core) && month !== undefined && key.length <= 4 && key !== 'may') {
    return { tokens: words(MONTHS[month]!), length: 1, trail: finalTrail(endsSentence) };
  }
  return undefined;
}

function readToken(raw: readonly RawToken[], i: number, ctx: WordContext, afterThe: boolean): Reading {
  const t = raw[i]!;
  const next = raw[i + 1];
  const date = readDate(raw, i, afterThe);
  if (date) return date;
  const abbreviation = readAbbreviation(raw, i);
  if (abbreviation) return abbreviation;
  if (t.core === '-' || t.core === '--' || t.core === '|')
    return { tokens: [mark(',')], length: 1, trail: t.trail };
  // Only a token with no closing punctuation may read its neighbour (unit, am/pm, scale).
  const numeric = normalizeNumeric(t.core, t.trail === '' ? next?.core : undefined);
  if (numeric) {
    const length = 1 + numeric.consumed;
    const last = raw[i + length - 1]!;
    // A consumed "a.m." owns its period, which ends the sentence only before a capital.
    const ownPeriod = numeric.consumed === 1 && /^[ap]\.m$/i.test(last.core) && last.trail.startsWith('.');
    const trail = ownPeriod && !periodEndsSentence(raw[i + length]) ? last.trail.slice(1) : last.trail;
    return { tokens: numeric.tokens, length, trail };
  }
  return { tokens: normalizeWordish(t.core, ctx), length: 1, trail: t.trail };
}

/** Normalised tokens of `text`. Marks never start the output and never repeat. */
export function normalizeTokens(text: string, options: NormalizeOptions = {}): NormalizedToken[] {
  const raw = rawTokens(text);
  const ctx: WordContext = {
    isWord: options.isWord ?? (() => false),
    shouting: isShouting(raw),
    numeric: (core) => normalizeNumeric(core, undefined)?.tokens,
  };
  const out: NormalizedToken[] = [];
  for (let i = 0; i < raw.length; ) {
    const t = raw[i]!;
    if (/[([{]/.test(t.lead)) pushMark(out, ',');
    const last = out[out.length - 1];
    const reading = readToken(raw, i, ctx, last?.kind === 'word' && last.text === 'the');
    for (const tok of reading.tokens) {
      if (tok.kind === 'mark') pushMark(out, tok.text);
      else out.push(tok);
    }
    pushMark(out, trailMark(reading.trail));
    i += reading.length;
  }
  return out;
}

/** Normalised text (see `renderNormalized`). */
export function normalizeText(text: string, options: NormalizeOptions = {}): string {
  return renderNormalized(normalizeTokens(text, options));
}
