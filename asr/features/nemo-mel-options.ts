import { z } from 'zod';
import { SpeechError } from '../../common/errors.js';
import { badFeatureOptions } from './feature-options-error.js';

/**
 * NeMo `AudioToMelSpectrogramPreprocessor` / `FilterbankFeatures` in eval mode (no
 * dither), with the FastConformer defaults. Sizes are in samples (NeMo's config gives
 * seconds: window_size 0.025, window_stride 0.01 at 16 kHz).
 */
export const nemoMelOptionsSchema = z
  .object({
    sampleRate: z.number().int().positive().default(16000),
    windowLength: z.number().int().min(2).default(400),
    hopLength: z.number().int().positive().default(160),
    nFft: z.number().int().positive().default(512),
    /** torch.*_window(periodic=False), as NeMo builds it. */
    window: z.enum(['hann-symmetric', 'hamming', 'rectangular']).default('hann-symmetric'),
    numMelBins: z.number().int().min(3).default(80),
    lowFreq: z.number().min(0).default(0),
    /** Upper band edge; absent means sampleRate/2 (NeMo's `highfreq or sample_rate / 2`). */
    highFreq: z.number().positive().optional(),
    /** Pre-emphasis over the whole utterance, y[0] = x[0]; 0 disables it (NeMo `preemph: null`). */
    preemph: z.number().min(0).max(1).default(0.97),
    /** ln(x + guard) (NeMo `log_zero_guard_type: add`, value 2^-24). */
    logGuard: z
      .number()
      .positive()
      .default(2 ** -24),
    /** 'per_feature': per-bin mean / unbiased std + 1e-5 over the utterance; 'none' = NeMo "NA". */
    normalize: z.enum(['per_feature', 'none']).default('per_feature'),
  })
  .strict();

export type NemoMelOptions = z.output<typeof nemoMelOptionsSchema>;
export type NemoMelOptionsInput = z.input<typeof nemoMelOptionsSchema>;

export function resolveNemoMelOptions(input: NemoMelOptionsInput = {}): Readonly<NemoMelOptions> {
  const parsed = nemoMelOptionsSchema.safeParse(input);
  if (!parsed.success) throw badFeatureOptions('NeMo mel', parsed.error);
  const o = parsed.data;
  if (o.windowLength > o.nFft) {
    throw new SpeechError(
      'FEATURE_BAD_OPTIONS',
      `NeMo window of ${o.windowLength} samples exceeds n_fft ${o.nFft}`,
      {
        windowLength: o.windowLength,
        nFft: o.nFft,
      },
    );
  }
  return Object.freeze(o);
}
