// Real clips from ../shared/data decoded once to 16 kHz mono float by our own decoder,
// so our runtime and sherpa-onnx are always fed the very same samples.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { decodeAll } from '../../../../streaming/audio/index.js';

export const dataDir = path.resolve(import.meta.dirname, '../../../../../shared/data');
export const zooDir = path.resolve(import.meta.dirname, '../../../fixtures/zoo');

/** Every clip in shared/data/clips (all formats) plus a few FSDD digits (8 kHz). */
export function allClips(): string[] {
  const clipsDir = path.join(dataDir, 'clips');
  const clips = readdirSync(clipsDir)
    .filter((f) => !f.endsWith('.txt'))
    .sort()
    .map((f) => path.join('clips', f));
  const fsdd = [
    'fsdd/recordings/0_theo_0.wav',
    'fsdd/recordings/7_jackson_12.wav',
    'fsdd/recordings/3_lucas_40.wav',
  ];
  return [...clips, ...fsdd];
}

export function haveData(): boolean {
  return existsSync(path.join(dataDir, 'clips', 'jfk.wav'));
}

const cache = new Map<string, Promise<Float32Array>>();

export function clip16k(relative: string): Promise<Float32Array> {
  let pending = cache.get(relative);
  if (pending === undefined) {
    pending = decodeAll(path.join(dataDir, relative), { sampleRate: 16000 });
    cache.set(relative, pending);
  }
  return pending;
}

/** Splits `samples` into chunks of random sizes in [minSize, maxSize] from a seeded generator. */
export function randomChunks(
  samples: Float32Array,
  seed: number,
  minSize = 1,
  maxSize = 32000,
): Float32Array[] {
  let state = seed >>> 0 || 1;
  const next = () => {
    // xorshift32: deterministic and dependency-free
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
  const out: Float32Array[] = [];
  let at = 0;
  while (at < samples.length) {
    // Log-uniform sizes so tiny and large chunks both occur often.
    const size = Math.round(Math.exp(Math.log(minSize) + next() * (Math.log(maxSize) - Math.log(minSize))));
    out.push(samples.subarray(at, Math.min(samples.length, at + size)));
    at += size;
  }
  return out;
}
