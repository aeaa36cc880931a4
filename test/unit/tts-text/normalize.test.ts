import { describe, expect, it } from 'vitest';
import { normalizeText, normalizeTokens, trailMark } from '../../../tts/text/normalize.js';
import { spokenWords } from '../../../tts/text/normalized-token.js';

// A few lexicon words, so acronym decisions do not depend on the shipped lexicon here.
const KNOWN = new Set(['example', 'com', 'doe', 'john', 'docs', 'guide', 'intro', 'org', 'mail']);
const n = (text: string) => normalizeText(text, { isWord: (w) => KNOWN.has(w) });

describe('normalizeText: numbers', () => {
  it.each([
    ['I have 3 cats.', 'i have three cats.'],
    ['It was -5 outside.', 'it was minus five outside.'],
    ['Pi is 3.14159.', 'pi is three point one four one five nine.'],
    [
      'About 1,234,567 people.',
      'about one million two hundred thirty four thousand five hundred sixty seven people.',
    ],
    ['Add +2 and .5 more', 'add plus two and point five more'],
    ['Agent 007 arrived', 'agent zero zero seven arrived'],
    ['in 1999 and 2019', 'in nineteen ninety nine and twenty nineteen'],
    ['in 2005 and 1905 and 1900', 'in two thousand five and nineteen oh five and nineteen hundred'],
    ['the 1990s and the 80s', 'the nineteen nineties and the eighties'],
    ["back in the '60s", 'back in the sixties'],
    ['1st, 2nd, 3rd, 4th and 21st', 'first, second, third, fourth and twenty first'],
    ['pages 10-20', 'pages ten to twenty'],
    ['1990-1995', 'nineteen ninety to nineteen ninety five'],
    ['version 1.2.3', 'version one point two point three'],
    ['1/2 cup and 3/4 of it', 'one half cup and three quarters of it'],
    ['open 24/7', 'open twenty four slash seven'],
    ['call 555-123-4567', 'call five five five, one two three, four five six seven'],
  ])('%s', (input, expected) => {
    expect(n(input)).toBe(expected);
  });
});

describe('normalizeText: money, percent, units', () => {
  it.each([
    ['$5', 'five dollars'],
    ['$1', 'one dollar'],
    ['$42.50', 'forty two dollars and fifty cents'],
    ['$1.01', 'one dollar and one cent'],
    ['$0.99', 'ninety nine cents'],
    ['$5.5', 'five dollars and fifty cents'],
    ['$1,000,000', 'one million dollars'],
    ['$3.5 million', 'three point five million dollars'],
    ['$2bn', 'two billion dollars'],
    ['€20', 'twenty euros'],
    ['€1.50', 'one euro and fifty cents'],
    ['£3.20', 'three pounds and twenty pence'],
    ['£1', 'one pound'],
    ['-$5', 'minus five dollars'],
    ['50%', 'fifty percent'],
    ['3.5%', 'three point five percent'],
    ['5 km', 'five kilometers'],
    ['1 km', 'one kilometer'],
    ['60mph', 'sixty miles per hour'],
    ['2.5 kg', 'two point five kilograms'],
    ['100 km/h', 'one hundred kilometers per hour'],
    ['20°C', 'twenty degrees celsius'],
    ['16 GB', 'sixteen gigabytes'],
    ['10k', 'ten thousand'],
    ['3x faster', 'three times faster'],
    ['put 5 in the box', 'put five in the box'],
  ])('%s', (input, expected) => {
    expect(n(input)).toBe(expected);
  });
});

describe('normalizeText: dates and times', () => {
  it.each([
    ['on 3/4/2021', 'on march fourth twenty twenty one'],
    ['on 2021-03-04', 'on march fourth twenty twenty one'],
    ['on March 3, 2021', 'on march third, twenty twenty one'],
    ['on Mar. 3rd', 'on march third'],
    ['in March 2021', 'in march twenty twenty one'],
    ['on 1 January 2001', 'on the first of january two thousand one'],
    ['on the 21st of September', 'on the twenty first of september'],
    ['we march 3 miles', 'we march three miles'],
    ['at 3:30', 'at three thirty'],
    ['at 3:05', 'at three oh five'],
    ['at 3:00', "at three o'clock"],
    ['at 15:00', 'at fifteen hundred'],
    ['at 14:45', 'at fourteen forty five'],
    ['at 3:30 pm', 'at three thirty P M'],
    ['at 10am', 'at ten A M'],
    ['at 7 p.m. sharp', 'at seven P M sharp'],
    ['at 7 p.m.', 'at seven P M.'],
    ['at 9:15:30', 'at nine fifteen and thirty seconds'],
  ])('%s', (input, expected) => {
    expect(n(input)).toBe(expected);
  });
});

