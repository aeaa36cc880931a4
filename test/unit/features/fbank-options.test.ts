import { describe, expect, it } from 'vitest';
import { FbankComputer, frameGeometry, resolveFbankOptions } from '../../../asr/features/index.js';
import { isSpeechError } from '../../../common/errors.js';

function errorOf(fn: () => unknown): { code?: string; message: string } | undefined {
  try {
    fn();
  } catch (err) {
    return { code: isSpeechError(err) ? err.code : undefined, message: (err as Error).message };
  }
  return undefined;
}

describe('fbank options', () => {
  it('fills knf defaults (dither 0, 80 bins) and freezes the result', () => {
    const o = resolveFbankOptions();
    expect(o).toMatchObject({
      sampleRate: 16000,
      frameLengthMs: 25,
      frameShiftMs: 10,
      windowType: 'povey',
      snipEdges: true,
      removeDcOffset: true,
      preemphCoeff: 0.97,
      dither: 0,
      roundToPowerOfTwo: true,
      numMelBins: 80,
      lowFreq: 20,
      highFreq: 0,
      isLibrosa: false,
      useLogFbank: true,
      sampleScale: 1,
    });
    expect(Object.isFrozen(o)).toBe(true);
  });

  it('names every bad field in one FEATURE_BAD_OPTIONS error', () => {
    const e = errorOf(() =>
      resolveFbankOptions({ windowType: 'blackman' as never, numMelBins: 2, bogus: 1 } as never),
    );
    expect(e?.code).toBe('FEATURE_BAD_OPTIONS');
    expect(e?.message).toMatch(/windowType/);
    expect(e?.message).toMatch(/numMelBins/);
    expect(e?.message).toMatch(/bogus/);
  });

  it('derives frame sizes in float32 and truncates, as knf does', () => {
    const g = (sampleRate: number, frameLengthMs: number, frameShiftMs: number, roundToPowerOfTwo = true) =>
      frameGeometry(resolveFbankOptions({ sampleRate, frameLengthMs, frameShiftMs, roundToPowerOfTwo }));
    expect(g(16000, 25, 10)).toMatchObject({ frameLength: 400, frameShift: 160, paddedLength: 512 });
    expect(g(8000, 25, 10)).toMatchObject({ frameLength: 200, frameShift: 80, paddedLength: 256 });
    expect(g(22050, 25, 10)).toMatchObject({ frameLength: 551, frameShift: 220, paddedLength: 1024 });
    expect(g(16000, 32, 12.5, false)).toMatchObject({ frameLength: 512, frameShift: 200, paddedLength: 512 });
  });

  it('refuses a non power-of-two FFT like knf, with a reason', () => {
    const e = errorOf(() => new FbankComputer({ roundToPowerOfTwo: false }));
    expect(e?.code).toBe('FEATURE_BAD_OPTIONS');
    expect(e?.message).toMatch(/power of two/);
  });

  it('checks the mel band against the sample rate when a computer is built', () => {
    expect(errorOf(() => new FbankComputer({ sampleRate: 8000, highFreq: 7000 }))?.code).toBe(
      'FEATURE_BAD_OPTIONS',
    );
    expect(errorOf(() => new FbankComputer({ sampleRate: 8000, highFreq: -400 }))).toBeUndefined();
  });

  it('reproduces dither for a given seed and leaves the default deterministic', () => {
    const samples = Float32Array.from({ length: 1600 }, (_, i) => Math.sin(i / 7) * 0.1);
    const frame = (options: object) => {
      const c = new FbankComputer(options);
      c.frame.set(Float64Array.from(samples.subarray(0, 400)));
      const out = new Float32Array(c.dim);
      c.compute(out, 0);
      return Array.from(out);
    };
    expect(frame({ dither: 0.1, ditherSeed: 7 })).toEqual(frame({ dither: 0.1, ditherSeed: 7 }));
    expect(frame({ dither: 0.1, ditherSeed: 7 })).not.toEqual(frame({ dither: 0.1, ditherSeed: 8 }));
    expect(frame({ dither: 0.1, ditherSeed: 7 })).not.toEqual(frame({}));
  });

  it('outputs raw mel energies when useLogFbank is false and floors the log at FLT_EPSILON', () => {
    const log = new FbankComputer({});
    const raw = new FbankComputer({ useLogFbank: false });
    const outLog = new Float32Array(80);
    const outRaw = new Float32Array(80);
    // Digital silence: every energy is 0, so the log is ln(FLT_EPSILON).
    log.compute(outLog, 0);
    raw.compute(outRaw, 0);
    expect(Array.from(outRaw)).toEqual(new Array(80).fill(0));
    for (const v of outLog) expect(v).toBeCloseTo(Math.log(2 ** -23), 5);
  });
});
