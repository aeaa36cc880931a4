import { SpeechError } from '../../common/errors.js';
import type { MelChunk } from '../ardit/ardit-generator.js';
import { phonePositions } from '../ardit/length-plan.js';
import { durationRow, plannedTimeline } from '../speech/token-timeline.js';
import { maskPredict, type PassOptions, type StepTrace } from './mask-predict.js';
import { PASSES_PER_PHRASE, type PhiloxKey, seedKey } from './mask-schedule.js';
import type { MaskGctGraphs, MaskGctModelInfo } from './maskgct-graphs.js';

/**
 * MaskGCT-style synthesis (CONTRACT.md "Runtime algorithm"; Python twin
 * models/py/tts/maskgct/sampler.py): per phrase, T2S mask-predict over the target's
 * semantic frames, then S2A mask-predict layer by layer (coarse to fine), then the codec
 * decoder. Phrase k > 0 is prompted by the tail of phrase k - 1 (its tokens prefix the
 * sequence and stay fixed), so consecutive phrases continue in one voice. Mel leaves phrase by
 * phrase as an async iterator of MelChunk that feeds tts/audio/vocoder-stream.ts (use
 * tts/ardit/vocode-mel.ts). All state lives in the MaskGctSynthesis object; the model is shared.
 *
 * Phone positions (CONTRACT.md "Positions"): a model with a duration table places each target
 * phone at its planned centre (the row of `voice`) and plans the length from the table; an
 * older model spreads all phones evenly over prompt + target.
 */

export interface MaskGctOptions {
  /** Sampling seed, integer in [0, 2^53). Default 0. */
  readonly seed?: number;
  /** Speaking rate: > 1 plans fewer frames. Default 1. */
  readonly speed?: number;
  /**
   * Voice name selecting the duration-table row (models with `durations`); absent or not in
   * the table: the pooled row. Ignored by models without a table.
   */
  readonly voice?: string;
  /** Fixed target frames per phrase (overrides the plan from the phones). */
  readonly numFrames?: number;
  /** Cap on a phrase's target frames. Default 1500 (30 s). */
  readonly maxFrames?: number;
  readonly t2sSteps?: number;
  readonly t2sTemperature?: number;
  readonly t2sTopK?: number;
  readonly t2sCfg?: number;
  /** Mask-predict steps per codec layer, coarse to fine. Default max(1, 8 >> q). */
  readonly s2aSteps?: readonly number[];
  readonly s2aTemperature?: number;
  readonly s2aTopK?: number;
  readonly s2aCfg?: number;
  readonly confNoise?: number;
  /** Frames of the previous phrase that prompt the next one. Default 50 (1 s). */
  readonly promptFrames?: number;
  /** Called after every mask-predict step (tests, tracing). */
  readonly onStep?: (event: StepEvent) => void;
  readonly signal?: AbortSignal;
}

export const MASKGCT_DEFAULTS = {
  seed: 0,
  speed: 1,
  maxFrames: 1500,
  t2sSteps: 12,
  t2sTemperature: 1,
  t2sTopK: 8,
  t2sCfg: 0,
  s2aTemperature: 1,
  s2aTopK: 16,
  s2aCfg: 0,
  confNoise: 1,
  promptFrames: 50,
} as const;

export interface StepEvent {
  readonly phrase: number;
  /** 't2s' or 's2a<q>'. */
  readonly pass: string;
  readonly step: number;
  readonly trace: StepTrace;
}

/** Tokens that prefix a phrase and stay fixed: a voice prompt or the previous phrase's tail. */
export interface MaskGctPrompt {
  readonly phones: readonly number[];
  /**
   * Centres of `phones` in frames from the prompt start (voice files' `phone_pos`, or a
   * continuation). Used by models with a duration table; absent: evenly over the prompt.
   */
  readonly phonePos?: Float64Array;
  /** [Tp] semantic tokens. */
  readonly sem: Int32Array;
  /** [Tp, Q] codes, frame-major. */
  readonly ac: Int32Array;
}

export interface PhraseResult {
  readonly phones: readonly number[];
  readonly numFrames: number;
  readonly sem: Int32Array;
  /** [numFrames, Q]. */
  readonly ac: Int32Array;
  /** Contract log-mel [numFrames, numMels]. */
  readonly logMel: Float32Array;
  /** Target phone centres in frames (models with a duration table). */
  readonly centres?: Float64Array;
}

