// The word vote among systems' transcripts (asr/text/word-vote.ts): hand cases for each
// rule, and 300 random cases against the Python vote the measurements were made with
// (models/py/digits/vote_golden.py writes them from vote_eval.vote).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alignToPivot, voteWords } from '../../../asr/text/word-vote.js';
import type { AsrWord } from '../../../asr/text/words.js';

/** Words one second apart, confidence as given (default 0.5). */
function words(text: string, confidence = 0.5): AsrWord[] {
  return text
    .split(' ')
    .filter((w) => w !== '')
    .map((word, i) => ({ word, start: i, end: i + 0.5, confidence }));
}

const said = (ws: readonly AsrWord[]) => ws.map((w) => w.word).join(' ');

describe('alignToPivot', () => {
  it('matches, substitutes, and marks pivot words the other lacks', () => {
    expect(alignToPivot(['a', 'b', 'c'], ['a', 'b', 'c'])).toEqual([0, 1, 2]);
    expect(alignToPivot(['a', 'b', 'c'], ['a', 'x', 'c'])).toEqual([0, 1, 2]);
    expect(alignToPivot(['a', 'b', 'c'], ['a', 'c'])).toEqual([0, -1, 1]);
    expect(alignToPivot(['a', 'c'], ['a', 'b', 'c'])).toEqual([0, 2]);
    expect(alignToPivot([], ['a'])).toEqual([]);
    expect(alignToPivot(['a'], [])).toEqual([-1]);
  });
});

describe('voteWords', () => {
  it('replaces a pivot word that the other systems agree against', () => {
    const out = voteWords(words('one two three'), [words('one five three'), words('one five three')]);
    expect(said(out)).toBe('one five three');
  });

  it('keeps the pivot word without a majority, and ignores a lone dissent', () => {
    expect(said(voteWords(words('one two'), [words('one five'), words('one nine')]))).toBe('one two');
    expect(said(voteWords(words('one two'), [words('one five'), words('one two')]))).toBe('one two');
    // Two systems: the other alone is never a majority.
    expect(said(voteWords(words('one two'), [words('one five')]))).toBe('one two');
  });

  it('drops a pivot word the majority does not have, and never adds words the pivot lacks', () => {
    expect(said(voteWords(words('one two three'), [words('one three'), words('one three')]))).toBe(
      'one three',
    );
    expect(said(voteWords(words('one three'), [words('one two three'), words('one two three')]))).toBe(
      'one three',
    );
  });

  it('compares without case, keeps the pivot slot times and the winner confidence', () => {
    const pivot = words('Hello there', 0.9);
    const out = voteWords(pivot, [words('hello world', 0.4), words('HELLO world', 0.7)]);
    expect(said(out)).toBe('Hello world');
    expect(out[0]).toEqual(pivot[0]);
    expect(out[1]).toEqual({ word: 'world', start: pivot[1]!.start, end: pivot[1]!.end, confidence: 0.4 });
  });

  it('reproduces the Python vote on 300 random cases', () => {
    const golden = JSON.parse(readFileSync('test/fixtures/text/word-vote.json', 'utf8')) as {
      cases: { pivot: string[]; others: string[][]; voted: string[] }[];
    };
    expect(golden.cases).toHaveLength(300);
    let changed = 0;
    for (const c of golden.cases) {
      const out = voteWords(
        words(c.pivot.join(' ')),
        c.others.map((o) => words(o.join(' '))),
      ).map((w) => w.word);
      expect(out).toEqual(c.voted);
      if (out.join(' ') !== c.pivot.join(' ')) changed++;
    }
    // The cases exercise the vote, not only the pivot passing through.
    expect(changed).toBeGreaterThan(30);
  });
});
