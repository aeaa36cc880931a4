import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cardinalWords,
  decimalWords,
  digitWords,
  fractionWords,
  ordinalWords,
  yearWords,
} from '../../../tts/text/number-words.js';

const say = (ws: string[]) => ws.join(' ');

/** An independent reader of English number words (the inverse), for round trips. */
function parseCardinal(words: readonly string[]): bigint {
  const small: Record<string, number> = {};
  'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen'
    .split(' ')
    .forEach((w, i) => {
      small[w] = i;
    });
  'twenty thirty forty fifty sixty seventy eighty ninety'.split(' ').forEach((w, i) => {
    small[w] = 20 + 10 * i;
  });
  const scales: Record<string, bigint> = {
    thousand: 10n ** 3n,
    million: 10n ** 6n,
    billion: 10n ** 9n,
    trillion: 10n ** 12n,
    quadrillion: 10n ** 15n,
  };
  let total = 0n;
  let group = 0n;
  for (const w of words) {
    if (w in small) group += BigInt(small[w]!);
    else if (w === 'hundred') group *= 100n;
    else if (w in scales) {
      total += group * scales[w]!;
      group = 0n;
    } else throw new Error(`unknown number word ${w}`);
  }
  return total + group;
}

describe('cardinalWords', () => {
  it.each([
    ['0', 'zero'],
    ['7', 'seven'],
    ['13', 'thirteen'],
    ['20', 'twenty'],
    ['42', 'forty two'],
    ['100', 'one hundred'],
    ['101', 'one hundred one'],
    ['999', 'nine hundred ninety nine'],
    ['1000', 'one thousand'],
    ['1001', 'one thousand one'],
    ['12345', 'twelve thousand three hundred forty five'],
    ['1000000', 'one million'],
    ['2000500', 'two million five hundred'],
    ['1000000000', 'one billion'],
    ['007', 'seven'],
  ])('%s -> %s', (digits, words) => {
    expect(say(cardinalWords(digits))).toBe(words);
  });

  it('round-trips through an independent parser for any integer below 10^18', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 18n - 1n }), (n) => {
        expect(parseCardinal(cardinalWords(n.toString()))).toBe(n);
      }),
      { numRuns: 500 },
    );
  });

  it('reads numbers longer than 18 digits digit by digit and rejects non-digits', () => {
    expect(say(cardinalWords('1234567890123456789'))).toBe(
      'one two three four five six seven eight nine zero one two three four five six seven eight nine',
    );
    expect(() => cardinalWords('12a')).toThrow(RangeError);
  });
});

describe('ordinalWords', () => {
  it.each([
    ['1', 'first'],
    ['2', 'second'],
    ['3', 'third'],
    ['4', 'fourth'],
    ['5', 'fifth'],
    ['8', 'eighth'],
    ['9', 'ninth'],
    ['12', 'twelfth'],
    ['20', 'twentieth'],
    ['21', 'twenty first'],
    ['42', 'forty second'],
    ['100', 'one hundredth'],
    ['1000000', 'one millionth'],
  ])('%s -> %s', (digits, words) => {
    expect(say(ordinalWords(digits))).toBe(words);
  });
});

describe('yearWords', () => {
  it.each([
    ['1999', 'nineteen ninety nine'],
    ['1905', 'nineteen oh five'],
    ['1900', 'nineteen hundred'],
    ['1066', 'ten sixty six'],
    ['2000', 'two thousand'],
    ['2007', 'two thousand seven'],
    ['2010', 'twenty ten'],
    ['2024', 'twenty twenty four'],
    ['2100', 'twenty one hundred'],
    ['999', 'nine hundred ninety nine'],
  ])('%s -> %s', (digits, words) => {
    expect(say(yearWords(digits))).toBe(words);
  });
});

describe('decimals, digits and fractions', () => {
  it('reads decimals digit by digit after the point', () => {
    expect(say(decimalWords('3', '14'))).toBe('three point one four');
    expect(say(decimalWords('', '5'))).toBe('zero point five');
    expect(say(decimalWords('10', '05'))).toBe('ten point zero five');
  });

  it('reads digit strings one by one', () => {
    expect(say(digitWords('0070'))).toBe('zero zero seven zero');
  });

  it.each([
    ['1', '2', 'one half'],
    ['3', '4', 'three quarters'],
    ['1', '3', 'one third'],
    ['2', '3', 'two thirds'],
    ['5', '16', 'five sixteenths'],
    ['1', '8', 'one eighth'],
  ])('%s/%s -> %s', (n, d, words) => {
    expect(say(fractionWords(n, d))).toBe(words);
  });
});
