import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyCmvn, parseAmMvn } from '../../../asr/features/index.js';
import { isSpeechError } from '../../../common/errors.js';
import { fixtureDir } from './golden-fixture.js';

const small = readFileSync(resolve(fixtureDir, 'am-small.mvn'), 'utf8');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isSpeechError(err) ? err.code : 'not a SpeechError';
  }
  return undefined;
}

describe('parseAmMvn', () => {
  it('reads <AddShift> as neg_mean and <Rescale> as inv_stddev, across line breaks', () => {
    const cmvn = parseAmMvn(small);
    expect(Array.from(cmvn.negMean)).toEqual([-1.5, -2.25, 0, 3.125]);
    expect(Array.from(cmvn.invStddev)).toEqual([0.5, 0.25, 2, 1]);
  });

  it('reads the 560-dim file written by the golden script', () => {
    const cmvn = parseAmMvn(readFileSync(resolve(fixtureDir, 'am-560.mvn'), 'utf8'));
    expect(cmvn.negMean.length).toBe(560);
    expect(cmvn.invStddev.length).toBe(560);
    expect(cmvn.invStddev.every((v) => v > 0)).toBe(true);
  });

  it.each([
    ['no <AddShift>', small.replace('<AddShift>', '<Shift>')],
    ['no <Rescale>', small.replace('<Rescale> 4 4', '')],
    ['wrong count', small.replace('3.125 ]', ']')],
    ['unequal dims', small.replace('<AddShift> 4 4', '<AddShift> 4 5')],
    ['not a number', small.replace('-2.25', 'abc')],
    ['unclosed vector', small.replace(/1 \]\n<\/Nnet>/, '1\n</Nnet>')],
    ['vectors of different length', small.replace('<Rescale> 4 4', '<Rescale> 3 3').replace('2\n1 ]', '2 ]')],
  ])('rejects %s with MODEL_CMVN_INVALID', (_name, text) => {
    expect(codeOf(() => parseAmMvn(text))).toBe('MODEL_CMVN_INVALID');
  });
});

describe('applyCmvn', () => {
  it('computes (x + neg_mean) * inv_stddev * scale in place', () => {
    const cmvn = parseAmMvn(small);
    const m = { data: Float32Array.from([1.5, 2.25, 1, -3.125, 2.5, 6.25, -1, 0]), numFrames: 2, dim: 4 };
    applyCmvn(m, cmvn, 2);
    expect(Array.from(m.data)).toEqual([0, 0, 4, 0, 1, 2, -4, 6.25]);
  });

  it('refuses a dimension mismatch', () => {
    const m = { data: new Float32Array(6), numFrames: 2, dim: 3 };
    expect(codeOf(() => applyCmvn(m, parseAmMvn(small)))).toBe('MODEL_CMVN_INVALID');
  });
});
