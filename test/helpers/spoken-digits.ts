/** The digit words, index = digit. */
export const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** The digits a transcript names ("four one oh" -> "410"); other words are ignored. */
export function spokenDigits(transcript: string): string {
  let out = '';
  for (const word of transcript.toLowerCase().split(/[^a-z0-9]+/)) {
    if (word === 'oh' || word === 'o') out += '0';
    else if (/^[0-9]+$/.test(word)) out += word;
    else if (DIGIT_WORDS.includes(word)) out += String(DIGIT_WORDS.indexOf(word));
  }
  return out;
}
