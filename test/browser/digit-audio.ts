// Spoken digit strings made from real FSDD recordings (8 kHz, resampled to 16 kHz by our
// own decoder), with pauses between digits, longer pauses between strings, and silence
// around them: a fake microphone for the browser test, a live client for the load bench.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { concatSamples, decodeAll, encodeWav } from '../../streaming/audio/index.js';

export { spokenDigits } from '../helpers/spoken-digits.js';

export const dataDir = path.resolve(import.meta.dirname, '../../../shared/data');

export interface DigitString {
  readonly digits: string;
  /** FSDD speaker; clips 0-4 are the dataset's test split. */
  readonly speaker: string;
}

export interface DigitAudioOptions {
  readonly leadSeconds?: number;
  readonly digitGapSeconds?: number;
  readonly stringGapSeconds?: number;
  readonly tailSeconds?: number;
}

function decode16k(file: string): Promise<Float32Array> {
  return decodeAll(file, { sampleRate: 16000 });
}

/** 16 kHz mono samples of the strings, read aloud digit by digit. */
export async function digitStrings(
  strings: readonly DigitString[],
  options: DigitAudioOptions = {},
): Promise<Float32Array> {
  const { leadSeconds = 1, digitGapSeconds = 0.25, stringGapSeconds = 1.5, tailSeconds = 2.5 } = options;
  const silence = (seconds: number) => new Float32Array(Math.round(seconds * 16000));
  const pieces: Float32Array[] = [silence(leadSeconds)];
  for (const [s, { digits, speaker }] of strings.entries()) {
    if (s > 0) pieces.push(silence(stringGapSeconds));
    for (const [i, digit] of [...digits].entries()) {
      if (i > 0) pieces.push(silence(digitGapSeconds));
      // Spread the takes over the test split so repeated digits are different recordings.
      const take = (i + s) % 5;
      pieces.push(
        await decode16k(path.join(dataDir, 'fsdd', 'recordings', `${digit}_${speaker}_${take}.wav`)),
      );
    }
  }
  pieces.push(silence(tailSeconds));
  return concatSamples(pieces);
}

export async function writeWav16k(file: string, samples: Float32Array): Promise<void> {
  await writeFile(file, encodeWav({ sampleRate: 16000, channels: [samples] }, { format: 'pcm16' }));
}
