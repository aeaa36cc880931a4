import { SpeechError } from '../../common/errors.js';

/**
 * Feature frames with absolute indices and a discardable head (what knf's
 * RecyclingVector should have been: sherpa keeps every frame of a stream forever).
 * Frames are contiguous rows of one Float32Array, compacted in place when full, so a
 * run of frames can be handed out as a view without copying.
 */
export class FrameBuffer {
  readonly dim: number;
  private data: Float32Array;
  private head = 0;
  private count = 0;
  private first = 0;

  constructor(dim: number, initialFrames = 128) {
    this.dim = dim;
    this.data = new Float32Array(Math.max(1, initialFrames) * dim);
  }

  /** Absolute index of the oldest frame still held. */
  get firstIndex(): number {
    return this.first;
  }

  /** Absolute index one past the newest frame (= frames produced so far). */
  get endIndex(): number {
    return this.first + this.count;
  }

  get retained(): number {
    return this.count;
  }

  /** Frames the storage can hold before it must compact or grow. */
  get capacity(): number {
    return this.data.length / this.dim;
  }

  /**
   * Appends one frame and returns [storage, offset] to write its `dim` values at.
   * The storage array may change on every call; write immediately.
   */
  push(): { data: Float32Array; offset: number } {
    const dim = this.dim;
    const capacity = this.data.length / dim;
    if (this.head + this.count >= capacity) {
      if (this.count < capacity) {
        this.data.copyWithin(0, this.head * dim, (this.head + this.count) * dim);
      } else {
        const grown = new Float32Array(2 * this.data.length);
        grown.set(this.data.subarray(this.head * dim, (this.head + this.count) * dim));
        this.data = grown;
      }
      this.head = 0;
    }
    const offset = (this.head + this.count) * dim;
    this.count++;
    return { data: this.data, offset };
  }

  /** Frames [start, start + n) as one view; valid until the next push or discard. */
  frames(start: number, n = 1): Float32Array {
    this.check(start, n);
    const begin = (this.head + start - this.first) * this.dim;
    return this.data.subarray(begin, begin + n * this.dim);
  }

  /** Copies frames [start, start + n) into dst at dstOffset (in floats). */
  copyFrames(start: number, n: number, dst: Float32Array, dstOffset = 0): void {
    dst.set(this.frames(start, n), dstOffset);
  }

  /** Forgets frames with index < `index`; their indices are never reused. */
  discardBefore(index: number): void {
    const drop = Math.min(this.count, index - this.first);
    if (drop <= 0) return;
    this.head += drop;
    this.count -= drop;
    this.first += drop;
    if (this.count === 0) this.head = 0;
  }

  reset(): void {
    this.head = 0;
    this.count = 0;
    this.first = 0;
  }

  private check(start: number, n: number): void {
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(n) ||
      n < 0 ||
      start < this.first ||
      start + n > this.endIndex
    ) {
      throw new SpeechError(
        'INTERNAL',
        `frames [${start}, ${start + n}) requested; held are [${this.first}, ${this.endIndex})` +
          (start < this.first ? ' (the earlier ones were discarded)' : ''),
        { start, count: n, firstIndex: this.first, endIndex: this.endIndex },
      );
    }
  }
}
