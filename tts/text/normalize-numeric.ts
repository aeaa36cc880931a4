/**
 * Tokens that start with a digit or a currency/sign symbol: money, percentages, clock
 * times, numeric dates, ordinals, decades, fractions, ranges, phone numbers, versions,
 * numbers with units, and plain numbers. One token at a time; the following token is
 * passed in for units, scales and am/pm, and `consumed` says whether it was used.
 */
import { MONTHS } from './abbreviations.js';
import { letters, mark, type NormalizedToken, words } from './normalized-token.js';
import {
  cardinalWords,
  decimalWords,
  digitWords,
  fractionWords,
  MAX_CARDINAL_DIGITS,
  minuteWords,
  ordinalWords,
  yearWords,
} from './number-words.js';
import { ATTACHED_ONLY, SCALE_WORDS, unitWords } from './units.js';

export interface NumericResult {
  readonly tokens: NormalizedToken[];
  /** 1 when the next raw token (unit, scale word, am/pm) was read too. */
  readonly consumed: 0 | 1;
}

const CURRENCIES: Readonly<Record<string, readonly [string, string, string, string]>> = {
  $: ['dollar', 'dollars', 'cent', 'cents'],
  '€': ['euro', 'euros', 'cent', 'cents'],
  '£': ['pound', 'pounds', 'penny', 'pence'],
  '¥': ['yen', 'yen', 'sen', 'sen'],
};

const NUM = String.raw`(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?`;
const PLAIN = new RegExp(`^([-+]?)${NUM}$`);
const MONEY = new RegExp(`^(-?)([$€£¥])${NUM}([a-zA-Z]*)$`);
const MONEY_AFTER = new RegExp(`^(-?)${NUM}([$€£¥])$`);
const PERCENT = new RegExp(`^([-+]?)${NUM}%$`);
const WITH_SUFFIX = new RegExp(`^(-?)${NUM}([a-zA-Z°][a-zA-Z°/]*)$`);
const ORDINAL = /^(\d{1,3}(?:,\d{3})+|\d+)(st|nd|rd|th)$/i;
const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2}))?([ap]\.?m\.?)?$/i;
const HOUR_AMPM = /^(\d{1,2})([ap])\.?m\.?$/i;
const AMPM = /^([ap])\.?m\.?$/i;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SLASH_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4}|\d{2})$/;
const DECADE = /^'?(\d{2}|\d{4})'?s$/;
const FRACTION = /^(\d{1,3})\/(\d{1,3})$/;
const RANGE = /^(\d[\d,.]*)-(\d[\d,.]*)$/;
const PHONE = /^(?:(\d{3})-)?(\d{3})-(\d{4})$/;
const VERSION = /^\d+(?:\.\d+){2,}$/;
const LEADING_POINT = /^([-+]?)\.(\d+)$/;

function cleanDigits(s: string): string {
  return s.replace(/,/g, '');
}

function signWords(sign: string): string[] {
  return sign === '-' ? ['minus'] : sign === '+' ? ['plus'] : [];
}

/** Integer or decimal; 4-digit integers 1100-2099 read as years when `yearLike`. */
function amountWords(intPart: string, frac: string | undefined, yearLike: boolean): string[] {
  const digits = cleanDigits(intPart);
  if (frac !== undefined) return decimalWords(digits, frac);
  if (digits.length > 1 && digits.startsWith('0')) return digitWords(digits);
  if (digits.length > MAX_CARDINAL_DIGITS) return digitWords(digits);
  if (yearLike && !intPart.includes(',') && /^(1[1-9]|20)\d\d$/.test(digits)) return yearWords(digits);
  return cardinalWords(digits);
}

function money(
  sign: string,
  symbol: string,
  intPart: string,
  frac: string | undefined,
  scale: string | undefined,
) {
  const [one, many, subOne, subMany] = CURRENCIES[symbol]!;
  const out = signWords(sign);
  if (scale !== undefined) return [...out, ...amountWords(intPart, frac, false), scale, many];
  const whole = cleanDigits(intPart);
  if (frac !== undefined && frac.length > 2) {
    return [...out, ...decimalWords(whole, frac), many];
  }
  const cents = frac === undefined ? 0 : Number(frac.padEnd(2, '0'));
  const main = whole === '0' && cents > 0 ? [] : [...cardinalWords(whole), whole === '1' ? one : many];
  if (cents === 0) return [...out, ...main];
  const centWords = [...cardinalWords(String(cents)), cents === 1 ? subOne : subMany];
  return main.length === 0 ? [...out, ...centWords] : [...out, ...main, 'and', ...centWords];
}

