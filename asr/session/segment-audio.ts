/**
 * The recent audio of one stream, kept so the second pass can re-decode a segment once
 * it ends. A ring buffer of fixed capacity: memory does not grow with session length,
 * and a segment longer than the capacity is re-decoded from its most recent part only
 * (the endpoint rule capping utterance length keeps segments well below it by default).
 */
export class SegmentAudio {
  readonly #ring: Float32Array;
  /** Absolute index (since the stream started) of the next sample to be written. */
  #written = 0;

  constructor(capacitySamples: number) {
    this.#ring = new Float32Array(Math.max(1, Math.floor(capacitySamples)));
  }

  get capacity(): number {
    return this.#ring.length;
  }

  /** Samples accepted since the stream started. */
  get written(): number {
    return this.#written;
  }

  /** The oldest absolute sample index still held. */
  get oldest(): number {
    return Math.max(0, this.#written - this.#ring.length);
  }

  push(samples: Float32Array): void {
    const cap = this.#ring.length;
    let src = samples;
    if (src.length > cap) src = src.subarray(src.length - cap);
    const skipped = samples.length - src.length;
    let at = (this.#written + skipped) % cap;
    const first = Math.min(src.length, cap - at);
    this.#ring.set(src.subarray(0, first), at);
    if (first < src.length) this.#ring.set(src.subarray(first), 0);
    at = (at + src.length) % cap;
    this.#written += samples.length;
  }

  /** A copy of absolute samples [start, end), clipped to what is still held. */
  slice(start: number, end: number): Float32Array {
    const from = Math.max(this.oldest, Math.floor(start));
    const to = Math.min(this.#written, Math.floor(end));
    if (to <= from) return new Float32Array(0);
    const cap = this.#ring.length;
    const out = new Float32Array(to - from);
    const a = from % cap;
    const first = Math.min(out.length, cap - a);
    out.set(this.#ring.subarray(a, a + first), 0);
    if (first < out.length) out.set(this.#ring.subarray(0, out.length - first), first);
    return out;
  }
}
