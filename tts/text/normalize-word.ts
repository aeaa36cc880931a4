/**
 * Tokens that are not numeric: words, acronyms, URLs, e-mail addresses, symbols, and
 * compounds joined by hyphens, slashes, ampersands or digits. Context-free: abbreviations
 * and dates, which look at neighbours, are handled by the caller.
 */
import { entry, WORD_ACRONYMS } from './abbreviations.js';
import { letter, letters, type NormalizedToken, word, words } from './normalized-token.js';
import { cardinalWords, digitWords } from './number-words.js';

export interface WordContext {
  /** True for words the lexicon knows (lowercase). Decides acronym vs word. */
  readonly isWord: (w: string) => boolean;
  /** The text is mostly in capitals: capitals are then words, not acronyms. */
  readonly shouting: boolean;
  /** Reads a numeric core (the numeric normaliser), for digit runs inside compounds. */
  readonly numeric: (core: string) => NormalizedToken[] | undefined;
}

const SYMBOLS: Readonly<Record<string, string>> = {
  '&': 'and',
  '+': 'plus',
  '=': 'equals',
  '@': 'at',
  '%': 'percent',
  '#': 'number',
  '<': 'less than',
  '>': 'greater than',
  '~': 'about',
  '°': 'degrees',
  '÷': 'divided by',
  '±': 'plus or minus',
  '§': 'section',
  '©': 'copyright',
  '\\': 'backslash',
};

const URL = /^(?:(?:https?|ftp):\/\/|www\.)\S+$/i;
const TLD = 'com|org|net|edu|gov|io|ai|dev|app|co|uk|us|de|fr|info|biz|me|tv|ly';
const DOMAIN = new RegExp(`^[a-z0-9-]+(?:\\.[a-z0-9-]+)*\\.(?:${TLD})(?:/\\S*)?$`, 'i');
const EMAIL = /^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$/;
const VOWEL = /[aeiouy]/i;

/** A fragment of a URL or address: a known or pronounceable word, else spelled. */
function readFragment(fragment: string, ctx: WordContext): NormalizedToken[] {
  if (fragment === '') return [];
  if (/^\d+$/.test(fragment))
    return words(...(fragment.length > 4 ? digitWords(fragment) : cardinalWords(fragment)));
  const lower = fragment.toLowerCase();
  if (ctx.isWord(lower)) return [word(lower)];
  if (fragment.length <= 3 || !VOWEL.test(fragment)) return letters(fragment);
  return [word(lower)];
}

/** "foo.bar-baz" -> foo dot bar dash baz. */
function readSeparated(text: string, ctx: WordContext): NormalizedToken[] {
  const out: NormalizedToken[] = [];
  for (const piece of text.split(/([./_+-])/)) {
    if (piece === '.') out.push(word('dot'));
    else if (piece === '/') out.push(word('slash'));
    else if (piece === '_') out.push(word('underscore'));
    else if (piece === '+') out.push(word('plus'));
    else if (piece === '-') out.push(word('dash'));
    else out.push(...readFragment(piece, ctx));
  }
  return out;
}

