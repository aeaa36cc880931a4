/**
 * A digit string with known word times, for latency measured against where each word
 * really ends rather than where the model says it does.
 *
 * Why: a CTC model reports a digit at the single frame where its label spikes, which on
 * the shipped model lies ~130 ms (median) before the digit's acoustic end. A latency taken
 * from the model's own word end therefore counts that gap as delay. The truth here is the
 * recording itself: theo's FSDD clips (the development speaker, which no model trains on)
 * are trimmed to their speech by frame energy and joined with pauses, so every word's
 * start and end are known before any model runs.
 */
import path from 'node:path';
import { packageRoot } from '../../common/package-info.js';
import { concatSamples, decodeAll } from '../../streaming/audio/index.js';
import { mulberry32 } from '../helpers/prng.js';
import { DIGIT_WORDS } from '../helpers/spoken-digits.js';

const RATE = 16000;
const FRAME = 160; // 10 ms energy frames
/** A frame is speech when its RMS is above this fraction of the clip's loudest frame. */
const SPEECH_FRACTION = 0.1;

export interface TimedWord {
  readonly word: string;
  /** Seconds from the start of the clip. */
  readonly start: number;
  readonly end: number;
}

export interface DigitClip {
  readonly samples: Float32Array;
  readonly words: readonly TimedWord[];
}

/** [first, last] speech frames of a clip by RMS energy (the trim the training data uses). */
export function speechSpan(samples: Float32Array): { first: number; last: number } {
  const frames = Math.floor(samples.length / FRAME);
  const rms = new Float64Array(frames);
  let peak = 0;
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let i = f * FRAME; i < (f + 1) * FRAME; i++) sum += samples[i]! * samples[i]!;
    rms[f] = Math.sqrt(sum / FRAME);
    peak = Math.max(peak, rms[f]!);
  }
  let first = 0;
  while (first < frames - 1 && rms[first]! <= peak * SPEECH_FRACTION) first++;
  let last = frames - 1;
  while (last > first && rms[last]! <= peak * SPEECH_FRACTION) last--;
  return { first, last };
}

/**
 * `count` random digits spoken by theo (any of his 50 takes per digit), each trimmed to its speech plus 30 ms either side, separated by
 * 150-450 ms of silence, 300 ms of silence before the first and 500 ms after the last.
 */
export async function buildDigitClip(count = 24, seed = 7): Promise<DigitClip> {
  const random = mulberry32(seed);
  const fsdd = path.resolve(packageRoot(), '../shared/data/fsdd/recordings');
  const margin = 0.03 * RATE;
  const parts: Float32Array[] = [new Float32Array(0.3 * RATE)];
  const words: TimedWord[] = [];
  let at = 0.3 * RATE;
  for (let i = 0; i < count; i++) {
    const digit = Math.floor(random() * 10);
    const take = Math.floor(random() * 50);
    const audio = await decodeAll(path.join(fsdd, `${digit}_theo_${take}.wav`), { sampleRate: RATE });
    const { first, last } = speechSpan(audio);
    const from = Math.max(0, first * FRAME - margin);
    const to = Math.min(audio.length, (last + 1) * FRAME + margin);
    parts.push(audio.slice(from, to));
    words.push({
      word: DIGIT_WORDS[digit]!,
      start: (at + first * FRAME - from) / RATE,
      end: (at + (last + 1) * FRAME - from) / RATE,
    });
    at += to - from;
    const pause = Math.round((0.15 + 0.3 * random()) * RATE);
    parts.push(new Float32Array(i === count - 1 ? 0.5 * RATE : pause));
    at += i === count - 1 ? 0.5 * RATE : pause;
  }
  return { samples: concatSamples(parts), words };
}
