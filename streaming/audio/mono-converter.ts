/**
 * The last step of every decode path: planar frames at the source rate -> mono (channel
 * mean) -> the target rate (Kaldi resampler) -> chunks of at most `maxChunkSamples`.
 * Holding no more than the resampler's history, it keeps a two-hour decode bounded.
 */

import { downmixToMono } from './pcm.js';
import { LinearResampler } from './resampler.js';

export class MonoConverter {
  private readonly resampler: LinearResampler;
  private readonly maxChunk: number;
  private readonly signal: AbortSignal | undefined;

  /** `signal` is checked before every chunk, so an abort also stops a burst of chunks. */
  constructor(inputRate: number, outputRate: number, maxChunkSamples: number, signal?: AbortSignal) {
    this.resampler = new LinearResampler(inputRate, outputRate);
    this.maxChunk = Math.max(1, Math.floor(maxChunkSamples));
    this.signal = signal;
  }

  /** Converts the next frames; yields zero or more chunks. */
  *push(channels: readonly Float32Array[]): Generator<Float32Array, void, undefined> {
    yield* this.split(this.resampler.resample(downmixToMono(channels)));
  }

  /** Ends the stream: yields the resampler's tail. */
  *finish(): Generator<Float32Array, void, undefined> {
    yield* this.split(this.resampler.flush());
  }

  private *split(samples: Float32Array): Generator<Float32Array, void, undefined> {
    for (let start = 0; start < samples.length; start += this.maxChunk) {
      this.signal?.throwIfAborted();
      yield samples.subarray(start, Math.min(samples.length, start + this.maxChunk));
    }
  }
}
