/**
 * The streaming contract shared by OnlineFbank and OnlineNemoMel.
 *
 * Frame indices are absolute for the life of the stream (until `reset`). The consumer
 * reads ready frames and calls `discardBefore` once it no longer needs them; nothing
 * else frees memory, and with regular discards memory stays bounded for endless input.
 * Frames are identical to the whole-utterance features whatever the chunking.
 */
export interface OnlineFeatureExtractor {
  /** Feature dimension (mel bins). */
  readonly dim: number;
  /** Frames produced so far = one past the newest frame index. */
  readonly numFramesReady: number;
  /** Oldest frame index still held (frames below were discarded). */
  readonly firstAvailableFrame: number;
  readonly isInputFinished: boolean;
  /** Appends samples (mono, at the configured rate) and computes every frame they complete. */
  acceptWaveform(samples: Float32Array): void;
  /** Declares the end of input: computes the tail frames (edge handling of the family). */
  inputFinished(): void;
  /** View of frame `index` (dim floats); valid until the next call that mutates the stream. */
  frame(index: number): Float32Array;
  /** View of frames [start, start + count) as one row-major block; same validity as `frame`. */
  frames(start: number, count: number): Float32Array;
  /** Copies frames [start, start + count) into dst at dstOffset. */
  copyFrames(start: number, count: number, dst: Float32Array, dstOffset?: number): void;
  /** Frees every frame with index < `frameIndex`. */
  discardBefore(frameIndex: number): void;
  /** Starts a new stream, keeping allocated buffers. */
  reset(): void;
}
