/**
 * One stream's NeMo encoder caches (contract 2.1.4), and the batches that hold them.
 *
 * A stream's cache is either zero (a new stream or segment) or one row of the cache
 * tensors a batched encoder run returned: a `ResidentBatch`, kept where the run put
 * them (host memory on CPU, GPU buffers under WebGPU). Why: a batched call needs every
 * stream's caches side by side in one tensor and returns the next ones the same way, so
 * copying them out to each stream after a run and back in before the next costs two
 * copies of every cache per step (and on a GPU a round trip through host memory). Kept
 * in place, a call made of exactly the streams of an earlier one, in any order (steady
 * streaming, one stream alone), is fed those tensors back as they are: no copy,
 * nothing leaves the device. Any other batch gathers each stream's row into its input
 * (one download per source batch on a GPU): one copy instead of two.
 *
 * Bounds: a batch lives while a stream's cache is one of its rows; a stream that resets,
 * closes or moves to another batch lets go of its row, and when half of a batch's rows
 * or more have gone, the rest are copied into a batch of their own size
 * (`needsCompaction`), so memory stays within twice the live streams' caches.
 */
import { SpeechError } from '../../common/errors.js';
import { disposeTensor, float32Data, float32Tensor, type ModelTensor } from '../runtime/tensor.js';

/** Host copies of a batch's caches, one download however many rows are read. */
export interface HostRows {
  readonly channel: Float32Array;
  readonly time: Float32Array;
}

export type DownloadFloat32 = (tensor: ModelTensor) => Promise<Float32Array>;

export class ResidentBatch {
  readonly #members: readonly NemoEncoderCache[];
  #held = 0;
  #pins = 0;
  #disposed = false;
  #host: Promise<HostRows> | undefined;

  constructor(
    /** [B, layers, channelCacheFrames, dModel], as the run returned it. */
    readonly channel: ModelTensor,
    /** [B, layers, dModel, timeCacheFrames]. */
    readonly time: ModelTensor,
    members: readonly NemoEncoderCache[],
    private readonly download: DownloadFloat32,
  ) {
    this.#members = [...members];
    this.#members.forEach((cache, row) => {
      cache.settle(this, row);
    });
  }

  get size(): number {
    return this.#members.length;
  }

  /** Rows still held by their streams. */
  get held(): number {
    return this.#held;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Floats of one row of the channel and time caches. */
  get rowSizes(): { readonly channel: number; readonly time: number } {
    const per = (t: ModelTensor) => t.dims.slice(1).reduce((a, b) => a * b, 1);
    return { channel: per(this.channel), time: per(this.time) };
  }

  /**
   * Every row here is held, by exactly these caches (in any order): the tensors can be
   * fed back as they are, each stream's input at its row.
   */
  holdsAll(caches: readonly NemoEncoderCache[]): boolean {
    if (this.#disposed || caches.length !== this.#members.length || this.#held !== caches.length) {
      return false;
    }
    const rows = new Set<number>();
    for (const c of caches) {
      if (c.home !== this) return false;
      rows.add(c.row);
    }
    return rows.size === caches.length; // the same cache twice is not a batch of distinct streams
  }

  /** Half or more of the rows let go: the rest should move to a batch of their own size. */
  get needsCompaction(): boolean {
    return this.#held > 0 && this.#held * 2 <= this.#members.length;
  }

  /** Streams still holding a row here, in row order. */
  holders(): NemoEncoderCache[] {
    return this.#members.filter((c, i) => c.home === this && c.row === i);
  }

  /** Kept alive while a run reads the tensors, even if every row lets go meanwhile. */
  pin(): void {
    this.#pins++;
  }

  unpin(): void {
    this.#pins--;
    this.disposeIfUnused();
  }

  hostRows(): Promise<HostRows> {
    if (this.#disposed) throw new SpeechError('INTERNAL', 'encoder cache batch read after it was freed');
    this.#host ??= (async () => ({
      channel: await this.download(this.channel),
      time: await this.download(this.time),
    }))();
    return this.#host;
  }

  /**
   * Moves the streams still holding rows here into a host batch of their own size, so
   * this one can be freed.
   */
  async compact(): Promise<ResidentBatch | undefined> {
    const holders = this.holders();
    if (holders.length === 0) return undefined;
    const rows = await this.hostRows();
    const size = this.rowSizes;
    const channel = new Float32Array(holders.length * size.channel);
    const time = new Float32Array(holders.length * size.time);
    holders.forEach((cache, i) => {
      channel.set(
        rows.channel.subarray(cache.row * size.channel, (cache.row + 1) * size.channel),
        i * size.channel,
      );
      time.set(rows.time.subarray(cache.row * size.time, (cache.row + 1) * size.time), i * size.time);
    });
    const k = holders.length;
    return new ResidentBatch(
      float32Tensor(channel, [k, ...this.channel.dims.slice(1)]),
      float32Tensor(time, [k, ...this.time.dims.slice(1)]),
      holders,
      hostFloat32,
    );
  }

  /** @internal NemoEncoderCache's bookkeeping. */
  taken(): void {
    this.#held++;
  }

  /** @internal */
  released(): void {
    this.#held--;
    this.disposeIfUnused();
  }

  private disposeIfUnused(): void {
    if (this.#held > 0 || this.#pins > 0 || this.#disposed) return;
    this.#disposed = true;
    this.#host = undefined;
    disposeTensor(this.channel);
    disposeTensor(this.time);
  }
}

export class NemoEncoderCache {
  /** Valid rows of the channel cache (kept on the host: one number per stream). */
  channelLen = 0n;
  #home: ResidentBatch | undefined;
  #row = 0;

  /** The batch one of whose rows is this cache; undefined: the cache is zero. */
  get home(): ResidentBatch | undefined {
    return this.#home;
  }

  get row(): number {
    return this.#row;
  }

  /** Zero caches for a new segment (as sherpa-onnx's Reset); lets go of any batch row. */
  reset(): void {
    this.leave();
    this.channelLen = 0n;
  }

  /** The stream is done: lets go of its batch row, so the batch can be freed. */
  release(): void {
    this.leave();
  }

  /** @internal ResidentBatch: this cache is now row `row` of `batch`. */
  settle(batch: ResidentBatch, row: number): void {
    this.leave();
    this.#home = batch;
    this.#row = row;
    batch.taken();
  }

  private leave(): void {
    const home = this.#home;
    if (home === undefined) return;
    this.#home = undefined;
    home.released();
  }
}

/** A host tensor's floats, as they are (the "download" of caches kept in host memory). */
export async function hostFloat32(tensor: ModelTensor): Promise<Float32Array> {
  return float32Data(tensor, 'encoder cache');
}
