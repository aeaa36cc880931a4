/**
 * The tail of an endless sample stream: samples keep absolute indices while the
 * consumed head is dropped. Storage is one Float32Array that is compacted in place
 * (or grown when a chunk is bigger than the free space), so memory stays at the high
 * water mark of (retained + largest chunk) for the life of the stream.
 */
export class SampleBuffer {
  private data: Float32Array;
  private head = 0;
  private size = 0;
  private offset = 0;

  constructor(initialCapacity = 4096) {
    this.data = new Float32Array(Math.max(1, initialCapacity));
  }

  /** Absolute index of the first retained sample. */
  get start(): number {
    return this.offset;
  }

  /** Absolute index one past the last sample received (the stream length so far). */
  get end(): number {
    return this.offset + this.size;
  }

  get retained(): number {
    return this.size;
  }

  get capacity(): number {
    return this.data.length;
  }

  /** The retained samples; `view[0]` is sample `start`. Invalidated by append/discard. */
  get view(): Float32Array {
    return this.data.subarray(this.head, this.head + this.size);
  }

  append(samples: Float32Array): void {
    const n = samples.length;
    if (n === 0) return;
    if (this.head + this.size + n > this.data.length) {
      if (this.size + n <= this.data.length) {
        this.data.copyWithin(0, this.head, this.head + this.size);
      } else {
        const grown = new Float32Array(Math.max(2 * this.data.length, this.size + n));
        grown.set(this.data.subarray(this.head, this.head + this.size));
        this.data = grown;
      }
      this.head = 0;
    }
    this.data.set(samples, this.head + this.size);
    this.size += n;
  }

  /** Drops samples with absolute index < `index` (no-op for indices already dropped). */
  discardBefore(index: number): void {
    const drop = Math.min(this.size, index - this.offset);
    if (drop <= 0) return;
    this.head += drop;
    this.size -= drop;
    this.offset += drop;
    if (this.size === 0) this.head = 0;
  }

  reset(): void {
    this.head = 0;
    this.size = 0;
    this.offset = 0;
  }
}