/** Options with every default filled in and checked (resolveMaskGctOptions). */
export type MaskGctResolvedOptions = Required<
  Omit<MaskGctOptions, 'numFrames' | 'voice' | 'onStep' | 'signal'>
> & {
  numFrames: number | undefined;
  voice: string | undefined;
};

/** A phrase's target length and, with a duration table, where its phones sit. */
export interface PhrasePlan {
  readonly numFrames: number;
  /** Target phone centres in frames from the target's start; undefined: spread evenly. */
  readonly centres?: Float64Array;
}

export function defaultS2aSteps(layers: number): number[] {
  return Array.from({ length: layers }, (_, q) => Math.max(1, 8 >> q));
}

/** Target frames of a phrase: round(P * framesPerPhone / speed), or the fixed numFrames. */
export function planFrames(numPhones: number, framesPerPhone: number, o: MaskGctResolvedOptions): number {
  if (!(Number.isInteger(numPhones) && numPhones >= 1)) {
    throw new SpeechError(
      'MODEL_FEED_INVALID',
      `maskgct: a phrase needs at least one phone, got ${numPhones}`,
    );
  }
  const n = o.numFrames ?? Math.max(1, Math.floor((numPhones * framesPerPhone) / o.speed + 0.5));
  if (!(Number.isInteger(n) && n >= 1 && n <= o.maxFrames)) {
    throw bad(`target frames ${n} outside 1..${o.maxFrames}`);
  }
  return n;
}

/**
 * Target length and phone centres (sampler.py plan_phrase, same float64 operations). Without a
 * duration table: planFrames. With one: `centres, total` = plannedTimeline(row of voice,
 * speed); L = numFrames, or max(1, floor(total + 0.5)); with numFrames given and total > 0
 * each centre becomes (centre * L) / total.
 */
export function planPhrase(
  info: MaskGctModelInfo,
  phoneIds: readonly number[],
  o: MaskGctResolvedOptions,
): PhrasePlan {
  const table = info.durations;
  if (table === undefined) return { numFrames: planFrames(phoneIds.length, info.framesPerPhone, o) };
  if (phoneIds.length < 1) {
    throw new SpeechError('MODEL_FEED_INVALID', 'maskgct: a phrase needs at least one phone, got 0');
  }
  const { centres, total } = plannedTimeline(table, durationRow(table, o.voice), phoneIds, o.speed);
  let n: number;
  if (o.numFrames !== undefined) {
    n = o.numFrames;
    if (total > 0) for (let i = 0; i < centres.length; i++) centres[i] = (centres[i]! * n) / total;
  } else {
    n = Math.max(1, Math.floor(total + 0.5));
  }
  if (!(Number.isInteger(n) && n >= 1 && n <= o.maxFrames)) {
    throw bad(`target frames ${n} outside 1..${o.maxFrames}`);
  }
  return { numFrames: n, centres };
}

/**
 * RoPE positions of [prompt phones; target phones] (sampler.py t2s_positions). Without centres:
 * every phone evenly over prompt + target, (i + 0.5) * (Tp + L) / P. With them: prompt phones at
 * prompt.phonePos, else ((i + 0.5) * Tp) / Pp; target phone i at Tp + centres[i]. Float64, then
 * float32.
 */
export function t2sPhonePositions(prompt: MaskGctPrompt, numTarget: number, plan: PhrasePlan): Float32Array {
  const tp = prompt.sem.length;
  const pp = prompt.phones.length;
  const { centres } = plan;
  if (centres === undefined) return phonePositions(pp + numTarget, tp + plan.numFrames);
  const out = new Float32Array(pp + numTarget);
  for (let i = 0; i < pp; i++) out[i] = prompt.phonePos ? prompt.phonePos[i]! : ((i + 0.5) * tp) / pp;
  for (let i = 0; i < numTarget; i++) out[pp + i] = tp + centres[i]!;
  return out;
}

/**
 * The next phrase's prompt: the last n = min(L, maxFrames) frames, and
 * - with centres (duration table): the phones from the first whose centre >= w = L - n (at least
 *   the last one), at positions centre - w;
 * - without: the last max(1, ceil(P n / L)) phones (proportional: where they sit is not known).
 */
