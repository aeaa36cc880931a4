/**
 * One synthesis as the main thread sees it: an async iterator of mono float chunks at the
 * model's rate. Taking a chunk acknowledges it to the worker, which is what lets the
 * worker make the next one (tts-protocol.ts), so the consumer's pace is the generation's
 * pace. At most the credit's worth of chunks is ever held here.
 */
import { SpeechError } from '../../common/errors.js';
import type { TtsJob, TtsModelInfo, TtsOutcome } from './tts-protocol.js';

/** How a synthesis ended, for metrics, logs and tests. */
export interface SpeechReport extends TtsOutcome {
  readonly id: number;
  readonly model: string;
  readonly voice: string;
}

/** What a stream needs of the client that made it. */
export interface SpeechStreamLink {
  ack(id: number, n: number): void;
  cancel(id: number): void;
}

type Pending = {
  resolve(result: IteratorResult<Float32Array>): void;
  reject(error: unknown): void;
};

export class SpeechStream implements AsyncIterable<Float32Array> {
  /** Bounded by the credit: the worker never sends more than that unacknowledged. */
  readonly #held: Float32Array[] = [];
  #pending: Pending | undefined;
  #ended = false;
  #error: unknown;
  #cancelled = false;
  #resolveFinished: (report: SpeechReport) => void = () => {};
  /** Resolves when the worker holds nothing more for this request (done, cancelled or failed). */
  readonly finished: Promise<SpeechReport>;
  /** Samples handed to the consumer. */
  samplesTaken = 0;

  constructor(
    private readonly link: SpeechStreamLink,
    readonly id: number,
    readonly job: TtsJob,
    readonly model: TtsModelInfo,
  ) {
    this.finished = new Promise((resolve) => {
      this.#resolveFinished = resolve;
    });
  }

  get sampleRate(): number {
    return this.model.sampleRate;
  }

  /** True once the worker has ended the request. */
  get ended(): boolean {
    return this.#ended;
  }

  next(): Promise<IteratorResult<Float32Array>> {
    if (this.#pending !== undefined) {
      return Promise.reject(
        new SpeechError('INTERNAL', 'SpeechStream.next() called while a call is pending'),
      );
    }
    const chunk = this.#held.shift();
    if (chunk !== undefined) return Promise.resolve(this.#take(chunk));
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<Float32Array> {
    return {
      next: () => this.next(),
      // A consumer leaving its loop early does not want the rest made.
      return: async () => {
        this.cancel();
        return { done: true, value: undefined };
      },
    };
  }

  /**
   * Stops the synthesis (the worker stops before its next model call). A pending or later
   * next() rejects with `reason`. Idempotent; nothing happens once the worker has ended it.
   */
  cancel(reason: unknown = new SpeechError('INTERNAL', 'the synthesis was cancelled')): void {
    if (this.#cancelled || this.#ended) return;
    this.#cancelled = true;
    this.#held.length = 0;
    this.#error ??= reason;
    this.link.cancel(this.id);
    this.#settlePending();
  }

  /** @internal A chunk from the worker. */
  deliverAudio(samples: Float32Array): void {
    if (this.#cancelled) return;
    const pending = this.#pending;
    if (pending !== undefined) {
      this.#pending = undefined;
      pending.resolve(this.#take(samples));
    } else {
      this.#held.push(samples);
    }
  }

  /** @internal The worker's last word on the request. */
  deliverEnd(report: SpeechReport, error: SpeechError | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    if (error !== undefined) this.#error ??= error;
    this.#settlePending();
    this.#resolveFinished(report);
  }

  #take(samples: Float32Array): IteratorResult<Float32Array> {
    this.samplesTaken += samples.length;
    if (!this.#ended) this.link.ack(this.id, 1);
    return { done: false, value: samples };
  }

  #settlePending(): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    // Chunks still held are taken before an end or an error is seen.
    if (this.#held.length > 0 && !this.#cancelled) return;
    this.#pending = undefined;
    if (this.#error !== undefined) pending.reject(this.#error);
    else pending.resolve({ done: true, value: undefined });
  }
}
