import { SpeechError } from '../../common/errors.js';
import type { ArditGraphs } from './ardit-graphs.js';
import { samplePatch } from './flow-sampler.js';
import { type LengthPlan, planText, StopRule } from './length-plan.js';
import { PhiloxStream } from './philox.js';

/**
 * The ARDiT generation loop (CONTRACT.md "Runtime algorithm"; Python twin
 * models/py/tts/ardit/sampler.py generate): prefill, then per patch j = 1, 2, ...
 * noise -> Euler flow sampling -> emit -> step graph -> stop rule. Mel leaves as soon as
 * each chunk of patches exists, as an async iterator that feeds tts/audio/vocoder-stream.ts
 * (see vocode-mel.ts). All state lives in the ArditGeneration object; the model is shared.
 */

export interface ArditOptions {
  /** Voice index of a multi-voice model (ArditModelInfo.voices). Default 0. */
  readonly voice?: number;
  /** Noise seed, integer in [0, 2^53). Default 0. */
  readonly seed?: number;
  /** Speaking rate: > 1 is faster (fewer planned patches). Default 1. */
  readonly speed?: number;
  /** Euler steps per patch. Default 4. */
  readonly flowSteps?: number;
  /** Classifier-free guidance scale; 1 (default) disables it. */
  readonly cfgScale?: number;
  /** Multiplies the initial noise (sampling temperature). Default 1. */
  readonly noiseScale?: number;
  /** Stop probability threshold. Default 0.5. */
  readonly stopThreshold?: number;
  /** Consecutive positive steps needed to stop. Default: the model's stop_patience. */
  readonly stopPatience?: number;
  /** Stop is ignored before ceil(minRatio * planned) patches. Default 0.6. */
  readonly minRatio?: number;
  /** Generation is clamped at ceil(maxRatio * planned) patches. Default 1.5. */
  readonly maxRatio?: number;
  /** Absolute cap on patches. Default 1000 (80 s at K = 4). */
  readonly maxSteps?: number;
  /** Patches per emitted chunk. Default 1 (every 80 ms of audio at K = 4). */
  readonly patchesPerChunk?: number;
  readonly signal?: AbortSignal;
}

export const ARDIT_DEFAULTS = {
  seed: 0,
  speed: 1,
  flowSteps: 4,
  cfgScale: 1,
  noiseScale: 1,
  stopThreshold: 0.5,
  minRatio: 0.6,
  maxRatio: 1.5,
  maxSteps: 1000,
  patchesPerChunk: 1,
} as const;

export interface MelChunk {
  /** Contract log-mel (tts/README.md), frame-major [numFrames, numMels]. */
  readonly logMel: Float32Array;
  readonly numFrames: number;
  /** Index of the chunk's first frame in the utterance. */
  readonly startFrame: number;
}

export interface ArditOutcome {
  readonly plan: LengthPlan;
  /** Patches generated. */
  readonly steps: number;
  readonly numFrames: number;
  /** 'stop': the stop head ended it; 'max': the length clamp did. */
  readonly reason: 'stop' | 'max';
  /** Stop logit after each patch fed back (none for the last patch when clamped). */
  readonly stopLogits: readonly number[];
}

/**
 * One utterance. Iterate it once (for await ... of) to receive mel chunks; `outcome` is set
 * when the iteration has ended.
 */
export class ArditGeneration<Cache = unknown> implements AsyncIterable<MelChunk> {
  readonly #graphs: ArditGraphs<Cache>;
  /** What prefill reads: the voice token (multi-voice models), then the phones. */
  readonly #tokens: readonly number[];
  readonly #options: Required<Omit<ArditOptions, 'signal' | 'voice'>>;
  readonly #signal: AbortSignal | undefined;
  readonly #stop: StopRule;
  readonly #rng: PhiloxStream;
  /** The prefill's text-token positions (length-plan.ts planText). */
  readonly #positions: Float32Array;
  #started = false;
  #outcome: ArditOutcome | undefined;

  constructor(graphs: ArditGraphs<Cache>, phoneIds: readonly number[], options: ArditOptions = {}) {
    const { info } = graphs;
    for (const id of phoneIds) {
      if (!(Number.isInteger(id) && id >= 0 && id < info.vocabSize)) {
        throw new SpeechError(
          'MODEL_FEED_INVALID',
          `ardit: phone id ${id} is outside the vocabulary 0..${info.vocabSize - 1}`,
        );
      }
    }
    const o = { ...ARDIT_DEFAULTS, stopPatience: info.stopPatience, ...definedOnly(options) };
    for (const key of ['flowSteps', 'patchesPerChunk'] as const) {
      if (!(Number.isInteger(o[key]) && o[key] >= 1)) {
        throw new SpeechError('CONFIG_INVALID', `ardit: ${key} must be a positive integer, got ${o[key]}`);
      }
    }
    if (!(Number.isFinite(o.cfgScale) && Number.isFinite(o.noiseScale) && o.noiseScale >= 0)) {
      throw new SpeechError(
        'CONFIG_INVALID',
        `ardit: bad cfgScale ${o.cfgScale} or noiseScale ${o.noiseScale}`,
      );
    }
    this.#graphs = graphs;
    this.#tokens = textTokens(info, phoneIds, options.voice);
    this.#options = o;
    this.#signal = options.signal;
    // Built (and validated) here, so bad options fail at construction, not at the first chunk.
    // Planned from the phones alone: the voice token takes no time.
    const voiceName = info.voices.length > 0 ? info.voices[options.voice ?? 0] : undefined;
    const planned = planText(
      phoneIds,
      this.#tokens.length,
      info.framesPerPhone,
      info.patchSize,
      info.durations,
      voiceName,
      info.voices.length > 0,
      o,
    );
    this.plan = planned.plan;
    this.#positions = planned.positions;
    this.#stop = new StopRule(o.stopThreshold, o.stopPatience, this.plan.minSteps);
    this.#rng = new PhiloxStream(o.seed);
  }