export function continuationPrompt(res: PhraseResult, maxFrames: number, layers: number): MaskGctPrompt {
  const length = res.numFrames;
  const n = Math.min(length, maxFrames);
  const p = res.phones.length;
  const sem = res.sem.slice(length - n);
  const ac = res.ac.slice((length - n) * layers);
  const { centres } = res;
  if (centres === undefined) {
    const keep = Math.max(1, Math.floor((p * n + length - 1) / length));
    return { phones: res.phones.slice(p - keep), sem, ac };
  }
  const w = length - n;
  let first = p - 1;
  for (let i = 0; i < p; i++) {
    if (centres[i]! >= w) {
      first = i;
      break;
    }
  }
  const phonePos = new Float64Array(p - first);
  for (let i = first; i < p; i++) phonePos[i - first] = centres[i]! - w;
  return { phones: res.phones.slice(first), sem, ac, phonePos };
}

/** Decodes one phrase after `prompt` (may be empty). */
export async function generatePhrase(
  graphs: MaskGctGraphs,
  phoneIds: readonly number[],
  prompt: MaskGctPrompt,
  o: MaskGctResolvedOptions,
  phrase: number,
  key: PhiloxKey,
  onStep?: (event: StepEvent) => void,
  signal?: AbortSignal,
): Promise<PhraseResult> {
  const { codecLayers: q } = graphs.info;
  const plan = planPhrase(graphs.info, phoneIds, o);
  const length = plan.numFrames;
  const tp = prompt.sem.length;
  const total = tp + length;
  const phones = [...prompt.phones, ...phoneIds];
  const phonePos = t2sPhonePositions(prompt, phoneIds.length, plan);
  const base = phrase * PASSES_PER_PHRASE;
  const tap = (pass: string) => (trace: StepTrace, step: number) => onStep?.({ phrase, pass, step, trace });

  const semIds = new Int32Array(total);
  semIds.set(prompt.sem);
  const semMasked = new Float32Array(total);
  const t2sPass: PassOptions = {
    steps: o.t2sSteps,
    temperature: o.t2sTemperature,
    topK: o.t2sTopK,
    cfg: o.t2sCfg,
    confNoise: o.confNoise,
  };
  const sem = await maskPredict(
    async (tokens, masked, guided) => {
      for (let r = 0; r < length; r++) {
        semIds[tp + r] = masked[r] ? 0 : tokens[r]!;
        semMasked[tp + r] = masked[r]!;
      }
      const dropPrefix = guided ? [0, phones.length + tp] : [0];
      const logits = await graphs.t2s({ phoneIds: phones, phonePos, semIds, semMasked, dropPrefix });
      return targetRows(logits, total, tp, length, graphs.info.semVocab, guided);
    },
    length,
    t2sPass,
    key,
    base,
    tap('t2s'),
    signal,
  );

  const semAll = new Int32Array(total);
  semAll.set(prompt.sem);
  semAll.set(sem, tp);
  const ac = new Int32Array(length * q);
  const acIds = new Int32Array(total * q);
  acIds.set(prompt.ac);
  const acKnown = new Float32Array(total * q);
  acKnown.fill(1, 0, tp * q);
  for (let layer = 0; layer < q; layer++) {
    const pass: PassOptions = {
      steps: o.s2aSteps[layer]!,
      temperature: o.s2aTemperature,
      topK: o.s2aTopK,
      cfg: o.s2aCfg,
      confNoise: o.confNoise,
    };
    const codes = await maskPredict(
      async (tokens, masked, guided) => {
        for (let r = 0; r < length; r++) {
          const at = (tp + r) * q;
          for (let l = 0; l < q; l++) {
            if (l < layer) {
              acIds[at + l] = ac[r * q + l]!;
              acKnown[at + l] = 1;
            } else if (l === layer) {
              acIds[at + l] = masked[r] ? 0 : tokens[r]!;
              acKnown[at + l] = masked[r] ? 0 : 1;
            } else {
              acIds[at + l] = 0;
              acKnown[at + l] = 0;
            }
          }
        }
        const dropPrefix = guided ? [0, tp] : [0];
        const logits = await graphs.s2a({ semIds: semAll, acIds, acKnown, layer, dropPrefix });
        return targetRows(logits, total, tp, length, graphs.info.codebookSize, guided);
      },
      length,
      pass,
      key,
      base + 1 + layer,
      tap(`s2a${layer}`),
      signal,
    );
    for (let r = 0; r < length; r++) ac[r * q + layer] = codes[r]!;
  }
  signal?.throwIfAborted();
  // The decoder sees the prompt's codes as left context; only the target's frames are kept.
  const all = new Int32Array(total * q);
  all.set(prompt.ac);
  all.set(ac, tp * q);
  const mel = await graphs.decode(all, total);
  const m = graphs.info.numMels;
  const logMel = mel.slice(tp * m, total * m);
  const result = { phones: [...phoneIds], numFrames: length, sem, ac, logMel };
  return plan.centres === undefined ? result : { ...result, centres: plan.centres };
}