function scaleOf(word: string | undefined): string | undefined {
  return word === undefined ? undefined : (SCALE_WORDS.get(word) ?? SCALE_WORDS.get(word.toLowerCase()));
}

function clock(hour: number, minute: number, second: number | undefined): string[] {
  const h = cardinalWords(String(hour));
  const m = minute === 0 ? (hour <= 12 ? ["o'clock"] : ['hundred']) : minuteWords(minute);
  if (second === undefined || second === 0) return [...h, ...m];
  return [...h, ...m, 'and', ...cardinalWords(String(second)), second === 1 ? 'second' : 'seconds'];
}

function ampm(letter: string): NormalizedToken[] {
  return letters(`${letter}M`);
}

function dateWords(month: number, day: number, year: string | undefined): NormalizedToken[] | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const out = words(MONTHS[month - 1]!, ...ordinalWords(String(day)));
  return year === undefined ? out : [...out, ...words(...yearWords(year))];
}

function fullYear(y: string): string {
  if (y.length === 4) return y;
  const n = Number(y);
  return String(n < 50 ? 2000 + n : 1900 + n);
}

function decade(digits: string): string[] {
  if (digits.length === 2) {
    const w = cardinalWords(digits);
    if (digits === '00') return ['two', 'thousands'];
    return pluralise(w);
  }
  return pluralise(yearWords(digits));
}

function pluralise(ws: string[]): string[] {
  const last = ws[ws.length - 1]!;
  const plural = last.endsWith('y') ? `${last.slice(0, -1)}ies` : `${last}s`;
  return [...ws.slice(0, -1), plural];
}

function numberWithSuffix(sign: string, intPart: string, frac: string | undefined, suffix: string) {
  const count = frac === undefined ? cleanDigits(intPart) : `${intPart}.${frac}`;
  const unit = unitWords(suffix, count);
  if (unit !== undefined) return [...signWords(sign), ...amountWords(intPart, frac, false), ...unit];
  const scale = scaleOf(suffix);
  if (scale !== undefined) return [...signWords(sign), ...amountWords(intPart, frac, false), scale];
  return undefined;
}

function spoken(ws: readonly string[]): NumericResult {
  return { tokens: words(...ws), consumed: 0 };
}

function tokens(ts: NormalizedToken[], consumed: 0 | 1 = 0): NumericResult {
  return { tokens: ts, consumed };
}

function moneyToken(core: string, next: string | undefined): NumericResult | undefined {
  let m = MONEY.exec(core);
  if (m) {
    const [, sign, symbol, intPart, frac, suffix] = m as unknown as [
      string,
      string,
      string,
      string,
      string?,
      string?,
    ];
    if (suffix) {
      const scale = scaleOf(suffix);
      return scale === undefined ? undefined : spoken(money(sign, symbol, intPart, frac, scale));
    }
    // "$3 million": a spelled-out scale word after the amount (not "m", which may be a unit).
    const nextScale = next !== undefined && next.length > 2 ? scaleOf(next) : undefined;
    if (nextScale !== undefined) return tokens(words(...money(sign, symbol, intPart, frac, nextScale)), 1);
    return spoken(money(sign, symbol, intPart, frac, undefined));
  }
  m = MONEY_AFTER.exec(core);
  return m ? spoken(money(m[1]!, m[4]!, m[2]!, m[3], undefined)) : undefined;
}

