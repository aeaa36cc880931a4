/**
 * Dates written with a month name, which span several raw tokens:
 * "March 3", "Mar. 3rd, 2021", "March 2021", "3 March 2021", "21st of September".
 * Month names only count when capitalised ("we march 3 miles" is not a date).
 */
import { abbreviationKey, MONTH_INDEX, MONTHS } from './abbreviations.js';
import { mark, type NormalizedToken, words } from './normalized-token.js';
import { ordinalWords, yearWords } from './number-words.js';
import type { RawToken } from './raw-tokens.js';

export interface DateResult {
  readonly tokens: NormalizedToken[];
  /** Raw tokens read, counting the first. */
  readonly length: number;
  /** Punctuation after the last token read. */
  readonly trail: string;
}

const DAY = /^(\d{1,2})(?:st|nd|rd|th)?$/i;
const YEAR = /^(1\d{3}|20\d{2})$/;

function monthOf(t: RawToken | undefined): number | undefined {
  if (t === undefined || !/^[A-Z]/.test(t.core)) return undefined;
  if (t.trail !== '' && !t.trail.startsWith('.') && !t.trail.startsWith(',')) return undefined;
  const key = abbreviationKey(t.core);
  const idx = MONTH_INDEX.get(key);
  // "May" is a month only next to a day or year; abbreviations need nothing more.
  return idx;
}

function dayOf(t: RawToken | undefined): string | undefined {
  const m = t === undefined ? null : DAY.exec(t.core);
  if (!m) return undefined;
  const day = Number(m[1]);
  return day >= 1 && day <= 31 ? String(day) : undefined;
}

function yearOf(t: RawToken | undefined): string | undefined {
  return t !== undefined && YEAR.test(t.core) ? t.core : undefined;
}

/** Trail marks between date parts: a comma is kept as a pause, the rest must be empty. */
function joinable(trail: string): boolean {
  return trail === '' || trail === ',';
}

function between(trail: string): NormalizedToken[] {
  return trail === ',' ? [mark(',')] : [];
}

/** Month-first dates starting at `i`. */
function monthFirst(raw: readonly RawToken[], i: number): DateResult | undefined {
  const first = raw[i]!;
  const month = monthOf(first);
  if (month === undefined) return undefined;
  const name = MONTHS[month]!;
  // The month's own trail may be "." (abbreviation) and nothing else when a day follows.
  const monthJoins = first.trail === '' || (first.trail === '.' && first.core.length <= 4);
  const day = monthJoins ? dayOf(raw[i + 1]) : undefined;
  if (day !== undefined) {
    const dayTok = raw[i + 1]!;
    const dayWords = words(name, ...ordinalWords(day));
    const year = joinable(dayTok.trail) ? yearOf(raw[i + 2]) : undefined;
    if (year !== undefined) {
      return {
        tokens: [...dayWords, ...between(dayTok.trail), ...words(...yearWords(year))],
        length: 3,
        trail: raw[i + 2]!.trail,
      };
    }
    return { tokens: dayWords, length: 2, trail: dayTok.trail };
  }
  const year = monthJoins || first.trail === ',' ? yearOf(raw[i + 1]) : undefined;
  if (year !== undefined) {
    return {
      tokens: [...words(name), ...between(first.trail), ...words(...yearWords(year))],
      length: 2,
      trail: raw[i + 1]!.trail,
    };
  }
  return undefined;
}

/** Day-first dates: "3 March 2021" -> the third of march twenty twenty one. */
function dayFirst(raw: readonly RawToken[], i: number, afterThe: boolean): DateResult | undefined {
  const dayTok = raw[i]!;
  const day = dayOf(dayTok);
  if (day === undefined || dayTok.trail !== '') return undefined;
  let j = i + 1;
  if (raw[j]?.core === 'of' && raw[j]?.trail === '') j++;
  const monthTok = raw[j];
  const month = monthOf(monthTok);
  if (month === undefined || monthTok === undefined) return undefined;
  const head = [...(afterThe ? [] : words('the')), ...words(...ordinalWords(day), 'of', MONTHS[month]!)];
  const year = joinable(monthTok.trail) ? yearOf(raw[j + 1]) : undefined;
  if (year !== undefined) {
    return {
      tokens: [...head, ...between(monthTok.trail), ...words(...yearWords(year))],
      length: j + 2 - i,
      trail: raw[j + 1]!.trail,
    };
  }
  return { tokens: head, length: j + 1 - i, trail: monthTok.trail };
}

/** A date starting at raw[i], or undefined. `afterThe`: the previous word was "the". */
export function readDate(raw: readonly RawToken[], i: number, afterThe: boolean): DateResult | undefined {
  return monthFirst(raw, i) ?? dayFirst(raw, i, afterThe);
}