function targetRows(
  logits: Float32Array,
  total: number,
  tp: number,
  length: number,
  vocab: number,
  guided: boolean,
): { cond: Float32Array; uncond?: Float32Array; vocab: number } {
  const rowSize = total * vocab;
  const cond = logits.subarray(tp * vocab, (tp + length) * vocab);
  if (!guided) return { cond, vocab };
  return { cond, uncond: logits.subarray(rowSize + tp * vocab, rowSize + (tp + length) * vocab), vocab };
}

export interface MaskGctSynthesisOptions extends MaskGctOptions {
  /** Voice prompt for the first phrase (tokens of a reference utterance). */
  readonly prompt?: MaskGctPrompt;
}

/**
 * One utterance as phrases. Iterate it once (for await ... of) to receive one MelChunk per
 * phrase; `results` holds each finished phrase's tokens.
 */
export class MaskGctSynthesis implements AsyncIterable<MelChunk> {
  readonly #graphs: MaskGctGraphs;
  readonly #phrases: readonly (readonly number[])[];
  readonly #options: MaskGctResolvedOptions;
  readonly #key: PhiloxKey;
  readonly #prompt: MaskGctPrompt;
  readonly #signal: AbortSignal | undefined;
  readonly #onStep: ((event: StepEvent) => void) | undefined;
  readonly #results: PhraseResult[] = [];
  #started = false;
  /** Planned target frames per phrase (validated at construction). */
  readonly frames: readonly number[];

  constructor(
    graphs: MaskGctGraphs,
    phrases: readonly (readonly number[])[],
    options: MaskGctSynthesisOptions = {},
  ) {
    const { info } = graphs;
    if (phrases.length === 0) throw new SpeechError('MODEL_FEED_INVALID', 'maskgct: no phrases to speak');
    for (const phrase of phrases) checkIds(phrase, info.vocabSize, 'phone id');
    this.#options = resolveMaskGctOptions(info, options);
    this.#key = seedKey(this.#options.seed);
    if (phrases.length * PASSES_PER_PHRASE > 0xffffffff) throw bad('too many phrases');
    this.frames = phrases.map((p) => planPhrase(info, p, this.#options).numFrames);
    this.#prompt = options.prompt ? checkPrompt(options.prompt, info) : emptyPrompt(info.codecLayers);
    this.#graphs = graphs;
    this.#phrases = phrases.map((p) => [...p]);
    this.#signal = options.signal;
    this.#onStep = options.onStep;
  }

  get results(): readonly PhraseResult[] {
    return this.#results;
  }

  [Symbol.asyncIterator](): AsyncIterator<MelChunk> {
    if (this.#started) throw new SpeechError('INTERNAL', 'maskgct: a synthesis can be iterated only once');
    this.#started = true;
    return this.#run();
  }

  async *#run(): AsyncGenerator<MelChunk> {
    let prompt = this.#prompt;
    let startFrame = 0;
    for (let k = 0; k < this.#phrases.length; k++) {
      this.#signal?.throwIfAborted();
      const res = await generatePhrase(
        this.#graphs,
        this.#phrases[k]!,
        prompt,
        this.#options,
        k,
        this.#key,
        this.#onStep,
        this.#signal,
      );
      this.#results.push(res);
      prompt = continuationPrompt(res, this.#options.promptFrames, this.#graphs.info.codecLayers);
      // Pulled, never pushed: the next phrase is decoded only when the consumer asks for it.
      yield { logMel: res.logMel, numFrames: res.numFrames, startFrame };
      startFrame += res.numFrames;
    }
  }
}

/** Runs a synthesis to the end: the whole log-mel [numFrames, numMels] and the phrases. */
export async function synthesizeMel(
  graphs: MaskGctGraphs,
  phrases: readonly (readonly number[])[],
  options: MaskGctSynthesisOptions = {},
): Promise<{ logMel: Float32Array; results: readonly PhraseResult[] }> {
  const synthesis = new MaskGctSynthesis(graphs, phrases, options);
  const parts: Float32Array[] = [];
  for await (const chunk of synthesis) parts.push(chunk.logMel);
  const logMel = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    logMel.set(p, at);
    at += p.length;
  }
  return { logMel, results: synthesis.results };
}

/** Fills in defaults and checks every option (CONFIG_INVALID). */
export function resolveMaskGctOptions(
  info: MaskGctModelInfo,
  options: MaskGctOptions,
): MaskGctResolvedOptions {
  const defined: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && key !== 'signal' && key !== 'onStep' && key !== 'prompt') defined[key] = value;
  }
  const o = {
    ...MASKGCT_DEFAULTS,
    s2aSteps: defaultS2aSteps(info.codecLayers),
    numFrames: undefined,
    voice: undefined,
    ...defined,
  } as MaskGctResolvedOptions;
  if (o.voice !== undefined && typeof o.voice !== 'string') throw bad(`voice must be a name, got ${o.voice}`);
  if (info.codecLayers >= PASSES_PER_PHRASE) throw bad(`at most ${PASSES_PER_PHRASE - 1} codec layers`);
  seedKey(o.seed);
  for (const key of ['t2sSteps', 't2sTopK', 's2aTopK', 'promptFrames', 'maxFrames'] as const) {
    if (!(Number.isInteger(o[key]) && o[key] >= 1))
      throw bad(`${key} must be a positive integer, got ${o[key]}`);
  }
  if (o.s2aSteps.length !== info.codecLayers || !o.s2aSteps.every((s) => Number.isInteger(s) && s >= 1)) {
    throw bad(`s2aSteps needs ${info.codecLayers} positive integers, got [${o.s2aSteps.join(',')}]`);
  }
  for (const key of ['t2sTemperature', 's2aTemperature', 'speed'] as const) {
    if (!(Number.isFinite(o[key]) && o[key] > 0)) throw bad(`${key} must be positive, got ${o[key]}`);
  }
  for (const key of ['t2sCfg', 's2aCfg', 'confNoise'] as const) {
    if (!Number.isFinite(o[key])) throw bad(`${key} must be finite, got ${o[key]}`);
  }
  if (o.confNoise < 0) throw bad(`confNoise must be >= 0, got ${o.confNoise}`);
  return o;
}