function timeToken(core: string, next: string | undefined): NumericResult | undefined {
  const nextAmPm = next === undefined ? undefined : AMPM.exec(next);
  let m = TIME.exec(core);
  if (m) {
    const hour = Number(m[1]);
    const minute = Number(m[2]);
    const second = m[3] === undefined ? undefined : Number(m[3]);
    if (hour > 24 || minute > 59 || (second !== undefined && second > 59)) return undefined;
    const said = words(...clock(hour, minute, second));
    if (m[4]) return tokens([...said, ...ampm(m[4][0]!)]);
    if (nextAmPm) return tokens([...said, ...ampm(nextAmPm[1]!)], 1);
    return tokens(said);
  }
  m = HOUR_AMPM.exec(core);
  if (m && Number(m[1]) >= 1 && Number(m[1]) <= 12)
    return tokens([...words(...cardinalWords(m[1]!)), ...ampm(m[2]!)]);
  m = PLAIN.exec(core);
  if (m && nextAmPm && m[1] === '' && m[3] === undefined && Number(m[2]) >= 1 && Number(m[2]) <= 12) {
    return tokens([...words(...cardinalWords(m[2]!)), ...ampm(nextAmPm[1]!)], 1);
  }
  return undefined;
}

function dateToken(core: string): NumericResult | undefined {
  let m = ISO_DATE.exec(core);
  let date: NormalizedToken[] | undefined;
  if (m) date = dateWords(Number(m[2]), Number(m[3]), m[1]!);
  m = m ? null : SLASH_DATE.exec(core);
  if (m) date = dateWords(Number(m[1]), Number(m[2]), fullYear(m[3]!));
  return date ? tokens(date) : undefined;
}

/** Ordinals, decades, phone numbers, fractions, ranges, versions: shapes without context. */
function shapedToken(core: string): NumericResult | undefined {
  let m = ORDINAL.exec(core);
  if (m) return spoken(ordinalWords(cleanDigits(m[1]!)));
  m = DECADE.exec(core);
  if (m && m[1]!.endsWith('0')) return spoken(decade(m[1]!));
  m = PHONE.exec(core);
  if (m) {
    const groups = [m[1], m[2], m[3]].filter((g): g is string => g !== undefined);
    return tokens(groups.flatMap((g, i) => [...(i > 0 ? [mark(',')] : []), ...words(...digitWords(g))]));
  }
  m = FRACTION.exec(core);
  if (m) {
    const [num, den] = [Number(m[1]), Number(m[2])];
    if (den >= 2 && den <= 16 && num < den) return spoken(fractionWords(m[1]!, m[2]!));
    return spoken([...cardinalWords(m[1]!), 'slash', ...cardinalWords(m[2]!)]);
  }
  m = RANGE.exec(core);
  if (m) {
    const left = normalizeNumeric(m[1]!, undefined);
    const right = normalizeNumeric(m[2]!, undefined);
    if (left && right) return tokens([...left.tokens, ...words('to'), ...right.tokens]);
  }
  if (VERSION.test(core)) {
    return spoken(
      core.split('.').flatMap((part, i) => [...(i > 0 ? ['point'] : []), ...cardinalWords(part)]),
    );
  }
  m = LEADING_POINT.exec(core);
  if (m) return spoken([...signWords(m[1]!), 'point', ...digitWords(m[2]!)]);
  return undefined;
}

function quantityToken(core: string, next: string | undefined): NumericResult | undefined {
  let m = PERCENT.exec(core);
  if (m) return spoken([...signWords(m[1]!), ...amountWords(m[2]!, m[3], false), 'percent']);
  m = WITH_SUFFIX.exec(core);
  if (m) {
    const said = numberWithSuffix(m[1]!, m[2]!, m[3], m[4]!);
    if (said) return spoken(said);
  }
  m = PLAIN.exec(core);
  if (!m) return undefined;
  const [, sign, intPart, frac] = m as unknown as [string, string, string, string?];
  if (next !== undefined && !ATTACHED_ONLY.has(next)) {
    const unit = unitWords(next, frac === undefined ? cleanDigits(intPart) : `${intPart}.${frac}`);
    if (unit) return tokens(words(...signWords(sign), ...amountWords(intPart, frac, false), ...unit), 1);
  }
  return spoken([...signWords(sign), ...amountWords(intPart, frac, sign === '')]);
}

/** Reads `core` when it is numeric; undefined otherwise. */
export function normalizeNumeric(core: string, next: string | undefined): NumericResult | undefined {
  if (!/\d/.test(core)) return undefined;
  return (
    moneyToken(core, next) ??
    timeToken(core, next) ??
    dateToken(core) ??
    shapedToken(core) ??
    quantityToken(core, next)
  );
}
