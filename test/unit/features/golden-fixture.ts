import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FeatureMatrix } from '../../../asr/features/index.js';

/** Reader for test/fixtures/features (written by models/py/golden/make_feature_golden.py). */

export const fixtureDir = resolve(import.meta.dirname, '../../fixtures/features');

export interface GoldenCase {
  name: string;
  input: string;
  kind:
    | 'fbank'
    | 'nemo-mel'
    | 'lfr-offline'
    | 'lfr-online'
    | 'lfr-offline-cmvn'
    | 'lfr-online-cmvn'
    | 'paraformer-online-chunk';
  reference: string;
  numFrames: number;
  dim: number;
  offset: number;
  length: number;
  preset?: string;
  options?: Record<string, unknown>;
  source?: string;
  m?: number;
  n?: number;
  cmvn?: string;
  scale?: number;
  firstFrame?: number;
  numInputFrames?: number;
  firstPosition?: number;
}

interface GoldenIndex {
  inputs: { name: string; sampleRate: number; offset: number; length: number }[];
  cases: GoldenCase[];
}

let cached: { index: GoldenIndex; floats: Float32Array } | undefined;

function load(): { index: GoldenIndex; floats: Float32Array } {
  if (cached) return cached;
  const index = JSON.parse(readFileSync(resolve(fixtureDir, 'golden.json'), 'utf8')) as GoldenIndex;
  const bytes = readFileSync(resolve(fixtureDir, 'golden.f32'));
  // Copy into an aligned buffer (a Buffer may start at any byte offset); the fixture is little-endian.
  const floats = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(floats.buffer).set(bytes);
  cached = { index, floats };
  return cached;
}

export function goldenCases(): GoldenCase[] {
  return load().index.cases;
}

export function goldenInput(name: string): { samples: Float32Array; sampleRate: number } {
  const { index, floats } = load();
  const input = index.inputs.find((i) => i.name === name);
  if (!input) throw new Error(`no golden input ${name}`);
  return { samples: floats.slice(input.offset, input.offset + input.length), sampleRate: input.sampleRate };
}

export function goldenMatrix(c: GoldenCase): FeatureMatrix {
  const { floats } = load();
  return { data: floats.slice(c.offset, c.offset + c.length), numFrames: c.numFrames, dim: c.dim };
}

export function goldenCase(name: string): GoldenCase {
  const c = goldenCases().find((x) => x.name === name);
  if (!c) throw new Error(`no golden case ${name}`);
  return c;
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    // NaN must fail, so compare with !(d <= worst) rather than d > worst.
    if (!(d <= worst)) worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
  }
  return worst;
}
