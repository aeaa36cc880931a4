import { z } from 'zod';
import { SpeechError } from '../../common/errors.js';
import { badFeatureOptions } from './feature-options-error.js';
import { windowTypes } from './window.js';

/**
 * Options of the kaldi-native-fbank (knf) filterbank, camelCased. Defaults follow knf,
 * except `dither` (0: knf's 3e-5 makes features random, sherpa sets 0 everywhere) and
 * `numMelBins` (80, sherpa's default, instead of knf's 25).
 *
 * Not modelled because no sherpa path uses them: use_energy / raw_energy / htk_compat
 * (the energy column), use_power=false, VTLN, the blackman and sine windows.
 */
export const fbankOptionsSchema = z
  .object({
    sampleRate: z.number().positive().default(16000),
    frameLengthMs: z.number().positive().default(25),
    frameShiftMs: z.number().positive().default(10),
    windowType: z.enum(windowTypes).default('povey'),
    /** true: frames lie fully inside the signal; false: centred every shift, edges reflected. */
    snipEdges: z.boolean().default(true),
    removeDcOffset: z.boolean().default(true),
    /** Per-frame pre-emphasis, applied in place from the end, x[0] -= c·x[0]. */
    preemphCoeff: z.number().min(0).max(1).default(0.97),
    /**
     * Gaussian dither amplitude. Only 0 is deterministic; other values add noise from a
     * seeded generator (reproducible for a given `ditherSeed`, never equal to knf's noise).
     */
    dither: z.number().min(0).default(0),
    ditherSeed: z.number().int().default(0),
    roundToPowerOfTwo: z.boolean().default(true),
    numMelBins: z.number().int().min(3).default(80),
    lowFreq: z.number().min(0).default(20),
    /** Upper cut-off in Hz; <= 0 means Nyquist + highFreq (so -400 at 16 kHz is 7600 Hz). */
    highFreq: z.number().default(0),
    /** false: Kaldi/HTK mel filters; true: librosa/Slaney filters (knf `is_librosa`). */
    isLibrosa: z.boolean().default(false),
    /** Filter normalisation in librosa mode (knf default 'slaney'); ignored in Kaldi mode. */
    melNorm: z.enum(['slaney', 'none']).default('slaney'),
    /** ln(max(E, FLT_EPSILON)) when true, raw mel energies when false. */
    useLogFbank: z.boolean().default(true),
    /** Multiplies every input sample first (Paraformer paths use 32768: int16 scale). */
    sampleScale: z.number().positive().default(1),
  })
  .strict();

export type FbankOptions = z.output<typeof fbankOptionsSchema>;
export type FbankOptionsInput = z.input<typeof fbankOptionsSchema>;

const float32 = Math.fround;

/** Frame geometry in samples, computed in float32 like knf's `WindowSize()` / `WindowShift()`. */
export interface FrameGeometry {
  readonly frameLength: number;
  readonly frameShift: number;
  /** FFT size: frameLength rounded up to a power of two (or frameLength itself). */
  readonly paddedLength: number;
  readonly snipEdges: boolean;
}

function samplesOf(sampleRate: number, ms: number): number {
  return Math.trunc(float32(float32(float32(sampleRate) * float32(0.001)) * float32(ms)));
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export function frameGeometry(opts: FbankOptions): FrameGeometry {
  const frameLength = samplesOf(opts.sampleRate, opts.frameLengthMs);
  const frameShift = samplesOf(opts.sampleRate, opts.frameShiftMs);
  if (frameLength < 2 || frameShift < 1) {
    throw new SpeechError(
      'FEATURE_BAD_OPTIONS',
      `frame of ${opts.frameLengthMs} ms / shift ${opts.frameShiftMs} ms at ${opts.sampleRate} Hz is ${frameLength} / ${frameShift} samples; need at least 2 / 1`,
      { frameLength, frameShift },
    );
  }
  const paddedLength = opts.roundToPowerOfTwo ? nextPowerOfTwo(frameLength) : frameLength;
  if ((paddedLength & (paddedLength - 1)) !== 0) {
    // knf's FFT is power-of-two only and exits in this case; so do we, with a message.
    throw new SpeechError(
      'FEATURE_BAD_OPTIONS',
      `frame length ${frameLength} is not a power of two; set roundToPowerOfTwo (the FFT is radix-2)`,
      { frameLength },
    );
  }
  return { frameLength, frameShift, paddedLength, snipEdges: opts.snipEdges };
}

/** Validates and fills defaults; throws FEATURE_BAD_OPTIONS naming every bad field. */
export function resolveFbankOptions(input: FbankOptionsInput = {}): Readonly<FbankOptions> {
  const parsed = fbankOptionsSchema.safeParse(input);
  if (!parsed.success) throw badFeatureOptions('fbank', parsed.error);
  return Object.freeze(parsed.data);
}
