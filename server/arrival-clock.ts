/**
 * Remembers when each stretch of a session's audio arrived, so a result covering audio
 * up to t seconds can be timed from the moment that audio reached the server. Bounded:
 * only the most recent arrivals are kept (latency is measured on fresh audio).
 */
export class ArrivalClock {
  readonly #ends: Float64Array;
  readonly #times: Float64Array;
  #count = 0;
  #totalSeconds = 0;

  constructor(capacity = 1024) {
    this.#ends = new Float64Array(capacity);
    this.#times = new Float64Array(capacity);
  }

  /** `seconds` of audio arrived at `now` (ms). */
  record(seconds: number, now: number): void {
    this.#totalSeconds += seconds;
    const i = this.#count % this.#ends.length;
    this.#ends[i] = this.#totalSeconds;
    this.#times[i] = now;
    this.#count++;
  }

  /** Arrival time (ms) of the audio that contains second `t`; undefined when t is beyond what arrived. */
  arrivalOf(t: number): number | undefined {
    const cap = this.#ends.length;
    const n = Math.min(this.#count, cap);
    for (let k = n; k >= 1; k--) {
      const i = (this.#count - k) % cap;
      if (this.#ends[i]! >= t) return this.#times[i];
    }
    return undefined;
  }
}
