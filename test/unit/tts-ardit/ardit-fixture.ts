import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ArditOptions } from '../../../tts/ardit/index.js';

/**
 * Reader for test/fixtures/tts/ardit-tiny/golden.* (random-weight graphs plus the PyTorch
 * reference runs), all written by:
 *   /usr/bin/python3 models/py/tts/ardit/make_fixture.py
 */

export const arditFixtureDir = resolve(import.meta.dirname, '../../fixtures/tts/ardit-tiny');

interface PyOptions {
  seed: number;
  speed: number;
  flow_steps: number;
  cfg_scale: number;
  noise_scale: number;
  stop_threshold: number;
  stop_patience: number | null;
  min_ratio: number;
  max_ratio: number;
  max_steps: number;
}

export interface GoldenCase {
  name: string;
  options: ArditOptions;
  planned: number;
  minSteps: number;
  maxSteps: number;
  steps: number;
  reason: 'stop' | 'max';
  numFrames: number;
  stopLogits: number[];
  /** Contract log-mel, frame-major [numFrames, 80]. */
  logMel: Float32Array;
}

export interface ArditGolden {
  symbols: string[];
  ids: number[];
  cases: GoldenCase[];
  rng: { seed: number; words: number[]; normals: number[]; wordsAtBlock2e32: number[] };
}

export function arditGolden(): ArditGolden {
  const raw = JSON.parse(readFileSync(resolve(arditFixtureDir, 'golden.json'), 'utf8')) as Omit<
    ArditGolden,
    'cases'
  > & {
    cases: (Omit<GoldenCase, 'options' | 'logMel'> & {
      options: PyOptions;
      offset: number;
      length: number;
    })[];
  };
  const bytes = readFileSync(resolve(arditFixtureDir, 'golden.f32'));
  const floats = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(floats.buffer).set(bytes);
  return {
    ...raw,
    cases: raw.cases.map(({ options: o, offset, length, ...c }) => ({
      ...c,
      options: {
        seed: o.seed,
        speed: o.speed,
        flowSteps: o.flow_steps,
        cfgScale: o.cfg_scale,
        noiseScale: o.noise_scale,
        stopThreshold: o.stop_threshold,
        ...(o.stop_patience === null ? {} : { stopPatience: o.stop_patience }),
        minRatio: o.min_ratio,
        maxRatio: o.max_ratio,
        maxSteps: o.max_steps,
      },
      logMel: floats.slice(offset, offset + length),
    })),
  };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
