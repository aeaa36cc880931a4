/**
 * Letter-to-sound fallback for words the lexicon lacks: an interpreter of the NRL rule
 * table (nrl-rules.ts). Context classes are matched with backtracking, so a rule means
 * exactly what its pattern says ("#" is any run of vowels that lets the rest match).
 * Measured on the lexicon itself, the rules get roughly a third of words exactly right and
 * most phones right: good enough for rare names and coinages, which is all they see.
 */
import { NRL_RULES } from './nrl-rules.js';
import type { Phone } from './phone-tokens.js';

interface Rule {
  readonly left: string;
  readonly match: string;
  readonly right: string;
  readonly phones: readonly Phone[];
}

const VOWELS = 'AEIOU';
const VOICED = 'BDVGJLMNRWZ';
const FRONT = 'EIY';
const SUFFIXES = ['ING', 'ELY', 'ER', 'ES', 'ED', 'E'];

function isVowelPhone(p: Phone): boolean {
  return /^[AEIOU]/.test(p);
}

function parseRule(text: string): Rule {
  const [left, match, right, phones] = text.split('|') as [string, string, string, string];
  return { left, match, right, phones: phones.length === 0 ? [] : (phones.split(' ') as Phone[]) };
}

const RULES: ReadonlyMap<string, readonly Rule[]> = new Map(
  Object.entries(NRL_RULES).map(([k, rules]) => [k, rules.map(parseRule)]),
);

function isLetter(c: string | undefined): boolean {
  return c !== undefined && c >= 'A' && c <= 'Z';
}

function isVowel(c: string | undefined): boolean {
  return c !== undefined && VOWELS.includes(c);
}

function isConsonant(c: string | undefined): boolean {
  return isLetter(c) && !isVowel(c);
}

/** True when `pattern[pi..]` matches forwards from w[pos]. */
function matchRight(w: string, pattern: string, pi: number, pos: number): boolean {
  if (pi === pattern.length) return true;
  const p = pattern[pi]!;
  const c = w[pos];
  switch (p) {
    case ' ':
      return !isLetter(c) && matchRight(w, pattern, pi + 1, pos + 1);
    case '#': {
      let end = pos;
      while (isVowel(w[end])) end++;
      for (let e = end; e > pos; e--) if (matchRight(w, pattern, pi + 1, e)) return true;
      return false;
    }
    case ':': {
      let end = pos;
      while (isConsonant(w[end])) end++;
      for (let e = end; e >= pos; e--) if (matchRight(w, pattern, pi + 1, e)) return true;
      return false;
    }
    case '^':
      return isConsonant(c) && matchRight(w, pattern, pi + 1, pos + 1);
    case '.':
      return c !== undefined && VOICED.includes(c) && matchRight(w, pattern, pi + 1, pos + 1);
    case '+':
      return c !== undefined && FRONT.includes(c) && matchRight(w, pattern, pi + 1, pos + 1);
    case '%':
      return SUFFIXES.some((s) => w.startsWith(s, pos) && matchRight(w, pattern, pi + 1, pos + s.length));
    case '@':
      if ((c === 'T' || c === 'C' || c === 'S') && w[pos + 1] === 'H') {
        if (matchRight(w, pattern, pi + 1, pos + 2)) return true;
      }
      return c !== undefined && 'TSRDLZNJ'.includes(c) && matchRight(w, pattern, pi + 1, pos + 1);
    case '&':
      if ((c === 'C' || c === 'S') && w[pos + 1] === 'H' && matchRight(w, pattern, pi + 1, pos + 2))
        return true;
      return c !== undefined && 'SCGZXJ'.includes(c) && matchRight(w, pattern, pi + 1, pos + 1);
    default:
      return c === p && matchRight(w, pattern, pi + 1, pos + 1);
  }
}

/** Matches `pattern` leftwards: its last symbol against w[pos], and so on towards the start. */
function matchLeft(w: string, pattern: string, pi: number, pos: number): boolean {
  if (pi < 0) return true;
  const p = pattern[pi]!;
  const c = w[pos];
  switch (p) {
    case ' ':
      return !isLetter(c) && matchLeft(w, pattern, pi - 1, pos - 1);
    case '#': {
      let start = pos;
      while (isVowel(w[start])) start--;
      for (let s = start; s < pos; s++) if (matchLeft(w, pattern, pi - 1, s)) return true;
      return false;
    }
    case ':': {
      let start = pos;
      while (isConsonant(w[start])) start--;
      for (let s = start; s <= pos; s++) if (matchLeft(w, pattern, pi - 1, s)) return true;
      return false;
    }
    case '^':
      return isConsonant(c) && matchLeft(w, pattern, pi - 1, pos - 1);
    case '.':
      return c !== undefined && VOICED.includes(c) && matchLeft(w, pattern, pi - 1, pos - 1);
    case '+':
      return c !== undefined && FRONT.includes(c) && matchLeft(w, pattern, pi - 1, pos - 1);
    case '@':
      if (c === 'H' && 'TCS'.includes(w[pos - 1] ?? '') && matchLeft(w, pattern, pi - 1, pos - 2))
        return true;
      return c !== undefined && 'TSRDLZNJ'.includes(c) && matchLeft(w, pattern, pi - 1, pos - 1);
    case '&':
      if (c === 'H' && 'CS'.includes(w[pos - 1] ?? '') && matchLeft(w, pattern, pi - 1, pos - 2)) return true;
      return c !== undefined && 'SCGZXJ'.includes(c) && matchLeft(w, pattern, pi - 1, pos - 1);
    default:
      return c === p && matchLeft(w, pattern, pi - 1, pos - 1);
  }
}

/**
 * Phones for a word by rule. Letters other than a-z and the apostrophe are skipped.
 * Always returns at least one phone for a word with a letter in it.
 */
export function letterToSound(word: string): Phone[] {
  // Padded so that the word edges are visible to contexts as non-letters.
  const w = ` ${word.toUpperCase().replace(/[^A-Z']/g, '')} `;
  const out: Phone[] = [];
  let pos = 1;
  while (pos < w.length - 1) {
    const rules = RULES.get(w[pos]!) ?? [];
    const rule = rules.find(
      (r) =>
        w.startsWith(r.match, pos) &&
        matchLeft(w, r.left, r.left.length - 1, pos - 1) &&
        matchRight(w, r.right, 0, pos + r.match.length),
    );
    if (rule === undefined) {
      pos++;
      continue;
    }
    for (const ph of rule.phones) {
      // Doubled letters ("ff", "tt", "mm") have no rules of their own: one phone, not two.
      if (ph !== out[out.length - 1] || isVowelPhone(ph)) out.push(ph);
    }
    pos += rule.match.length;
  }
  return out;
}