function checkIds(ids: readonly number[], size: number, what: string): void {
  if (ids.length === 0) throw new SpeechError('MODEL_FEED_INVALID', `maskgct: an empty phrase`);
  for (const id of ids) {
    if (!(Number.isInteger(id) && id >= 0 && id < size)) {
      throw new SpeechError('MODEL_FEED_INVALID', `maskgct: ${what} ${id} is outside 0..${size - 1}`);
    }
  }
}

function checkPrompt(prompt: MaskGctPrompt, info: MaskGctModelInfo): MaskGctPrompt {
  const tp = prompt.sem.length;
  const invalid = (why: string) => new SpeechError('MODEL_FEED_INVALID', `maskgct: prompt ${why}`);
  if (tp < 1 || prompt.phones.length < 1) throw invalid('needs at least one phone and one frame');
  if (prompt.ac.length !== tp * info.codecLayers) {
    throw invalid(`has ${tp} frames, so ${tp * info.codecLayers} codes, got ${prompt.ac.length}`);
  }
  checkIds(prompt.phones, info.vocabSize, 'prompt phone id');
  if (prompt.sem.some((v) => v < 0 || v >= info.semVocab))
    throw invalid(`semantic token outside 0..${info.semVocab - 1}`);
  if (prompt.ac.some((v) => v < 0 || v >= info.codebookSize))
    throw invalid(`code outside 0..${info.codebookSize - 1}`);
  const copy = { phones: [...prompt.phones], sem: prompt.sem.slice(), ac: prompt.ac.slice() };
  if (prompt.phonePos === undefined) return copy;
  if (prompt.phonePos.length !== prompt.phones.length || !prompt.phonePos.every(Number.isFinite)) {
    throw invalid(`phonePos needs ${prompt.phones.length} finite positions, got ${prompt.phonePos.length}`);
  }
  return { ...copy, phonePos: Float64Array.from(prompt.phonePos) };
}

function emptyPrompt(layers: number): MaskGctPrompt {
  return { phones: [], sem: new Int32Array(0), ac: new Int32Array(0 * layers) };
}

function bad(message: string): SpeechError {
  return new SpeechError('CONFIG_INVALID', `maskgct: ${message}`);
}