describe('normalizeText: abbreviations', () => {
  it.each([
    ['Dr. Smith is here.', 'doctor smith is here.'],
    ['Dr Smith is here', 'doctor smith is here'],
    ['Mr. and Mrs. Jones', 'mister and missus jones'],
    ['Prof. Lee', 'professor lee'],
    ['St. Louis', 'saint louis'],
    ['on Elm St.', 'on elm street.'],
    ['on Baker Dr. today', 'on baker drive today'],
    ['cats vs. dogs', 'cats versus dogs'],
    ['fruit, e.g. apples', 'fruit, for example apples'],
    ['that is, i.e. this', 'that is, that is this'],
    ['apples, pears, etc.', 'apples, pears, et cetera.'],
    ['apples, etc. and pears', 'apples, et cetera and pears'],
    ['etc. The end', 'et cetera. the end'],
    ['John Smith Jr. went', 'john smith junior went'],
    ['Acme Inc. makes it', 'acme incorporated makes it'],
    ['No. 5 is mine', 'number five is mine'],
    ['He said no.', 'he said no.'],
    ['J. R. R. Tolkien', 'J R R tolkien'],
    ['Plan B.', 'plan B.'],
    ['the U.S. is big', 'the U S is big'],
    ['in the U.S.', 'in the U S.'],
    // Before a capital the period also ends the sentence, as the phrase splitter decides.
    ['the U.S. Army', 'the U S. army'],
    ['on Mon. or Tue.', 'on monday or tuesday.'],
  ])('%s', (input, expected) => {
    expect(n(input)).toBe(expected);
  });
});

describe('normalizeText: symbols, acronyms, addresses', () => {
  it.each([
    ['salt & pepper', 'salt and pepper'],
    ['2 + 2 = 4', 'two plus two equals four'],
    ['AT&T and R&D', 'A T and T and R and D'],
    ['C++ and C#', 'C plus plus and C sharp'],
    ['and/or', 'and or'],
    ['#1 fan', 'number one fan'],
    ['@alice said', 'at alice said'],
    ['The FBI and NASA', 'the F B I and nasa'],
    ['the CEO of NATO', 'the C E O of nato'],
    ['buy CDs and DVDs', 'buy C Ds and D V Ds'],
    ['the BBC', 'the B B C'],
    ['THIS IS SO COOL', 'this is so cool'],
    ['COVID-19 tests', 'covid nineteen tests'],
    ['a well-known X-ray', 'a well known X ray'],
    ['MP3 player', 'M P three player'],
    ['iPhone sales', 'I phone sales'],
    ['I am a cat', 'i am a cat'],
    ['café au lait', 'cafe au lait'],
    ['email john.doe@example.com', 'email john dot doe at example dot com'],
    [
      'see https://www.example.com/docs/intro-guide?x=1',
      'see W W W dot example dot com slash docs slash intro dash guide',
    ],
    ['visit example.org today', 'visit example dot org today'],
  ])('%s', (input, expected) => {
    expect(n(input)).toBe(expected);
  });
});

describe('normalizeText: punctuation', () => {
  it.each([
    ['Hello, world!', 'hello, world!'],
    ['Really?!', 'really?'],
    ['Wait... what?', 'wait. what?'],
    ['He left; she stayed: fine.', 'he left, she stayed, fine.'],
    ['one (two) three', 'one, two, three'],
    ['yes \u2014 no \u2013 maybe', 'yes, no, maybe'],
    ['"Quoted," she said.', 'quoted, she said.'],
    ['\u201cCurly\u201d and \u2018single\u2019 quotes', 'curly and single quotes'],
    ['it\u2019s John\u2019s', "it's john's"],
    ['...leading marks', 'leading marks'],
    ['', ''],
  ])('%s', (input, expected) => {
    expect(n(input)).toBe(expected);
  });

  it('keeps the strongest mark of a run', () => {
    expect(trailMark('.')).toBe('.');
    expect(trailMark(',')).toBe(',');
    expect(trailMark('!?')).toBe('?');
    expect(trailMark(').')).toBe('.');
    expect(trailMark('"')).toBeUndefined();
  });

  it('separates words, spelled letters and marks in the token form', () => {
    const tokens = normalizeTokens('The FBI, 2 km.');
    expect(tokens.map((t) => `${t.kind}:${t.text}`)).toEqual([
      'word:the',
      'letter:F',
      'letter:B',
      'letter:I',
      'mark:,',
      'word:two',
      'word:kilometers',
      'mark:.',
    ]);
    expect(spokenWords(tokens)).toEqual(['the', 'f', 'b', 'i', 'two', 'kilometers']);
  });

  it('is idempotent on text without spelled letters', () => {
    for (const text of [
      'Dr. Smith paid $42.50 on 3/4/2021.',
      'In 1999, 42% of people said no!',
      'Is it 3:30?',
    ]) {
      const once = n(text);
      expect(n(once)).toBe(once);
    }
  });

  it('uses the lexicon predicate to read capitals', () => {
    expect(normalizeText('ask ABBA', { isWord: (w) => w === 'abba' })).toBe('ask abba');
    expect(normalizeText('ask ABBA', { isWord: () => false })).toBe('ask abba');
    expect(normalizeText('ask XKCD', { isWord: () => false })).toBe('ask X K C D');
  });
});
