import { SpeechError } from '../../common/errors.js';
import { FrameBuffer } from './frame-buffer.js';
import type { OnlineFeatureExtractor } from './online-feature-extractor.js';
import { SampleBuffer } from './sample-buffer.js';

/**
 * What every streaming extractor shares: the rolling sample buffer, the frame store with
 * absolute indices, the finished flag, and frame access and discarding. A subclass says
 * only how many frames the samples so far complete and how to compute one
 * (`computeReady`), and which samples it may drop afterwards.
 */
export abstract class OnlineFrameExtractor implements OnlineFeatureExtractor {
  protected readonly samples = new SampleBuffer();
  protected readonly store: FrameBuffer;
  protected finished = false;

  protected constructor(readonly dim: number) {
    this.store = new FrameBuffer(dim);
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

  /** Samples received so far (before any scaling). */
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

  /** Computes every frame the samples so far complete, then drops samples no later frame needs. */
  protected abstract computeReady(): void;
}
