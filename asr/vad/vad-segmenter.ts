/**
 * Speech segments from per-window speech probabilities: sherpa-onnx's algorithm
 * (silero-vad-model.cc `IsSpeech` and voice-activity-detector.cc `AcceptWaveform`),
 * replicated decision for decision, with sherpa's float32 parameters and integer sample
 * counters, so segment boundaries are the same samples sherpa reports when it is fed one
 * window (512 samples at 16 kHz) per call, as its examples do. Fed larger chunks, sherpa
 * ORs the windows of one call into one decision and can end a segment a few windows
 * later; this segmenter decides per window whatever the chunking, so it is chunk-invariant.
 *
 * The rules (defaults are sherpa's):
 * - speech starts once probabilities stay above `threshold` for `minSpeechSeconds`; the
 *   segment then begins 2 model inputs + min speech before the window that confirmed it;
 * - speech stays on while the probability is above threshold - 0.15, and ends after
 *   `minSilenceSeconds` below threshold; the segment ends min silence before that window;
 * - once more than `maxSpeechSeconds` of audio is buffered (a long segment), the
 *   threshold rises to 0.9 and min silence drops to 0.1 s, so it ends at the next pause.
 *   Like sherpa, this does not cut: `hardMaxSeconds` (not in sherpa, off by default) does,
 *   for callers that need a bound on segment length.
 *
 * Pure: no model, no audio; positions are sample indices at `sampleRate` since the start.
 */

export interface SpeechSegment {
  /** First sample of the segment. */
  readonly start: number;
  /** One past the last sample. */
  readonly end: number;
}

export interface VadSegmenterOptions {
  readonly sampleRate?: number;
  /** New samples per window (sherpa's window_size): 512 at 16 kHz. */
  readonly windowSamples?: number;
  /** Context samples per model input (64 for Silero v5 at 16 kHz). */
  readonly contextSamples?: number;
  readonly threshold?: number;
  readonly minSilenceSeconds?: number;
  readonly minSpeechSeconds?: number;
  readonly maxSpeechSeconds?: number;
  /** Cut an open segment once it is this long (not sherpa; default: never). */
  readonly hardMaxSeconds?: number;
}

/** sherpa-onnx's VadModelConfig defaults for Silero. */
export const sherpaVadDefaults = {
  sampleRate: 16000,
  windowSamples: 512,
  contextSamples: 64,
  threshold: 0.5,
  minSilenceSeconds: 0.5,
  minSpeechSeconds: 0.25,
  maxSpeechSeconds: 20,
} as const;

// What sherpa switches to once a segment runs past max speech (voice-activity-detector.cc).
const LONG_MIN_SILENCE_SECONDS = 0.1;
const LONG_THRESHOLD = 0.9;

/** `(int32_t)(sample_rate * seconds)` with sherpa's float32 arithmetic. */
function samplesOf(sampleRate: number, seconds: number): number {
  return Math.trunc(Math.fround(Math.fround(sampleRate) * Math.fround(seconds)));
}

export class VadSegmenter {
  readonly sampleRate: number;
  readonly windowSamples: number;
  readonly #modelInput: number;
  readonly #threshold: number;
  readonly #minSilence: number;
  readonly #minSpeech: number;
  readonly #maxUtterance: number;
  readonly #longMinSilence: number;
  readonly #longThreshold = Math.fround(LONG_THRESHOLD);
  readonly #hardMax: number | undefined;

  // IsSpeech state (silero-vad-model.cc)
  #triggered = false;
  #current = 0;
  #tempStart = 0;
  #tempEnd = 0;
  // AcceptWaveform state: the circular buffer's head and tail, and the open segment.
  #head = 0;
  #tail = 0;
  #start = -1;

