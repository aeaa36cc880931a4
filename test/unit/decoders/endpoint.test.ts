import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ENDPOINT_CONFIG,
  detectEndpoint,
  isEndpoint,
  mergeEndpointConfig,
} from '../../../asr/endpoint.js';
import { isSpeechError } from '../../../common/errors.js';
import { thrown } from './logit-builders.js';

const nemo = (numFramesDecoded: number, trailingBlankFrames: number, hasNonBlank: boolean) => ({
  numFramesDecoded,
  trailingBlankFrames,
  hasNonBlank,
  secondsPerFrame: 0.08,
});

describe('endpoint rules', () => {
  const cfg = DEFAULT_ENDPOINT_CONFIG;

  it('rule2: 1.2 s of silence after speech', () => {
    expect(detectEndpoint(cfg, nemo(40, 15, true))).toBe('rule2');
    expect(detectEndpoint(cfg, nemo(40, 14, true))).toBeNull();
  });

  it('rule1: 2.4 s of silence even when nothing was said', () => {
    expect(detectEndpoint(cfg, nemo(29, 29, false))).toBeNull();
    expect(detectEndpoint(cfg, nemo(30, 30, false))).toBe('rule1');
  });

  it('rule3: utterances stop at 20 s whatever the silence', () => {
    expect(detectEndpoint(cfg, nemo(249, 0, true))).toBeNull();
    expect(detectEndpoint(cfg, nemo(250, 0, true))).toBe('rule3');
  });

  it('counts frames exactly despite decimal frame shifts (15 x 0.06 s is 0.8999... in doubles)', () => {
    const cut = mergeEndpointConfig({ rule2: { minTrailingSilence: 0.9 } });
    const input = { numFramesDecoded: 30, trailingBlankFrames: 15, hasNonBlank: true, secondsPerFrame: 0.06 };
    expect(isEndpoint(cut, input)).toBe(true);
    expect(isEndpoint(cut, { ...input, trailingBlankFrames: 14 })).toBe(false);
  });

  it('merges per-session overrides onto the defaults', () => {
    const quick = mergeEndpointConfig({ rule2: { minTrailingSilence: 0.4 } });
    expect(quick.rule2).toEqual({
      mustContainNonSilence: true,
      minTrailingSilence: 0.4,
      minUtteranceLength: 0,
    });
    expect(quick.rule1).toEqual(DEFAULT_ENDPOINT_CONFIG.rule1);
    expect(detectEndpoint(quick, nemo(40, 5, true))).toBe('rule2');
    expect(detectEndpoint(cfg, nemo(40, 5, true))).toBeNull();
    const noCap = mergeEndpointConfig({ rule3: { minUtteranceLength: 1e9 } });
    expect(detectEndpoint(noCap, nemo(1000, 0, true))).toBeNull();
  });

  it('rejects negative or non-finite overrides', () => {
    const e = thrown(() => mergeEndpointConfig({ rule1: { minTrailingSilence: -1 } }));
    expect(isSpeechError(e, 'CONFIG_INVALID')).toBe(true);
    expect(() => mergeEndpointConfig({ rule3: { minUtteranceLength: Number.NaN } })).toThrow();
  });
});
