import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addSinusoidalPositionEncoding,
  applyCmvn,
  applyLfrOffline,
  applyLfrOnline,
  computeFbank,
  computeFeatures,
  type FbankOptionsInput,
  type FeatureMatrix,
  isFeaturePresetName,
  parseAmMvn,
} from '../../../asr/features/index.js';
import {
  fixtureDir,
  type GoldenCase,
  goldenCase,
  goldenCases,
  goldenInput,
  goldenMatrix,
  maxAbsDiff,
} from './golden-fixture.js';

// Log-domain features: the contract allows 1e-3 against the independent references.
const tolerance = 1e-3;

function compute(c: GoldenCase): FeatureMatrix {
  switch (c.kind) {
    case 'fbank':
    case 'nemo-mel': {
      const { samples } = goldenInput(c.input);
      if (c.preset !== undefined) {
        expect(isFeaturePresetName(c.preset), c.preset).toBe(true);
        return computeFeatures(samples, c.preset);
      }
      return computeFbank(samples, c.options as FbankOptionsInput);
    }
    case 'lfr-offline':
      return applyLfrOffline(goldenMatrix(goldenCase(c.source!)), c.m, c.n);
    case 'lfr-online':
      return applyLfrOnline(goldenMatrix(goldenCase(c.source!)), c.m, c.n);
    case 'lfr-offline-cmvn':
    case 'lfr-online-cmvn': {
      const fb = goldenMatrix(goldenCase(c.source!));
      const lfr =
        c.kind === 'lfr-offline-cmvn' ? applyLfrOffline(fb, c.m, c.n) : applyLfrOnline(fb, c.m, c.n);
      const cmvn = parseAmMvn(readFileSync(resolve(fixtureDir, c.cmvn!), 'utf8'), c.cmvn);
      applyCmvn(lfr, cmvn, c.scale);
      return lfr;
    }
    case 'paraformer-online-chunk': {
      // sherpa's streaming Paraformer step 3-5 on one 61-frame chunk of fbank frames.
      const fb = goldenMatrix(goldenCase(c.source!));
      const first = c.firstFrame! * fb.dim;
      const chunk = {
        data: fb.data.slice(first, first + c.numInputFrames! * fb.dim),
        numFrames: c.numInputFrames!,
        dim: fb.dim,
      };
      const lfr = applyLfrOnline(chunk, c.m, c.n);
      applyCmvn(lfr, parseAmMvn(readFileSync(resolve(fixtureDir, c.cmvn!), 'utf8'), c.cmvn), c.scale);
      addSinusoidalPositionEncoding(lfr, c.firstPosition!);
      return lfr;
    }
  }
}

describe('features match independent references (models/py/golden/make_feature_golden.py)', () => {
  const cases = goldenCases();

  it('covers every preset, both mel modes, both edge modes and the Paraformer post-processing', () => {
    const presets = new Set(cases.map((c) => c.preset).filter((p) => p !== undefined));
    expect([...presets].sort()).toEqual([
      'nemo-native',
      'nemo-native-streaming',
      'sherpa-offline-nemo-ctc',
      'sherpa-offline-nemo-transducer',
      'sherpa-offline-paraformer',
      'sherpa-online-nemo-ctc',
      'sherpa-online-nemo-transducer',
      'sherpa-online-paraformer',
    ]);
    const kinds = new Set(cases.map((c) => c.kind));
    expect(kinds.size).toBe(7);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const got = compute(c);
    const want = goldenMatrix(c);
    expect(got.numFrames).toBe(c.numFrames);
    if (c.numFrames > 0) expect(got.dim).toBe(c.dim);
    expect(maxAbsDiff(got.data, want.data)).toBeLessThanOrEqual(tolerance);
  });
});