  constructor(options: VadSegmenterOptions = {}) {
    const o = { ...sherpaVadDefaults, ...options };
    this.sampleRate = o.sampleRate;
    this.windowSamples = o.windowSamples;
    this.#modelInput = o.windowSamples + o.contextSamples;
    this.#threshold = Math.fround(o.threshold);
    this.#minSilence = samplesOf(o.sampleRate, o.minSilenceSeconds);
    this.#minSpeech = samplesOf(o.sampleRate, o.minSpeechSeconds);
    this.#maxUtterance = samplesOf(o.sampleRate, o.maxSpeechSeconds);
    this.#longMinSilence = samplesOf(o.sampleRate, LONG_MIN_SILENCE_SECONDS);
    this.#hardMax = o.hardMaxSeconds === undefined ? undefined : Math.round(o.hardMaxSeconds * o.sampleRate);
  }

  /** Samples accounted for by the windows pushed so far. */
  get tail(): number {
    return this.#tail;
  }

  /** The oldest sample still needed: audio before it can be dropped. */
  get head(): number {
    return this.#head;
  }

  /** Start of the segment in progress, or undefined when no speech is detected now. */
  get speechStart(): number | undefined {
    return this.#start === -1 ? undefined : this.#start;
  }

  /** The probability of the next window; returns the segment this window completed, if any. */
  pushProbability(probability: number): SpeechSegment | undefined {
    const long = this.#tail - this.#head > this.#maxUtterance;
    const minSilence = long ? this.#longMinSilence : this.#minSilence;
    const threshold = long ? this.#longThreshold : this.#threshold;
    this.#tail += this.windowSamples;
    const speech = this.isSpeech(Math.fround(probability), threshold, minSilence);
    const lead = 2 * this.#modelInput + this.#minSpeech;
    let done: SpeechSegment | undefined;
    if (speech) {
      if (this.#start === -1) this.#start = Math.max(this.#tail - lead, this.#head);
      // Cut before the next window would make the segment longer than the cap.
      if (this.#hardMax !== undefined && this.#tail + this.windowSamples - this.#start > this.#hardMax) {
        done = { start: this.#start, end: this.#tail };
        this.#start = this.#tail;
        this.#head = this.#tail;
      }
    } else {
      if (this.#start !== -1 && this.#tail > this.#head) {
        const end = this.#tail - minSilence;
        done = { start: this.#start, end };
        this.#head = end;
      }
      if (this.#start === -1) this.#head = Math.max(this.#head, this.#tail - lead);
      this.#start = -1;
    }
    return done;
  }

  /** End of input: the segment in progress, up to the last window, if any. */
  flush(): SpeechSegment | undefined {
    if (this.#start === -1 || this.#tail <= this.#head) return undefined;
    const end = this.#tail;
    if (end <= this.#start) return undefined;
    const segment = { start: this.#start, end };
    this.#head = end;
    this.#start = -1;
    return segment;
  }

  reset(): void {
    this.#triggered = false;
    this.#current = 0;
    this.#tempStart = 0;
    this.#tempEnd = 0;
    this.#head = 0;
    this.#tail = 0;
    this.#start = -1;
  }

  /** sherpa's SileroVadModel::IsSpeech, branch for branch (including its order). */
  private isSpeech(p: number, threshold: number, minSilence: number): boolean {
    this.#current += this.windowSamples;
    if (p > threshold && this.#tempEnd !== 0) this.#tempEnd = 0;
    if (p > threshold && this.#tempStart === 0) {
      // start speaking, but it must last min speech
      this.#tempStart = this.#current;
      return false;
    }
    if (p > threshold && this.#tempStart !== 0 && !this.#triggered) {
      if (this.#current - this.#tempStart < this.#minSpeech) return false;
      this.#triggered = true;
      return true;
    }
    if (p < threshold && !this.#triggered) {
      this.#tempStart = 0;
      this.#tempEnd = 0;
      return false;
    }
    // threshold is a float, 0.15 a double: sherpa compares in double.
    if (p > threshold - 0.15 && this.#triggered) return true;
    if (p < threshold && this.#triggered) {
      if (this.#tempEnd === 0) this.#tempEnd = this.#current;
      if (this.#current - this.#tempEnd < minSilence) return true;
      this.#tempStart = 0;
      this.#tempEnd = 0;
      this.#triggered = false;
      return false;
    }
    return false;
  }
}
