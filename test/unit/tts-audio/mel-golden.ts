import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FeatureMatrix } from '../../../asr/features/feature-matrix.js';

/** Reader for test/fixtures/tts/mel-golden.* (written by models/py/tts/mel_spec.py). */

export const ttsFixtureDir = resolve(import.meta.dirname, '../../fixtures/tts');

interface MelGoldenIndex {
  contract: Record<string, number>;
  inputs: { name: string; sampleRate: number; offset: number; length: number }[];
  cases: { name: string; input: string; numFrames: number; dim: number; offset: number; length: number }[];
  filterbank: { offset: number; length: number; rows: number; cols: number };
}

let cached: { index: MelGoldenIndex; floats: Float32Array } | undefined;

function load(): { index: MelGoldenIndex; floats: Float32Array } {
  if (cached) return cached;
  const index = JSON.parse(readFileSync(resolve(ttsFixtureDir, 'mel-golden.json'), 'utf8')) as MelGoldenIndex;
  const bytes = readFileSync(resolve(ttsFixtureDir, 'mel-golden.f32'));
  const floats = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(floats.buffer).set(bytes);
  cached = { index, floats };
  return cached;
}

export function melGoldenContract(): Record<string, number> {
  return load().index.contract;
}

export function melGoldenCases(): { name: string; samples: Float32Array; logMel: FeatureMatrix }[] {
  const { index, floats } = load();
  return index.cases.map((c) => {
    const input = index.inputs.find((i) => i.name === c.input)!;
    return {
      name: c.name,
      samples: floats.slice(input.offset, input.offset + input.length),
      logMel: { data: floats.slice(c.offset, c.offset + c.length), numFrames: c.numFrames, dim: c.dim },
    };
  });
}

/** Samples of one golden input (real speech, 16 kHz). */
export function melGoldenInput(name: string): Float32Array {
  const { index, floats } = load();
  const input = index.inputs.find((i) => i.name === name);
  if (!input) throw new Error(`no golden input ${name}`);
  return floats.slice(input.offset, input.offset + input.length);
}

/** torchaudio's Slaney filterbank, [80, 513] row-major. */
export function melGoldenFilterbank(): { data: Float32Array; rows: number; cols: number } {
  const { index, floats } = load();
  const f = index.filterbank;
  return { data: floats.slice(f.offset, f.offset + f.length), rows: f.rows, cols: f.cols };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
  }
  return worst;
}
