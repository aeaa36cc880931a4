/**
 * Written abbreviations and their spoken forms (keys lowercase, without the final period).
 * Shared by the normaliser (expansion) and the splitter (a period after a title never
 * ends a sentence).
 */

/** Titles and other words that precede what they qualify: their period never ends a sentence. */
export const TITLES: Readonly<Record<string, string>> = {
  mr: 'mister',
  mrs: 'missus',
  ms: 'miz',
  dr: 'doctor',
  prof: 'professor',
  st: 'saint',
  mt: 'mount',
  gen: 'general',
  capt: 'captain',
  lt: 'lieutenant',
  col: 'colonel',
  sgt: 'sergeant',
  gov: 'governor',
  sen: 'senator',
  rev: 'reverend',
  hon: 'honorable',
  pres: 'president',
  vs: 'versus',
  fig: 'figure',
  approx: 'approximately',
};

/**
 * Abbreviations that may also end a sentence ("... and so on, etc. Then"). With a period
 * they expand; the splitter decides by the next word's case.
 */
export const GENERAL: Readonly<Record<string, string>> = {
  etc: 'et cetera',
  jr: 'junior',
  sr: 'senior',
  inc: 'incorporated',
  ltd: 'limited',
  co: 'company',
  corp: 'corporation',
  dept: 'department',
  univ: 'university',
  ave: 'avenue',
  blvd: 'boulevard',
  rd: 'road',
  est: 'established',
  min: 'minutes',
  hr: 'hour',
  hrs: 'hours',
  sec: 'seconds',
  yr: 'year',
  yrs: 'years',
};

/** Dotted Latin abbreviations, matched with their internal periods. */
export const DOTTED: Readonly<Record<string, string>> = {
  'e.g': 'for example',
  'i.e': 'that is',
  'a.m': 'A M',
  'p.m': 'P M',
  cf: 'compare',
};

/**
 * After a capitalised word, these are street types, not titles: "Elm St." is street,
 * "St. Louis" is saint; "Baker Dr." is drive, "Dr. Who" is doctor.
 */
export const STREET_SENSE: Readonly<Record<string, string>> = {
  st: 'street',
  dr: 'drive',
};

export const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
] as const;

/** Month names and abbreviations (with or without period) -> month index 0..11. */
export const MONTH_INDEX: ReadonlyMap<string, number> = new Map([
  ...MONTHS.map((m, i) => [m, i] as const),
  ...['jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec'].map(
    (m) => [m, MONTHS.findIndex((full) => full.startsWith(m.slice(0, 3)))] as const,
  ),
]);

export const WEEKDAYS: Readonly<Record<string, string>> = {
  mon: 'monday',
  tue: 'tuesday',
  tues: 'tuesday',
  wed: 'wednesday',
  thu: 'thursday',
  thur: 'thursday',
  thurs: 'thursday',
  fri: 'friday',
  sat: 'saturday',
  sun: 'sunday',
};

/** Acronyms read as words although written in capitals and absent from a lexicon. */
export const WORD_ACRONYMS: ReadonlySet<string> = new Set([
  'nasa',
  'nato',
  'unesco',
  'unicef',
  'laser',
  'radar',
  'scuba',
  'covid',
  'opec',
  'fifa',
  'ascii',
  'json',
  'gif',
  'jpeg',
  'png',
]);

/** "No. 5": number, only before a digit ("he said no." is the word). */
export const NUMBER_ABBREVIATION = 'no';

/** Own entry of a table (never an inherited property such as "constructor"). */
export function entry(table: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Lowercase word before the period, for titles and general abbreviations. */
export function abbreviationKey(token: string): string {
  return token.replace(/\.$/, '').toLowerCase();
}
