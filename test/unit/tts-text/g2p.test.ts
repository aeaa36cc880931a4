import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isSpeechError } from '../../../common/errors.js';
import { letterPhones, plural, wordPronunciation } from '../../../tts/text/g2p.js';
import { letterToSound } from '../../../tts/text/letter-to-sound.js';
import { defaultLexicon, defaultLexiconPath, loadLexicon, parseLexicon } from '../../../tts/text/lexicon.js';
import { PHONES } from '../../../tts/text/phone-tokens.js';
import { editDistance } from '../../helpers/edit-distance.js';

const lexicon = defaultLexicon();
const pron = (w: string) => wordPronunciation(w, lexicon);

describe('the shipped lexicon', () => {
  it('holds the CMU dictionary words with stress-free phones', () => {
    expect(lexicon.size).toBeGreaterThan(120_000);
    expect(lexicon.lookup('hello')).toEqual(['HH', 'AH', 'L', 'OW']);
    expect(lexicon.lookup('speech')).toEqual(['S', 'P', 'IY', 'CH']);
    expect(lexicon.lookup('thousand')).toEqual(['TH', 'AW', 'Z', 'AH', 'N', 'D']);
    expect(lexicon.lookup("o'clock")).toEqual(['AH', 'K', 'L', 'AA', 'K']);
    expect(lexicon.lookup('zzzznotaword')).toBeUndefined();
  });

  it('keeps the present-tense reading of the overridden homographs', () => {
    expect(lexicon.lookup('read')).toEqual(['R', 'IY', 'D']);
    expect(lexicon.lookup('live')).toEqual(['L', 'IH', 'V']);
  });

  it('reports a malformed or missing lexicon with a coded error', () => {
    expect(parseLexicon(';;; comment\n\nab AE B\n').lookup('ab')).toEqual(['AE', 'B']);
    for (const bad of ['Ab AE B', 'ab AE1 B', 'ab', 'a-b AE B']) {
      try {
        parseLexicon(bad, 'test');
        expect.unreachable(bad);
      } catch (err) {
        expect(isSpeechError(err, 'TTS_LEXICON_INVALID')).toBe(true);
      }
    }
    expect(() => loadLexicon('/nonexistent/lexicon.txt.gz')).toThrow(/cannot read the lexicon/);
  });
});

describe('wordPronunciation', () => {
  it('takes known words from the lexicon', () => {
    expect(pron('world')).toEqual({ phones: ['W', 'ER', 'L', 'D'], source: 'lexicon' });
  });

  it('derives possessives, plurals and compounds of known words', () => {
    expect(plural(['K', 'AE', 'T'])).toEqual(['K', 'AE', 'T', 'S']);
    expect(plural(['D', 'AO', 'G'])).toEqual(['D', 'AO', 'G', 'Z']);
    expect(plural(['B', 'AA', 'K', 'S'])).toEqual(['B', 'AA', 'K', 'S', 'IH', 'Z']);
    const possessive = pron("zebrafish's");
    expect(possessive.source).toBe('derived');
    expect(possessive.phones.slice(-3)).toEqual(['SH', 'IH', 'Z']);
    const compound = pron('moonbirdhouse');
    expect(compound.source).toBe('derived');
    expect(compound.phones).toEqual([...lexicon.lookup('moon')!, ...lexicon.lookup('birdhouse')!]);
    expect(pron('blimpish')).toEqual({ phones: ['B', 'L', 'IH', 'M', 'P', 'IH', 'SH'], source: 'derived' });
  });

  it('falls back to letter-to-sound rules with plausible phones', () => {
    const cases: Record<string, string> = {
      zorblax: 'Z AO R B L AE K S',
      flurbington: 'F L ER B IH NG T AH N',
      quantumly: 'K W AE N T AH M L IY',
    };
    for (const [word, phones] of Object.entries(cases)) {
      const p = pron(word);
      expect(p.source).toBe('rules');
      expect(p.phones.join(' ')).toBe(phones);
    }
  });

  it('spells letters by name, with plurals', () => {
    expect(letterPhones('W')).toEqual(['D', 'AH', 'B', 'AH', 'L', 'Y', 'UW']);
    expect(letterPhones('Ds')).toEqual(['D', 'IY', 'Z']);
    expect(letterPhones('Xs')).toEqual(['EH', 'K', 'S', 'IH', 'Z']);
  });
});

describe('letterToSound (NRL rules)', () => {
  it.each([
    ['cat', 'K AE T'],
    ['make', 'M EY K'],
    ['phone', 'F OW N'],
    ['knight', 'N AY T'],
    ['thought', 'TH AO T'],
    ['nation', 'N EY SH AH N'],
    ['cheese', 'CH IY Z'],
    ['through', 'TH R UW'],
    ['giraffe', 'G AY R AE F'],
  ])('%s -> %s', (word, phones) => {
    expect(letterToSound(word).join(' ')).toBe(phones);
  });

  it('only produces inventory phones and ignores non-letters', () => {
    const inventory = new Set<string>(PHONES);
    for (const w of ['xylophone', 'qwzzy', "rock'n'roll", 'aeiou', 'bcdfg']) {
      for (const p of letterToSound(w)) expect(inventory.has(p)).toBe(true);
    }
    expect(letterToSound('a1b-')).toEqual(letterToSound('ab'));
    expect(letterToSound('')).toEqual([]);
  });

  it('gets most phones of dictionary words right (every 50th lexicon word)', () => {
    let errors = 0;
    let total = 0;
    let exact = 0;
    let n = 0;
    const words = [...sample(lexicon, 50)];
    for (const [word, phones] of words) {
      const guess = letterToSound(word);
      const e = editDistance(phones, guess);
      errors += e;
      total += phones.length;
      exact += e === 0 ? 1 : 0;
      n++;
    }
    expect(n).toBeGreaterThan(2000);
    // Measured 19% phone errors and 33% exact words; a broken rule table scores far worse.
    expect(errors / total).toBeLessThan(0.23);
    expect(exact / n).toBeGreaterThan(0.28);
  });
});

function* sample(lex: typeof lexicon, every: number): Generator<[string, string[]]> {
  // The lexicon has no iteration API; read the file the same way it was built.
  const words = lexiconWords();
  for (let i = 0; i < words.length; i += every) {
    const w = words[i]!;
    if (!w.includes("'")) yield [w, lex.lookup(w)!];
  }
}

function lexiconWords(): string[] {
  const text = gunzipSync(readFileSync(defaultLexiconPath())).toString('utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => l.slice(0, l.indexOf(' ')));
}
