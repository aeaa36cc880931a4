/**
 * Admission for syntheses: at most `concurrency` run at once, at most `queue` wait for a
 * slot (first come, first served), and beyond that a request is refused at once with
 * LIMIT_TOO_MANY_CONNECTIONS, which the HTTP route answers 503 with Retry-After. Nothing
 * here grows with load: the wait queue is bounded and an aborted waiter leaves it.
 */
import { SpeechError } from '../../common/errors.js';

interface Waiter {
  readonly grant: () => void;
}

export class SpeechSlots {
  #active = 0;
  /** Insertion-ordered, and an abandoned waiter is removed in O(1). */
  readonly #waiting = new Set<Waiter>();

  constructor(
    readonly concurrency: number,
    readonly queue: number,
  ) {}

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#waiting.size;
  }

  /**
   * Resolves with a release function once a slot is held. Rejects at once when the queue is
   * full, and with the signal's reason when `signal` aborts while waiting.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#active < this.concurrency) {
      this.#active++;
      return Promise.resolve(this.#releaser());
    }
    if (this.#waiting.size >= this.queue) {
      return Promise.reject(
        new SpeechError(
          'LIMIT_TOO_MANY_CONNECTIONS',
          `speech synthesis is at its limit (${this.concurrency} generating, ${this.queue} waiting); retry later`,
          { ttsConcurrency: this.concurrency, ttsQueue: this.queue },
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#waiting.delete(waiter);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.#releaser());
        },
      };
      this.#waiting.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** A release that frees its slot once, however often it is called. */
  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.values().next();
      if (next.done) {
        this.#active--;
        return;
      }
      // The slot passes straight to the next waiter: `active` does not change.
      this.#waiting.delete(next.value);
      next.value.grant();
    };
  }
}
