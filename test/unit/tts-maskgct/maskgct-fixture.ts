import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { MaskGctPrompt, MaskGctSynthesisOptions } from '../../../tts/maskgct/index.js';

/**
 * Reader for test/fixtures/tts/maskgct-tiny/golden.* (random-weight graphs plus the PyTorch
 * reference runs), all written by:
 *   /usr/bin/python3 models/py/tts/maskgct/make_fixture.py
 */

export const maskgctFixtureDir = resolve(import.meta.dirname, '../../fixtures/tts/maskgct-tiny');

interface PyOptions {
  seed: number;
  speed: number;
  num_frames: number | null;
  max_frames: number;
  t2s_steps: number;
  t2s_temperature: number;
  t2s_top_k: number;
  t2s_cfg: number;
  s2a_steps: number[] | null;
  s2a_temperature: number;
  s2a_top_k: number;
  s2a_cfg: number;
  conf_noise: number;
  prompt_frames: number;
  voice: string | null;
}

export interface GoldenStep {
  chosen: number[];
  masked: number[];
}

export interface GoldenPhrase {
  phones: number[];
  numFrames: number;
  /** Planned target phone centres in frames (duration-table cases), else null. */
  centres: number[] | null;
  /** The float32 positions of every phone fed to T2S (prompt then target). */
  phonePos: number[];
  sem: number[];
  ac: number[];
  traces: Record<string, GoldenStep[]>;
  /** Contract log-mel [numFrames, 80]. */
  logMel: Float32Array;
}

export interface GoldenCase {
  name: string;
  /** false: run as a model without the duration table (phones spread evenly). */
  durations: boolean;
  options: MaskGctSynthesisOptions;
  prompt: MaskGctPrompt | undefined;
  phrases: GoldenPhrase[];
}

export interface MaskGctGolden {
  symbols: string[];
  ids: number[];
  cases: GoldenCase[];
}

type RawPhrase = Omit<GoldenPhrase, 'logMel'> & { melOffset: number; melLength: number };

export function maskgctGolden(): MaskGctGolden {
  const raw = JSON.parse(readFileSync(resolve(maskgctFixtureDir, 'golden.json'), 'utf8')) as {
    symbols: string[];
    ids: number[];
    cases: {
      name: string;
      durations: boolean;
      options: PyOptions;
      prompt: { phones: number[]; sem: number[]; ac: number[]; phonePos: number[] | null } | null;
      phrases: RawPhrase[];
    }[];
  };
  const bytes = readFileSync(resolve(maskgctFixtureDir, 'golden.f32'));
  const floats = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(floats.buffer).set(bytes);
  return {
    symbols: raw.symbols,
    ids: raw.ids,
    cases: raw.cases.map((c) => {
      const o = c.options;
      const p = c.prompt;
      const prompt = p
        ? {
            phones: p.phones,
            sem: Int32Array.from(p.sem),
            ac: Int32Array.from(p.ac),
            ...(p.phonePos === null ? {} : { phonePos: Float64Array.from(p.phonePos) }),
          }
        : undefined;
      return {
        name: c.name,
        durations: c.durations,
        options: {
          seed: o.seed,
          speed: o.speed,
          ...(o.num_frames === null ? {} : { numFrames: o.num_frames }),
          maxFrames: o.max_frames,
          t2sSteps: o.t2s_steps,
          t2sTemperature: o.t2s_temperature,
          t2sTopK: o.t2s_top_k,
          t2sCfg: o.t2s_cfg,
          ...(o.s2a_steps === null ? {} : { s2aSteps: o.s2a_steps }),
          s2aTemperature: o.s2a_temperature,
          s2aTopK: o.s2a_top_k,
          s2aCfg: o.s2a_cfg,
          confNoise: o.conf_noise,
          promptFrames: o.prompt_frames,
          ...(o.voice === null ? {} : { voice: o.voice }),
          ...(prompt ? { prompt } : {}),
        },
        prompt,
        phrases: c.phrases.map(({ melOffset, melLength, ...p }) => ({
          ...p,
          logMel: floats.slice(melOffset, melOffset + melLength),
        })),
      };
    }),
  };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