  readonly plan: LengthPlan;

  get outcome(): ArditOutcome | undefined {
    return this.#outcome;
  }

  [Symbol.asyncIterator](): AsyncIterator<MelChunk> {
    if (this.#started) throw new SpeechError('INTERNAL', 'ardit: a generation can be iterated only once');
    this.#started = true;
    return this.#run();
  }

  async *#run(): AsyncGenerator<MelChunk> {
    const graphs = this.#graphs;
    const { patchSize: k, numMels: m, melMean, melStd } = graphs.info;
    const o = this.#options;
    const plan = this.plan;
    const patchSize = k * m;
    const rng = this.#rng;
    const stop = this.#stop;
    const stopLogits: number[] = [];

    this.#signal?.throwIfAborted();
    let { hidden, cache } = await graphs.prefill(this.#tokens, this.#positions, 0);
    let prev: Float32Array = new Float32Array(patchSize);
    const pending = new Float32Array(o.patchesPerChunk * patchSize); // take() copies out
    let pendingPatches = 0;
    let emittedFrames = 0;
    let reason: 'stop' | 'max' = 'max';
    let step = 0;
    const take = (): MelChunk => {
      const chunk = {
        logMel: pending.slice(0, pendingPatches * patchSize),
        numFrames: pendingPatches * k,
        startFrame: emittedFrames,
      };
      emittedFrames += chunk.numFrames;
      pendingPatches = 0;
      return chunk;
    };
    for (;;) {
      this.#signal?.throwIfAborted();
      step++;
      const noise = rng.normals((step - 1) * patchSize, patchSize);
      if (o.noiseScale !== 1) for (let i = 0; i < patchSize; i++) noise[i] = o.noiseScale * noise[i]!;
      const patch = await samplePatch(graphs.velocity.bind(graphs), noise, hidden, prev, o);
      const at = pendingPatches * patchSize;
      for (let i = 0; i < patchSize; i++) {
        const bin = i % m;
        pending[at + i] = patch[i]! * melStd[bin]! + melMean[bin]!;
      }
      pendingPatches++;
      prev = patch;
      if (step >= plan.maxSteps) break;
      // Emitted before the step graph runs, so a chunk's latency excludes that call; a slow
      // consumer pauses generation (the generator is pulled, never pushed: no queue grows).
      if (pendingPatches === o.patchesPerChunk) yield take();
      this.#signal?.throwIfAborted();
      const out = await graphs.step(patch, step, cache);
      hidden = out.hidden;
      cache = out.cache;
      stopLogits.push(out.stopLogit);
      if (stop.observe(step, out.stopLogit)) {
        reason = 'stop';
        break;
      }
    }
    const outcome: ArditOutcome = { plan, steps: step, numFrames: step * k, reason, stopLogits };
    if (pendingPatches > 0) {
      const last = take();
      this.#outcome = outcome;
      yield last;
    } else {
      this.#outcome = outcome;
    }
  }
}

/** Runs a generation to the end: the whole log-mel [numFrames, numMels] and the outcome. */
export async function generateMel<Cache>(
  graphs: ArditGraphs<Cache>,
  phoneIds: readonly number[],
  options: ArditOptions = {},
): Promise<{ logMel: Float32Array; outcome: ArditOutcome }> {
  const generation = new ArditGeneration(graphs, phoneIds, options);
  const parts: Float32Array[] = [];
  for await (const chunk of generation) parts.push(chunk.logMel);
  const logMel = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    logMel.set(p, at);
    at += p.length;
  }
  return { logMel, outcome: generation.outcome! };
}

/** The voice token (multi-voice models), then the phones; mirrors config.py text_tokens. */
export function textTokens(
  info: Pick<ArditGraphs['info'], 'vocabSize' | 'voices'>,
  phoneIds: readonly number[],
  voice: number | undefined,
): number[] {
  if (info.voices.length === 0) {
    if (voice !== undefined && voice !== 0) {
      throw new SpeechError('TTS_VOICE_UNKNOWN', `ardit: this model has one voice, got voice ${voice}`);
    }
    return [...phoneIds];
  }
  const v = voice ?? 0;
  if (!(Number.isInteger(v) && v >= 0 && v < info.voices.length)) {
    throw new SpeechError('TTS_VOICE_UNKNOWN', `ardit: voice ${v} is outside 0..${info.voices.length - 1}`);
  }
  return [info.vocabSize + v, ...phoneIds];
}

function definedOnly(options: ArditOptions): Partial<Required<ArditOptions>> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options))
    if (value !== undefined && key !== 'signal' && key !== 'voice') out[key] = value;
  return out as Partial<Required<ArditOptions>>;
}
