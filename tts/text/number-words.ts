/**
 * Numbers as English words (American usage: no "and" inside numbers, "one hundred",
 * "nineteen ninety nine"). Inputs are digit strings so that large numbers stay exact.
 * Every function returns a list of lowercase words.
 */

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES = ['', 'thousand', 'million', 'billion', 'trillion', 'quadrillion'];

/** Longest integer read as a number; longer ones are read digit by digit. */
export const MAX_CARDINAL_DIGITS = 18;

const IRREGULAR_ORDINALS: Readonly<Record<string, string>> = {
  one: 'first',
  two: 'second',
  three: 'third',
  five: 'fifth',
  eight: 'eighth',
  nine: 'ninth',
  twelve: 'twelfth',
};

function under100(n: number): string[] {
  if (n < 20) return [ONES[n]!];
  const tens = TENS[Math.floor(n / 10)]!;
  return n % 10 === 0 ? [tens] : [tens, ONES[n % 10]!];
}

function under1000(n: number): string[] {
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  const out = hundreds > 0 ? [ONES[hundreds]!, 'hundred'] : [];
  return rest > 0 || hundreds === 0 ? [...out, ...under100(rest)] : out;
}

/** "0" -> zero, "1200" -> one thousand two hundred. Leading zeros are ignored. */
export function cardinalWords(digits: string): string[] {
  const clean = digits.replace(/^0+(?=\d)/, '');
  if (!/^\d+$/.test(clean)) throw new RangeError(`not a digit string: ${JSON.stringify(digits)}`);
  if (clean.length > MAX_CARDINAL_DIGITS) return digitWords(clean);
  if (clean === '0') return ['zero'];
  const groups: number[] = [];
  for (let end = clean.length; end > 0; end -= 3) {
    groups.unshift(Number(clean.slice(Math.max(0, end - 3), end)));
  }
  const out: string[] = [];
  groups.forEach((g, i) => {
    if (g === 0) return;
    const scale = SCALES[groups.length - 1 - i]!;
    out.push(...under1000(g));
    if (scale) out.push(scale);
  });
  return out;
}

/** "1" -> first, "21" -> twenty first, "100" -> one hundredth. */
export function ordinalWords(digits: string): string[] {
  const words = cardinalWords(digits);
  const last = words[words.length - 1]!;
  let ord = IRREGULAR_ORDINALS[last];
  if (ord === undefined) ord = last.endsWith('y') ? `${last.slice(0, -1)}ieth` : `${last}th`;
  return [...words.slice(0, -1), ord];
}

/** Digit by digit: "007" -> zero zero seven. */
export function digitWords(digits: string): string[] {
  return [...digits].filter((c) => c >= '0' && c <= '9').map((c) => ONES[Number(c)]!);
}

/** Two digits as said in years and times: "05" -> oh five, "30" -> thirty, "00" -> hundred. */
function pairWords(n: number): string[] {
  if (n === 0) return ['hundred'];
  if (n < 10) return ['oh', ONES[n]!];
  return under100(n);
}

/**
 * A year: 1999 -> nineteen ninety nine, 1905 -> nineteen oh five, 1900 -> nineteen hundred,
 * 2000 -> two thousand, 2007 -> two thousand seven, 2019 -> twenty nineteen. Years below
 * 1000 and multiples of 1000 are cardinals.
 */
export function yearWords(digits: string): string[] {
  const n = Number(digits);
  if (!Number.isInteger(n) || n < 1000 || n > 9999 || n % 1000 === 0) return cardinalWords(digits);
  if (n >= 2000 && n < 2010) return cardinalWords(digits);
  const hi = Math.floor(n / 100);
  return [...under100(hi), ...pairWords(n % 100)];
}

/** Decimal: "3.14" -> three point one four; ".5" -> point five (say "zero point five"). */
export function decimalWords(intPart: string, fracPart: string): string[] {
  const whole = intPart === '' ? ['zero'] : cardinalWords(intPart);
  return fracPart === '' ? whole : [...whole, 'point', ...digitWords(fracPart)];
}

/** Minutes of a clock time: 0 -> o'clock handled by the caller, 5 -> oh five, 30 -> thirty. */
export function minuteWords(minutes: number): string[] {
  return minutes < 10 ? ['oh', ONES[minutes]!] : under100(minutes);
}

const DENOMINATORS: Readonly<Record<number, [string, string]>> = {
  2: ['half', 'halves'],
  4: ['quarter', 'quarters'],
};

/** Fraction: 1/2 -> one half, 3/4 -> three quarters, 2/3 -> two thirds, 5/16 -> five sixteenths. */
export function fractionWords(numerator: string, denominator: string): string[] {
  const num = cardinalWords(numerator);
  const d = Number(denominator);
  const plural = Number(numerator) !== 1;
  const special = DENOMINATORS[d];
  if (special) return [...num, plural ? special[1] : special[0]];
  const ord = ordinalWords(denominator);
  if (plural) ord[ord.length - 1] = `${ord[ord.length - 1]}s`;
  return [...num, ...ord];
}
