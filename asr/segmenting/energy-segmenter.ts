/**
 * Cuts a stream of audio into pieces an offline model can take, without a VAD: audio is
 * buffered up to `maxSeconds`, then cut at the quietest point between `minSeconds` and
 * `maxSeconds` (findQuietestCut); the rest starts the next piece. Memory is one buffer of
 * `maxSeconds`. Pieces cover the input exactly, in order, whatever the chunking.
 */
import { findQuietestCut } from './quietest-cut.js';

export interface AudioSegment {
  /** Index of the first sample in the stream. */
  readonly start: number;
  /** A copy of the segment's samples. */
  readonly samples: Float32Array;
}

export interface EnergySegmenterOptions {
  readonly sampleRate: number;
  /** Longest piece (default 20 s). */
  readonly maxSeconds?: number;
  /** Shortest piece a cut may leave (default a quarter of maxSeconds). */
  readonly minSeconds?: number;
  /** Energy frame (default 10 ms). */
  readonly frameSeconds?: number;
  /** Frames averaged per candidate (default 10). */
  readonly smoothFrames?: number;
}

export class EnergySegmenter {
  readonly #buffer: Float32Array;
  readonly #min: number;
  readonly #frame: number;
  readonly #smooth: number;
  #filled = 0;
  #offset = 0;

  constructor(options: EnergySegmenterOptions) {
    const max = options.maxSeconds ?? 20;
    const min = options.minSeconds ?? max / 4;
    this.#buffer = new Float32Array(Math.max(1, Math.round(max * options.sampleRate)));
    this.#min = Math.max(0, Math.min(this.#buffer.length, Math.round(min * options.sampleRate)));
    this.#frame = Math.max(1, Math.round((options.frameSeconds ?? 0.01) * options.sampleRate));
    this.#smooth = options.smoothFrames ?? 10;
  }

  /** Pieces completed by these samples. */
  push(samples: Float32Array): AudioSegment[] {
    const out: AudioSegment[] = [];
    const buffer = this.#buffer;
    let at = 0;
    while (at < samples.length) {
      const n = Math.min(buffer.length - this.#filled, samples.length - at);
      buffer.set(samples.subarray(at, at + n), this.#filled);
      this.#filled += n;
      at += n;
      if (this.#filled === buffer.length) out.push(this.cut());
    }
    return out;
  }

  /** End of input: the last piece, if any samples are left. */
  finish(): AudioSegment | undefined {
    if (this.#filled === 0) return undefined;
    const piece = { start: this.#offset, samples: this.#buffer.slice(0, this.#filled) };
    this.#offset += this.#filled;
    this.#filled = 0;
    return piece;
  }

  private cut(): AudioSegment {
    const buffer = this.#buffer;
    let cut = findQuietestCut(buffer, {
      from: this.#min,
      to: buffer.length,
      frameSamples: this.#frame,
      smoothFrames: this.#smooth,
    });
    if (cut <= 0) cut = buffer.length;
    const piece = { start: this.#offset, samples: buffer.slice(0, cut) };
    buffer.copyWithin(0, cut, this.#filled);
    this.#filled -= cut;
    this.#offset += cut;
    return piece;
  }
}
