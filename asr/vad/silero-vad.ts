/**
 * Per-stream Silero VAD state: the LSTM state and the window being filled, in buffers
 * allocated once. Audio goes in as chunks of any size; out comes one speech probability
 * per window (32 ms at 16 kHz).
 *
 * Windows follow sherpa-onnx (voice-activity-detector.cc): window k is the model input
 * samples [k*W, k*W + C + W) of the stream (W = 512 new samples, C = 64 of context at
 * 16 kHz), i.e. each call sees the previous window's last C samples before its own W,
 * and the first call's context is the stream's own first C samples. Window k therefore
 * needs C + (k+1)*W samples, and accounts for the samples [k*W, (k+1)*W).
 * Chunking never changes the probabilities.
 */
import { SILERO_STATE_SIZE, type SileroVadModel } from '../../models/vad/silero-vad-model.js';

export class SileroVad {
  readonly #model: SileroVadModel;
  readonly #input: Float32Array;
  readonly #state = new Float32Array(SILERO_STATE_SIZE);
  #filled = 0;
  #windows = 0;

  constructor(model: SileroVadModel) {
    this.#model = model;
    this.#input = new Float32Array(model.contextSamples + model.windowSamples);
  }

  get sampleRate(): number {
    return this.#model.sampleRate;
  }

  /** New samples per window (W). */
  get windowSamples(): number {
    return this.#model.windowSamples;
  }

  /** Samples of context before each window (C). */
  get contextSamples(): number {
    return this.#model.contextSamples;
  }

  /** Windows scored since the start (or the last reset). */
  get windows(): number {
    return this.#windows;
  }

  /**
   * Mono float32 at `sampleRate`. Returns the probability of every window completed by
   * these samples, in order (often none for a short chunk, several for a long one).
   */
  async acceptAudio(samples: Float32Array): Promise<number[]> {
    const probabilities: number[] = [];
    const input = this.#input;
    const size = input.length;
    const shift = this.#model.windowSamples;
    let at = 0;
    while (at < samples.length) {
      const n = Math.min(size - this.#filled, samples.length - at);
      input.set(samples.subarray(at, at + n), this.#filled);
      this.#filled += n;
      at += n;
      if (this.#filled < size) break;
      probabilities.push(await this.#model.run(input, this.#state));
      this.#windows++;
      // The next window starts W samples later: keep its first C samples.
      input.copyWithin(0, shift, size);
      this.#filled = size - shift;
    }
    return probabilities;
  }

  /** Forgets the stream: state to zero, no pending samples. */
  reset(): void {
    this.#state.fill(0);
    this.#input.fill(0);
    this.#filled = 0;
    this.#windows = 0;
  }
}
