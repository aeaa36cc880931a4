import { SpeechError } from '../../common/errors.js';
import { FbankComputer } from './fbank-computer.js';
import type { FbankOptions, FbankOptionsInput } from './fbank-options.js';
import { FrameBuffer } from './frame-buffer.js';
import { firstSampleOfFrame, gatherReflected, numFrames } from './frame-layout.js';
import type { OnlineFeatureExtractor } from './online-feature-extractor.js';
import { SampleBuffer } from './sample-buffer.js';

/**
 * Streaming knf filterbank (knf `OnlineFbank`), with bounded memory.
 *
 * snipEdges on: a frame is computed as soon as its last sample arrives.
 * snipEdges off: likewise; frames whose window would need future samples wait, and
 * after `inputFinished()` the tail frames (count rounds N/shift) reflect past the end
 * exactly as knf. Samples are kept only from one frame length before the next frame's
 * start, which covers every reflected index knf can need.
 */
export class OnlineFbank implements OnlineFeatureExtractor {
  readonly computer: FbankComputer;
  private readonly samples = new SampleBuffer();
  private readonly store: FrameBuffer;
  private finished = false;

  constructor(options: FbankOptionsInput | Readonly<FbankOptions> | FbankComputer = {}) {
    this.computer = options instanceof FbankComputer ? options : new FbankComputer(options);
    this.store = new FrameBuffer(this.computer.dim);
  }

  get dim(): number {
    return this.computer.dim;
  }

  get numFramesReady(): number {
    return this.store.endIndex;
  }

  get firstAvailableFrame(): number {
    return this.store.firstIndex;
  }

  get isInputFinished(): boolean {
    return this.finished;
  }

  /** Samples received so far (before scaling). */
  get numSamplesAccepted(): number {
    return this.samples.end;
  }

  /** Memory held: samples retained and frames retained (for tests and metrics). */
  get buffered(): { samples: number; frames: number; sampleCapacity: number; frameCapacity: number } {
    return {
      samples: this.samples.retained,
      frames: this.store.retained,
      sampleCapacity: this.samples.capacity,
      frameCapacity: this.store.capacity,
    };
  }

  acceptWaveform(samples: Float32Array): void {
    if (this.finished) {
      throw new SpeechError(
        'INTERNAL',
        'acceptWaveform() after inputFinished(); call reset() to start a new stream',
      );
    }
    if (samples.length === 0) return;
    this.samples.append(samples);
    this.computeReady();
  }

  inputFinished(): void {
    if (this.finished) return;
    this.finished = true;
    this.computeReady();
  }

  frame(index: number): Float32Array {
    return this.store.frames(index, 1);
  }

  frames(start: number, count: number): Float32Array {
    return this.store.frames(start, count);
  }

  copyFrames(start: number, count: number, dst: Float32Array, dstOffset = 0): void {
    this.store.copyFrames(start, count, dst, dstOffset);
  }

  discardBefore(frameIndex: number): void {
    this.store.discardBefore(frameIndex);
  }

  reset(): void {
    this.samples.reset();
    this.store.reset();
    this.finished = false;
  }

  private computeReady(): void {
    const c = this.computer;
    const g = c.geometry;
    const total = this.samples.end;
    const target = numFrames(total, g, this.finished);
    const scale = c.options.sampleScale;
    for (let f = this.store.endIndex; f < target; f++) {
      gatherReflected(
        this.samples.view,
        this.samples.start,
        total,
        firstSampleOfFrame(f, g),
        g.frameLength,
        scale,
        c.frame,
      );
      const slot = this.store.push();
      c.compute(slot.data, slot.offset);
    }
    // Keep one frame length before the next frame: reflected tail indices never reach below it.
    this.samples.discardBefore(firstSampleOfFrame(target, g) - g.frameLength);
  }
}
