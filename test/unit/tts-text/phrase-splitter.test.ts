import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Phrase, PhraseSplitter, splitPhrases } from '../../../tts/text/phrase-splitter.js';

const texts = (phrases: readonly Phrase[]) => phrases.map((p) => p.text);

const STORY =
  'Dr. Smith went to Washington, D.C. on Monday. He paid $3.50 for coffee, e.g. a latte! Did he? ' +
  'Yes... It costs 3.14 dollars, see example.com. Mr. J. R. R. Tolkien wrote books, poems, essays, ' +
  'letters, and many other things that people still read today, more than fifty years after his ' +
  'death; his son edited them.\nNew line here. Apples, pears, etc. are fruit. No. 5 is mine. ' +
  'He lives on Elm St. The next day was fine. On March 3, 2021 at 10:30 a.m. we met "friends." Done';

function chunked(text: string, cuts: readonly number[], options = {}): Phrase[] {
  const splitter = new PhraseSplitter(options);
  const out: Phrase[] = [];
  let prev = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    out.push(...splitter.push(text.slice(prev, cut)));
    prev = cut;
  }
  out.push(...splitter.push(text.slice(prev)));
  out.push(...splitter.flush());
  return out;
}

describe('splitPhrases: sentences', () => {
  it('splits at sentence ends but not inside abbreviations, initials or numbers', () => {
    expect(texts(splitPhrases(STORY))).toEqual([
      'Dr. Smith went to Washington, D.C. on Monday.',
      'He paid $3.50 for coffee, e.g. a latte!',
      'Did he?',
      'Yes...',
      'It costs 3.14 dollars, see example.com.',
      'Mr. J. R. R. Tolkien wrote books, poems,',
      'essays, letters, and many other things that people still read today,',
      'more than fifty years after his death; his son edited them.',
      'New line here.',
      'Apples, pears, etc. are fruit.',
      'No. 5 is mine.',
      'He lives on Elm St.',
      'The next day was fine.',
      'On March 3, 2021 at 10:30 a.m. we met "friends."',
      'Done',
    ]);
  });

  it('labels each boundary', () => {
    const phrases = splitPhrases('One, two. Three\nfour, and then a much longer clause follows, which ends', {
      clauseChars: 20,
    });
    expect(phrases).toEqual([
      { text: 'One, two.', boundary: 'sentence' },
      { text: 'Three', boundary: 'sentence' },
      { text: 'four, and then a much longer clause follows,', boundary: 'clause' },
      { text: 'which ends', boundary: 'end' },
    ]);
  });

  it('keeps closing quotes and brackets with their sentence', () => {
    expect(texts(splitPhrases('He said "stop." She did (quickly!) Then left.'))).toEqual([
      'He said "stop."',
      'She did (quickly!)',
      'Then left.',
    ]);
  });

  it('does not split a clause before a digit', () => {
    expect(
      texts(splitPhrases('The meeting that everyone waited for was on March 3, 2021 in the hall.')),
    ).toEqual(['The meeting that everyone waited for was on March 3, 2021 in the hall.']);
  });

  it('drops phrases with nothing to say', () => {
    expect(texts(splitPhrases('  ...  \n\n -- Hello.   '))).toEqual(['-- Hello.']);
    expect(splitPhrases('')).toEqual([]);
  });
});

describe('splitPhrases: length limit', () => {
  it('cuts a long sentence at its last clause mark before the limit', () => {
    const text = 'alpha beta gamma, delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi';
    const phrases = splitPhrases(text, { maxChars: 50, clauseChars: 100 });
    expect(phrases[0]).toEqual({ text: 'alpha beta gamma,', boundary: 'length' });
    expect(phrases.every((p) => p.text.length <= 50)).toBe(true);
  });

  it('cuts at a space that does not follow a number or a title', () => {
    const text = 'we walked for 12 kilometres along the river with Dr. Jones and 5 dogs today';
    const phrases = texts(splitPhrases(text, { maxChars: 30 }));
    expect(phrases.join(' ')).toBe(text);
    expect(phrases.every((p) => p.length <= 30)).toBe(true);
    for (const p of phrases) expect(p).not.toMatch(/(\d|Dr\.)$/);
  });

  it('never cuts inside a word longer than the limit', () => {
    const url = `https://example.com/${'a'.repeat(60)}`;
    expect(texts(splitPhrases(`see ${url} now`, { maxChars: 20, minChars: 3 }))).toEqual(['see', url, 'now']);
  });

  it('rejects limits that cannot hold a phrase', () => {
    expect(() => new PhraseSplitter({ maxChars: 1 })).toThrow(RangeError);
  });
});

describe('PhraseSplitter: streaming', () => {
  it('emits a sentence only once the text after it shows it is complete', () => {
    const s = new PhraseSplitter();
    expect(s.push('Hello there.')).toEqual([]);
    expect(s.push(' ')).toEqual([{ text: 'Hello there.', boundary: 'sentence' }]);
    expect(s.push('Dr.')).toEqual([]);
    expect(s.push(' Smith is in. Mr')).toEqual([{ text: 'Dr. Smith is in.', boundary: 'sentence' }]);
    expect(s.pending).toBe('Mr');
    expect(s.flush()).toEqual([{ text: 'Mr', boundary: 'end' }]);
    expect(s.pending).toBe('');
  });

  it('waits for the next word after "etc." to decide', () => {
    const s = new PhraseSplitter();
    expect(s.push('Apples, pears, etc. ')).toEqual([]);
    expect(s.push('and more.')).toEqual([]);
    expect(s.push(' Then')).toEqual([{ text: 'Apples, pears, etc. and more.', boundary: 'sentence' }]);
  });

  it('gives the same phrases however the text is cut into pieces', () => {
    const whole = splitPhrases(STORY);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: STORY.length }), { maxLength: 40 }), (cuts) => {
        expect(chunked(STORY, cuts)).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same phrases for one character at a time, with tight limits', () => {
    const options = { maxChars: 25, clauseChars: 12, minChars: 4 };
    const every = Array.from({ length: STORY.length }, (_, i) => i);
    expect(chunked(STORY, every, options)).toEqual(splitPhrases(STORY, options));
  });

  it('gives the same phrases for random texts cut at random places', () => {
    const alphabet = fc.constantFrom(...'ab Dr. St 3,14 ;:!?"()\n-e.g'.split(''));
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 120 }).map((cs) => cs.join('')),
        fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 10 }),
        (text, cuts) => {
          const options = { maxChars: 30, clauseChars: 10, minChars: 3 };
          expect(
            chunked(
              text,
              cuts.map((c) => Math.min(c, text.length)),
              options,
            ),
          ).toEqual(splitPhrases(text, options));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('resets to an empty buffer', () => {
    const s = new PhraseSplitter();
    s.push('Unfinished thought');
    s.reset();
    expect(s.flush()).toEqual([]);
  });
});