export function readUrl(core: string, ctx: WordContext): NormalizedToken[] | undefined {
  if (EMAIL.test(core)) {
    const [local, domain] = core.split('@') as [string, string];
    return [...readSeparated(local, ctx), word('at'), ...readSeparated(domain, ctx)];
  }
  if (!URL.test(core) && !DOMAIN.test(core)) return undefined;
  // The scheme is not read out; the query string and fragment are dropped.
  const body = core
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/[?#].*$/, '')
    .replace(/\/$/, '');
  const [host, ...path] = body.split('/');
  const out = host!.toLowerCase().startsWith('www.')
    ? [...letters('WWW'), word('dot'), ...readSeparated(host!.slice(4), ctx)]
    : readSeparated(host!, ctx);
  for (const p of path) out.push(word('slash'), ...readSeparated(p, ctx));
  return out;
}

function isAllCaps(s: string): boolean {
  return /^[A-Z]+$/.test(s) && s.length > 1;
}

/** A word of letters only, possibly with inner apostrophes. */
function readLetters(core: string, ctx: WordContext): NormalizedToken[] {
  const lower = core.toLowerCase();
  if (core.length === 1) return lower === 'a' || lower === 'i' ? [word(lower)] : [letter(core.toUpperCase())];
  const acronymPlural = /^([A-Z]{2,})(?:'?s)$/.exec(core);
  if (acronymPlural && !ctx.shouting && !ctx.isWord(lower)) return letters(acronymPlural[1]!, true);
  if (isAllCaps(core) && !ctx.shouting) {
    if (WORD_ACRONYMS.has(lower)) return [word(lower)];
    if (core.length <= 3 || !VOWEL.test(core)) return letters(core);
    if (ctx.isWord(lower)) return [word(lower)];
    return /[AEIOU]/.test(core) && !/[^AEIOUY]{4}/.test(core) ? [word(lower)] : letters(core);
  }
  if (isAllCaps(core) && !VOWEL.test(core) && !ctx.isWord(lower)) return letters(core);
  if (ctx.isWord(lower) || /^[A-Z]?[a-z']+$/.test(core)) return [word(lower.replace(/^'+|'+$/g, ''))];
  // camelCase and other mixed case: split where a capital follows a lower-case letter.
  const parts = core.split(/(?<=[a-z])(?=[A-Z])/);
  if (parts.length === 1) return [word(lower)];
  return parts.flatMap((p) =>
    p.length <= 2 && !ctx.isWord(p.toLowerCase()) ? letters(p) : readLetters(p, ctx),
  );
}

/**
 * Any non-numeric core. Returns [] for cores with nothing pronounceable (stray symbols).
 * A lone "-" is handled by the caller as a clause mark.
 */
export function normalizeWordish(core: string, ctx: WordContext): NormalizedToken[] {
  if (/^[A-Za-z]+(?:'[A-Za-z]+)*'?$/.test(core)) return readLetters(core.replace(/'$/, ''), ctx);
  const url = readUrl(core, ctx);
  if (url) return url;
  const symbol = entry(SYMBOLS, core);
  if (symbol !== undefined) return words(symbol);
  if (/^#\d/.test(core)) return [word('number'), ...normalizeWordish(core.slice(1), ctx)];
  if (/^#[A-Za-z]/.test(core)) return [word('hashtag'), ...normalizeWordish(core.slice(1), ctx)];
  if (/^@\w/.test(core)) return [word('at'), ...normalizeWordish(core.slice(1), ctx)];
  if (/^[A-Za-z]#$/.test(core)) return [letter(core[0]!.toUpperCase()), word('sharp')];
  const numeric = ctx.numeric(core);
  if (numeric) return numeric;
  // Compounds: split at separators, keep each part's own reading.
  const slash = /^([A-Za-z]+)\/([A-Za-z]+)$/.exec(core);
  if (slash && /^[a-z]+$/.test(slash[1]!) && /^[a-z]+$/.test(slash[2]!)) {
    const joiner = slash[1] === 'or' || slash[2] === 'or' ? [] : [word('or')];
    return [...readLetters(slash[1]!, ctx), ...joiner, ...readLetters(slash[2]!, ctx)];
  }
  const pieces = core.split(/([-/&+=@%°_]|[A-Za-z]+(?:'[A-Za-z]+)*|\d+(?:[.,]\d+)*)/).filter((p) => p !== '');
  if (pieces.length === 1 && pieces[0] === core && !/^[A-Za-z\d]/.test(core)) {
    return [...core].flatMap((c) => words(entry(SYMBOLS, c) ?? ''));
  }
  const out: NormalizedToken[] = [];
  for (const piece of pieces) {
    if (piece === '-' || piece === '_') continue;
    if (piece === '/') out.push(word('slash'));
    else if (/^[A-Za-z]/.test(piece)) out.push(...readLetters(piece, ctx));
    else if (/^\d/.test(piece)) out.push(...(ctx.numeric(piece) ?? words(...digitWords(piece))));
    else out.push(...words(entry(SYMBOLS, piece) ?? ''));
  }
  return out;
}
