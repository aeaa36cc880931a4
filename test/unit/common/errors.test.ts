import { describe, expect, it } from 'vitest';
import { errorCatalogue, SpeechError, toSpeechError } from '../../../common/errors.js';

describe('error catalogue', () => {
  it('maps every code onto valid transport codes', () => {
    for (const [code, spec] of Object.entries(errorCatalogue)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(spec.http, code).toBeGreaterThanOrEqual(400);
      expect(spec.http, code).toBeLessThan(600);
      // RFC 6455 close codes in use: 1001 going away, 1003, 1007-1011, 1013, 4000-4999.
      expect(
        [1001, 1003, 1007, 1008, 1009, 1011, 1013].includes(spec.ws) || (spec.ws >= 4000 && spec.ws < 5000),
        code,
      ).toBe(true);
      expect(spec.exit, code).toBeGreaterThan(0);
      expect(spec.summary.length, code).toBeGreaterThan(10);
    }
  });

  it('carries code, statuses and details through SpeechError', () => {
    const err = new SpeechError('LIMIT_FRAME_TOO_LARGE', 'frame of 9 MB > 1 MB', { bytes: 9e6 });
    expect(err.httpStatus).toBe(413);
    expect(err.wsCloseCode).toBe(1009);
    expect(err.toJSON()).toEqual({
      code: 'LIMIT_FRAME_TOO_LARGE',
      message: 'frame of 9 MB > 1 MB',
      details: { bytes: 9e6 },
    });
  });

  it('wraps foreign errors without losing coded ones', () => {
    const coded = new SpeechError('MODEL_NOT_FOUND', 'no such dir');
    expect(toSpeechError(coded)).toBe(coded);
    const wrapped = toSpeechError(new TypeError('boom'), 'MODEL_RUN_FAILED');
    expect(wrapped.code).toBe('MODEL_RUN_FAILED');
    expect(wrapped.message).toBe('boom');
    expect(wrapped.cause).toBeInstanceOf(TypeError);
  });
});
