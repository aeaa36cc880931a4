/**
 * Reusable input buffers for model runs, so a steady stream of same-sized calls does not
 * allocate a new typed array per input per call. A buffer is lent to one run at a time:
 * onnxruntime-node runs a session on a later tick, so two overlapping calls must not
 * share one; a second borrower while it is out gets a fresh array instead. Grow-only,
 * at the high-water mark of the batches seen.
 */
type Typed = Float32Array | Int32Array | BigInt64Array;

export class Scratch<T extends Typed> {
  #data: T;
  #lent = false;

  constructor(private readonly make: (length: number) => T) {
    this.#data = make(0);
  }

  /** A view of `length` elements, not cleared: the caller writes every element it feeds. */
  take(length: number): T {
    if (this.#lent) return this.make(length);
    if (this.#data.length < length) this.#data = this.make(Math.max(length, 2 * this.#data.length));
    this.#lent = true;
    return this.#data.subarray(0, length) as T;
  }

  /** Returns a view from `take` once the run that read it has finished. */
  give(view: T): void {
    if (view.buffer === this.#data.buffer) this.#lent = false;
  }

  /** Elements held (for memory figures). */
  get capacity(): number {
    return this.#data.length;
  }
}

export const float32Scratch = (): Scratch<Float32Array> => new Scratch((n) => new Float32Array(n));
export const int32Scratch = (): Scratch<Int32Array> => new Scratch((n) => new Int32Array(n));
export const int64Scratch = (): Scratch<BigInt64Array> => new Scratch((n) => new BigInt64Array(n));
