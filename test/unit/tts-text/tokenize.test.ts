import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultLexicon, parseLexicon } from '../../../tts/text/lexicon.js';
import {
  BOS_ID,
  EOS_ID,
  PAD_ID,
  PHONES,
  PROSODY_MARKS,
  SILENCE_ID,
  TOKENS,
  tokenId,
  tokenSymbol,
  tokensTxt,
  VOCAB_SIZE,
  WORD_BOUNDARY_ID,
} from '../../../tts/text/phone-tokens.js';
import { phonesFromNormalized, textToPhones } from '../../../tts/text/tokenize.js';

const lexicon = defaultLexicon();
const phones = (text: string) => textToPhones(text, { lexicon }).symbols.join(' ');

describe('phone token inventory', () => {
  it('has fixed ids for framing, silence, boundary, marks and 39 phones', () => {
    expect(PHONES).toHaveLength(39);
    expect(VOCAB_SIZE).toBe(48);
    expect(TOKENS.slice(0, 9)).toEqual(['<pad>', '<bos>', '<eos>', 'sil', '_', ',', '.', '?', '!']);
    expect([PAD_ID, BOS_ID, EOS_ID, SILENCE_ID, WORD_BOUNDARY_ID]).toEqual([0, 1, 2, 3, 4]);
    expect(PROSODY_MARKS.map((m) => tokenId(m))).toEqual([5, 6, 7, 8]);
    expect(tokenId('AA')).toBe(9);
    expect(tokenId('ZH')).toBe(47);
    expect(tokenId('AH0')).toBeUndefined();
    expect(tokenSymbol(47)).toBe('ZH');
    expect(new Set(TOKENS).size).toBe(TOKENS.length);
  });

  it('lists tokens as "symbol id" lines', () => {
    const lines = tokensTxt().trim().split('\n');
    expect(lines).toHaveLength(VOCAB_SIZE);
    expect(lines[0]).toBe('<pad> 0');
    expect(lines[47]).toBe('ZH 47');
  });
});

describe('textToPhones', () => {
  it('separates words with _ and replaces it with prosody marks', () => {
    expect(phones('Hello, world!')).toBe('HH AH L OW , W ER L D !');
    expect(phones('Is it?')).toBe('IH Z _ IH T ?');
  });

  it('normalises numbers, abbreviations and acronyms before looking words up', () => {
    expect(phones('Dr. Smith paid $5.')).toBe('D AA K T ER _ S M IH TH _ P EY D _ F AY V _ D AA L ER Z .');
    expect(phones('The FBI.')).toBe('DH AH _ EH F _ B IY _ AY .');
    expect(phones('in 1999')).toBe('IH N _ N AY N T IY N _ N AY N T IY _ N AY N .');
  });

  it('adds a final "." unless told not to, and never starts with a mark', () => {
    expect(phones('yes')).toBe('Y EH S .');
    expect(textToPhones('yes', { lexicon, finalMark: false }).symbols).toEqual(['Y', 'EH', 'S']);
    expect(textToPhones('yes', { lexicon }).text).toBe('yes.');
    expect(phones('... yes')).toBe('Y EH S .');
    expect(textToPhones('', { lexicon }).ids).toEqual([]);
  });

  it('returns ids matching the symbols, and words with their sources', () => {
    const seq = textToPhones('The zorblax sings.', { lexicon });
    expect(seq.ids).toEqual(seq.symbols.map((s) => tokenId(s)));
    expect(seq.words.map((w) => [w.text, w.source])).toEqual([
      ['the', 'lexicon'],
      ['zorblax', 'rules'],
      ['sings', 'lexicon'],
    ]);
    expect(seq.text).toBe('the zorblax sings.');
  });

  it('uses the lexicon it is given', () => {
    const tiny = parseLexicon('cat K AE T\n');
    expect(textToPhones('cat', { lexicon: tiny }).symbols).toEqual(['K', 'AE', 'T', '.']);
    const seq = phonesFromNormalized(
      [
        { kind: 'letter', text: 'A' },
        { kind: 'mark', text: '?' },
      ],
      { lexicon: tiny },
    );
    expect(seq.symbols).toEqual(['EY', '?']);
  });

  it('is deterministic', () => {
    const text = 'On March 3rd, 2021, Mrs. O\u2019Brien bought 2.5 kg of apples for \u20ac4.20 at 10:15 a.m.';
    expect(textToPhones(text, { lexicon })).toEqual(textToPhones(text, { lexicon }));
  });

  it('never throws and always yields a well-formed sequence, whatever the text', () => {
    const pieces = fc.constantFrom(
      ...'a Z 0 7 . , ; : ! ? - / $ € £ % & @ # + = ( ) " \' \n Dr. St. e.g. U.S. 1st 3:30 pm km 1,000 \u00e9 \u4e2d \ud83d\ude00'.split(
        ' ',
      ),
      ' ',
    );
    const marks = new Set([',', '.', '?', '!']);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 60 }),
          fc.array(pieces, { maxLength: 30 }).map((p) => p.join('')),
        ),
        (text) => {
          const seq = textToPhones(text, { lexicon });
          expect(
            seq.ids.every((id) => Number.isInteger(id) && id >= WORD_BOUNDARY_ID && id < VOCAB_SIZE),
          ).toBe(true);
          const sym = seq.symbols;
          if (sym.length > 0) {
            expect(marks.has(sym[0]!) || sym[0] === '_').toBe(false);
            expect(marks.has(sym[sym.length - 1]!)).toBe(true);
          }
          for (let i = 1; i < sym.length; i++) {
            const pair = [sym[i - 1]!, sym[i]!];
            expect(pair.every((s) => marks.has(s) || s === '_')).toBe(false);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
