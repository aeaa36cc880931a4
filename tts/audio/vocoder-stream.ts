import { SpeechError } from '../../common/errors.js';

/**
 * What a streaming vocoder needs of a mel-to-audio model (models/tts/vocoder-model.ts):
 * whole-window synthesis plus its dependency geometry. Output block t (samples
 * [hop·t, hop·t + hop)) must depend only on mel frames t - 1 - receptiveLeftFrames ..
 * t + lookaheadFrames: causal convolutions for the spectrum of each frame, then an
 * overlap-add in which block t sees frames t - 1 .. t + lookaheadFrames.
 */
export interface MelVocoder {
  readonly hopLength: number;
  readonly numMels: number;
  readonly receptiveLeftFrames: number;
  readonly lookaheadFrames: number;
  /** Audio [numFrames · hopLength] of a frame-major log-mel [numFrames, numMels]. */
  synthesize(logMel: Float32Array, numFrames: number): Promise<Float32Array>;
}

export interface VocoderStreamOptions {
  /**
   * New frames synthesised per model call at most: a long push is cut into runs of this
   * many, so one call's input stays bounded. Default 256 (about 5 s of audio).
   */
  readonly maxFramesPerRun?: number;
}

/**
 * Streaming synthesis over a shared MelVocoder. Mel frames arrive in chunks of any size;
 * each `push` returns the audio that no later frame can change (all blocks up to
 * `lookaheadFrames` before the newest frame), and `flush` returns the rest at the end of
 * the utterance. Each run re-feeds the `1 + receptiveLeftFrames` frames of context the
 * first new block needs and keeps only the samples whose dependencies were all inside the
 * run, so the concatenated output equals whole-utterance synthesis up to float rounding
 * (test/unit/tts-audio/vocoder-stream.test.ts). Memory is bounded by the context plus one
 * run. Calls are serialised: a push made before the previous one resolved waits its turn.
 */
export class VocoderStream {
  readonly #vocoder: MelVocoder;
  readonly #maxRun: number;
  readonly #context: number;
  /** Frames [#bufferStart, #received) kept, frame-major. */
  #buffer: Float32Array;
  #bufferStart = 0;
  #received = 0;
  /** Blocks (hop-sized sample runs) already returned. */
  #emitted = 0;
  #finished = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(vocoder: MelVocoder, options: VocoderStreamOptions = {}) {
    const maxRun = options.maxFramesPerRun ?? 256;
    if (!(Number.isInteger(maxRun) && maxRun >= 1)) {
      throw new SpeechError('CONFIG_INVALID', `maxFramesPerRun must be a positive integer, got ${maxRun}`);
    }
    this.#vocoder = vocoder;
    this.#maxRun = maxRun;
    this.#context = 1 + vocoder.receptiveLeftFrames;
    this.#buffer = new Float32Array((this.#context + vocoder.lookaheadFrames + maxRun) * vocoder.numMels);
  }

  /** Frames received so far. */
  get framesReceived(): number {
    return this.#received;
  }

  /** Samples returned so far. */
  get samplesEmitted(): number {
    return this.#emitted * this.#vocoder.hopLength;
  }

  /** Frames held for context and look-ahead (bounded, whatever the utterance length). */
  get framesBuffered(): number {
    return this.#received - this.#bufferStart;
  }

  /**
   * Adds frame-major log-mel frames (a multiple of numMels values) and resolves to the
   * audio that became final, possibly empty.
   */
  push(frames: Float32Array): Promise<Float32Array> {
    const { numMels } = this.#vocoder;
    if (frames.length % numMels !== 0) {
      return Promise.reject(
        new SpeechError(
          'MODEL_FEED_INVALID',
          `vocoder stream: ${frames.length} values is not a whole number of ${numMels}-mel frames`,
        ),
      );
    }
    if (this.#finished) {
      return Promise.reject(
        new SpeechError('INTERNAL', 'vocoder stream: push() after flush(); call reset()'),
      );
    }
    const copy = frames.slice();
    return this.#serialise(() => this.#push(copy));
  }

  /** Ends the utterance: resolves to the remaining audio. Further pushes need reset(). */
  flush(): Promise<Float32Array> {
    this.#finished = true;
    return this.#serialise(() => this.#synthesizeUpTo(this.#received, true));
  }

  /** Starts a new utterance (waits for calls in flight). */
  async reset(): Promise<void> {
    this.#finished = false;
    await this.#serialise(async () => {
      this.#bufferStart = 0;
      this.#received = 0;
      this.#emitted = 0;
    });
  }

  #serialise<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #push(frames: Float32Array): Promise<Float32Array> {
    const { numMels, lookaheadFrames } = this.#vocoder;
    const parts: Float32Array[] = [];
    for (let at = 0; at < frames.length; at += this.#maxRun * numMels) {
      const piece = frames.subarray(at, Math.min(frames.length, at + this.#maxRun * numMels));
      this.#append(piece);
      parts.push(await this.#synthesizeUpTo(this.#received - lookaheadFrames, false));
    }
    return concat(parts);
  }

  /** Emits blocks [#emitted, upTo) from one run over their dependencies, then trims the buffer. */
  async #synthesizeUpTo(upTo: number, final: boolean): Promise<Float32Array> {
    const { hopLength, numMels } = this.#vocoder;
    if (upTo <= this.#emitted) return new Float32Array(0);
    const start = Math.max(0, this.#emitted - this.#context);
    const end = final ? this.#received : Math.min(this.#received, upTo + this.#vocoder.lookaheadFrames);
    const from = (start - this.#bufferStart) * numMels;
    const window = this.#buffer.subarray(from, from + (end - start) * numMels);
    const audio = await this.#vocoder.synthesize(window, end - start);
    const out = audio.slice((this.#emitted - start) * hopLength, (upTo - start) * hopLength);
    this.#emitted = upTo;
    this.#dropBefore(Math.max(0, upTo - this.#context));
    return out;
  }

  #append(frames: Float32Array): void {
    const { numMels } = this.#vocoder;
    const held = (this.#received - this.#bufferStart) * numMels;
    if (held + frames.length > this.#buffer.length) {
      // Cannot happen with runs of at most maxFramesPerRun; kept as a guard against misuse.
      const grown = new Float32Array(held + frames.length);
      grown.set(this.#buffer.subarray(0, held));
      this.#buffer = grown;
    }
    this.#buffer.set(frames, held);
    this.#received += frames.length / numMels;
  }

  #dropBefore(frame: number): void {
    if (frame <= this.#bufferStart) return;
    const { numMels } = this.#vocoder;
    const drop = (frame - this.#bufferStart) * numMels;
    this.#buffer.copyWithin(0, drop, (this.#received - this.#bufferStart) * numMels);
    this.#bufferStart = frame;
  }
}

function concat(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
