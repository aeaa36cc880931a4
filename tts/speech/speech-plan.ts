import { SpeechError } from '../../common/errors.js';
import { LOG_MEL_FLOOR } from '../mel-spec.js';
import { type Lexicon, type PhraseBoundary, splitPhrases, textToPhones } from '../text/index.js';

/**
 * Text -> the phrases a model speaks, each with its phone ids and the pause after it. The
 * same front end (normalisation, phrase splitting, G2P) as training data
 * (models/py/tts/tokenize_text.ts), so run-time and train-time tokens agree.
 */

export interface PlannedPhrase {
  readonly text: string;
  readonly ids: readonly number[];
  /** Silent mel frames (20 ms each) after the phrase: a breath between phrases. */
  readonly pauseFrames: number;
}

/** Pauses after a phrase, by why it ended (20 ms frames). */
const PAUSE_FRAMES: Record<PhraseBoundary, number> = { sentence: 15, clause: 8, length: 3, end: 0 };

export const SPEED_RANGE = { min: 0.25, max: 4 } as const;

export function planSpeech(text: string, lexicon: Lexicon, maxPhraseChars = 120): PlannedPhrase[] {
  const phrases: PlannedPhrase[] = [];
  for (const phrase of splitPhrases(text, { maxChars: maxPhraseChars })) {
    const { ids, text: normalized } = textToPhones(phrase.text, { lexicon });
    // A phrase that is only punctuation has no phones (textToPhones adds no mark then).
    if (ids.length === 0) continue;
    phrases.push({ text: normalized, ids, pauseFrames: PAUSE_FRAMES[phrase.boundary] });
  }
  if (phrases.length === 0) {
    throw new SpeechError('TTS_INPUT_INVALID', 'the text has nothing to pronounce');
  }
  // No trailing silence after the last phrase: the stream ends where the speech does.
  const last = phrases[phrases.length - 1]!;
  phrases[phrases.length - 1] = { ...last, pauseFrames: 0 };
  return phrases;
}

/** Checks a request's speed and seed (CONFIG_INVALID names the field). */
export function checkSpeakOptions(
  speed: number | undefined,
  seed: number | undefined,
): { speed: number; seed: number } {
  const s = speed ?? 1;
  if (!(Number.isFinite(s) && s >= SPEED_RANGE.min && s <= SPEED_RANGE.max)) {
    throw new SpeechError(
      'CONFIG_INVALID',
      `speed must be between ${SPEED_RANGE.min} and ${SPEED_RANGE.max}, got ${s}`,
    );
  }
  const n = seed ?? 0;
  if (!(Number.isSafeInteger(n) && n >= 0)) {
    throw new SpeechError('CONFIG_INVALID', `seed must be a non-negative integer, got ${n}`);
  }
  return { speed: s, seed: n };
}

/** Contract log-mel of silence: every bin at the log floor ln(1e-5), frame-major. */
export function silenceMel(frames: number, numMels: number): Float32Array {
  return new Float32Array(frames * numMels).fill(LOG_MEL_FLOOR);
}

/** Index of a requested voice in a model's list (TTS_VOICE_UNKNOWN names the voices there are). */
export function voiceIndex(voices: readonly string[], name: string): number {
  const v = voices.indexOf(name);
  if (v < 0) {
    throw new SpeechError(
      'TTS_VOICE_UNKNOWN',
      `unknown voice "${name}"; this model has: ${voices.join(', ')}`,
      {
        voices,
      },
    );
  }
  return v;
}
