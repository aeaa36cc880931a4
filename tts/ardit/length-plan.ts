import { SpeechError } from '../../common/errors.js';
import { type DurationTable, durationRow, plannedTimeline } from '../speech/token-timeline.js';

/**
 * How long an utterance may be, decided from the text before generation starts, so a model
 * that never says stop still ends (CONTRACT.md "Length and stop"). Mirrors
 * models/py/tts/ardit/sampler.py plan_length: same operations in the same order.
 */
export interface LengthOptions {
  /** Speaking-rate factor: > 1 plans fewer patches. */
  readonly speed: number;
  /** The stop head is ignored before ceil(minRatio * planned) patches. */
  readonly minRatio: number;
  /** Generation is clamped at ceil(maxRatio * planned) patches. */
  readonly maxRatio: number;
  /** Absolute cap on patches, whatever the text length. */
  readonly maxSteps: number;
}

export interface LengthPlan {
  /** N: the planned number of patches (what the phone positions are spread over). */
  readonly planned: number;
  readonly minSteps: number;
  readonly maxSteps: number;
}

export function planLength(
  numPhones: number,
  framesPerPhone: number,
  patchSize: number,
  options: LengthOptions,
): LengthPlan {
  if (!(Number.isInteger(numPhones) && numPhones >= 1)) {
    throw new SpeechError('MODEL_FEED_INVALID', `ardit: needs at least one phone, got ${numPhones}`);
  }
  const { speed, minRatio, maxRatio, maxSteps: cap } = options;
  if (!(speed > 0 && Number.isFinite(speed))) throw bad(`speed must be positive, got ${speed}`);
  if (!(minRatio >= 0 && maxRatio > 0 && minRatio <= maxRatio)) {
    throw bad(`need 0 <= minRatio <= maxRatio, got ${minRatio} and ${maxRatio}`);
  }
  if (!(Number.isInteger(cap) && cap >= 1)) throw bad(`maxSteps must be a positive integer, got ${cap}`);
  return stopWindow(
    Math.max(1, Math.floor((numPhones * framesPerPhone) / (patchSize * speed) + 0.5)),
    options,
  );
}

/** The stop window around N planned patches (options already validated by planLength's checks). */
function stopWindow(planned: number, options: LengthOptions): LengthPlan {
  const { minRatio, maxRatio, maxSteps: cap } = options;
  let minSteps = Math.max(1, Math.ceil(minRatio * planned));
  const maxSteps = Math.min(cap, Math.max(minSteps, Math.ceil(maxRatio * planned)));
  minSteps = Math.min(minSteps, maxSteps);
  return { planned, minSteps, maxSteps };
}

/**
 * The length plan and the prefill's text-token positions (CONTRACT.md "Positions"; Python
 * sampler.py plan_text, same operations). With a duration table: each token at its planned
 * centre in patches (the row of `voice`, else the pooled row), the voice token (multi-voice
 * models) in the middle of the leading silence, N = round(end of the last token / K). Without one: planLength and evenly spread
 * positions over every text token, as models trained before the table expect.
 */
export function planText(
  phoneIds: readonly number[],
  numTokens: number,
  framesPerPhone: number,
  patchSize: number,
  durations: DurationTable | undefined,
  voice: string | undefined,
  withVoiceToken: boolean,
  options: LengthOptions,
): { plan: LengthPlan; positions: Float32Array } {
  const even = planLength(phoneIds.length, framesPerPhone, patchSize, options); // validates the options too
  if (durations === undefined) return { plan: even, positions: phonePositions(numTokens, even.planned) };
  const row = durationRow(durations, voice);
  const line = plannedTimeline(durations, row, phoneIds, options.speed);
  const positions = new Float32Array(numTokens);
  const offset = withVoiceToken ? 1 : 0;
  if (withVoiceToken) positions[0] = line.lead / 2 / patchSize;
  for (let i = 0; i < phoneIds.length; i++) positions[offset + i] = line.centres[i]! / patchSize;
  return { plan: stopWindow(Math.max(1, Math.floor(line.total / patchSize + 0.5)), options), positions };
}

/** RoPE positions of the phones on the audio timeline: phone i at (i + 0.5) * N / P. */
export function phonePositions(numPhones: number, planned: number): Float32Array {
  const out = new Float32Array(numPhones);
  for (let i = 0; i < numPhones; i++) out[i] = ((i + 0.5) * planned) / numPhones;
  return out;
}

/**
 * The stop decision: stop after `patience` consecutive patches whose stop probability is
 * above `threshold`, but never before `minSteps` (the clamp at maxSteps is the loop's).
 */
export class StopRule {
  #run = 0;

  constructor(
    readonly threshold: number,
    readonly patience: number,
    readonly minSteps: number,
  ) {
    if (!(threshold > 0 && threshold < 1)) throw bad(`stopThreshold must be in (0, 1), got ${threshold}`);
    if (!(Number.isInteger(patience) && patience >= 1)) {
      throw bad(`stopPatience must be a positive integer, got ${patience}`);
    }
  }

  /** Records patch `step`'s stop logit; true when generation should end after it. */
  observe(step: number, stopLogit: number): boolean {
    const p = 1 / (1 + Math.exp(-stopLogit));
    this.#run = p > this.threshold ? this.#run + 1 : 0;
    return this.#run >= this.patience && step >= this.minSteps;
  }

  reset(): void {
    this.#run = 0;
  }
}

function bad(message: string): SpeechError {
  return new SpeechError('CONFIG_INVALID', `ardit: ${message}`);
}
