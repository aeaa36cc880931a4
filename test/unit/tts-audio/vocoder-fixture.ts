import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ttsFixtureDir } from './mel-golden.js';

/** Reader for test/fixtures/tts/vocoder-reference.* (written by models/py/tts/vocoder/export.py). */

export const embeddedVocoder = resolve(import.meta.dirname, '../../../models/embedded/tts-vocoder');

export interface VocoderCase {
  name: string;
  numFrames: number;
  /** Frame-major log-mel [numFrames, 80]. */
  logMel: Float32Array;
  /** torch's output for it, numFrames * 320 samples. */
  audio: Float32Array;
}

export function vocoderReference(): { receptiveLeft: number; lookahead: number; cases: VocoderCase[] } {
  const index = JSON.parse(readFileSync(resolve(ttsFixtureDir, 'vocoder-reference.json'), 'utf8')) as {
    receptiveLeft: number;
    lookahead: number;
    cases: { name: string; numFrames: number; melOffset: number; audioOffset: number; audioLength: number }[];
  };
  const bytes = readFileSync(resolve(ttsFixtureDir, 'vocoder-reference.f32'));
  const floats = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(floats.buffer).set(bytes);
  return {
    receptiveLeft: index.receptiveLeft,
    lookahead: index.lookahead,
    cases: index.cases.map((c) => ({
      name: c.name,
      numFrames: c.numFrames,
      logMel: floats.slice(c.melOffset, c.melOffset + c.numFrames * 80),
      audio: floats.slice(c.audioOffset, c.audioOffset + c.audioLength),
    })),
  };
}
